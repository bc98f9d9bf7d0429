import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// A disk that fills up under the history: chat goes on, the loss is counted and logged, and
/// storing resumes when there is room again. Needs root for the small tmpfs (CI runs as root).
@Suite(.serialized, .timeLimit(.minutes(2)),
       .enabled(if: UnprivilegedUser.testsRunAsRoot, "needs root to mount a small tmpfs"))
struct HistoryDiskFullProcessTests {
    struct MountFailed: Error {
        var output: String
    }

    private func mount(_ arguments: [String]) throws {
        let result = try ChildProcess.run("/bin/mount", arguments)
        guard result.status == 0 else { throw MountFailed(output: result.output) }
    }

    @Test func chatContinuesWhenTheDiskIsFullAndStoringResumesWhenItIsNot() async throws {
        let mountPoint = NSTemporaryDirectory() + "chatty-full-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try mount(["-t", "tmpfs", "-o", "size=600k,mode=0755", "tmpfs", mountPoint])
        defer {
            _ = try? ChildProcess.run("/bin/umount", ["-l", mountPoint])
            try? FileManager.default.removeItem(atPath: mountPoint)
        }
        chown(mountPoint, UnprivilegedUser.uid, UnprivilegedUser.gid)
        let server = try await ServerProcess.start(["--data-dir", mountPoint + "/data"])
        defer { server.kill9() }
        let talker = try await TestIRCClient.connect(port: server.port, name: "talker")
        let listener = try await TestIRCClient.connect(port: server.port, name: "listener")
        try await talker.register("talker")
        try await listener.register("listener", caps: ["batch", "message-tags", "draft/chathistory"])
        try await talker.join("#full")
        try await listener.join("#full")

        // About 2 MB of history into 600 KB: the disk fills up midway.
        let padding = String(repeating: "p", count: 300)
        let total = 6_000
        for index in 1...total {
            try await talker.send("PRIVMSG #full :\(index) \(padding)")
            if index % 500 == 0 {
                try await talker.send("PING :batch\(index)")
                _ = try await talker.expect { $0.command == "PONG" && $0.parameters.last == "batch\(index)" }
            }
        }
        // Chat went on: every line reached the listener, in order.
        var next = 1
        while next <= total {
            let message = try await listener.expect(timeout: .seconds(30)) { $0.command == "PRIVMSG" }
            let number = Int(message.parameters[1].prefix { $0.isNumber })
            #expect(number == next)
            next += 1
        }
        // The loss was counted and logged.
        let logged = try await server.process.waitForError("history not stored", timeout: .seconds(20))
        #expect(logged.contains("lost-total="), "\(logged)")

        // Room again: what is said from now on is stored.
        try mount(["-o", "remount,size=64m", mountPoint])
        try await talker.send("PRIVMSG #full :after the disk recovered")
        _ = try await listener.expect { $0.command == "PRIVMSG" && $0.parameters.last == "after the disk recovered" }
        // The history thread answers after the writes queued before the question.
        try await listener.send("CHATHISTORY LATEST #full * 1")
        let latest = try await listener.expect { $0.command == "PRIVMSG" && $0.tag("batch") != nil }
        #expect(latest.parameters.last == "after the disk recovered")
        await talker.close()
        await listener.close()
    }
}
