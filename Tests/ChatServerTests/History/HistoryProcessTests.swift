import ChatCore
import ChattyTestSupport
import Foundation
import GRDB
import Testing

@testable import ChatServer

/// The real server as an unprivileged user: history on disk across restarts and crashes.
@Suite(.serialized, .timeLimit(.minutes(2))) struct HistoryProcessTests {
    /// Says `count` lines in `#h` as `talker` and waits for the server's answer to a PING sent after
    /// them: every line is then delivered (and queued for the disk).
    private func chat(_ count: Int, port: Int) async throws -> TestIRCClient {
        let talker = try await TestIRCClient.connect(port: port, name: "talker")
        try await talker.register("talker")
        try await talker.join("#h")
        for index in 1...count {
            try await talker.send("PRIVMSG #h :line \(index)")
        }
        try await talker.send("PING :sync")
        _ = try await talker.expect { $0.command == "PONG" && $0.parameters.last == "sync" }
        return talker
    }

    /// Joins `#h` on `port` and returns the texts `CHATHISTORY LATEST #h * 100` gives.
    private func history(port: Int) async throws -> [String] {
        let reader = try await TestIRCClient.connect(port: port, name: "reader")
        defer { Task { await reader.close() } }
        try await reader.register("reader", caps: ["batch", "message-tags", "server-time", "draft/chathistory"])
        try await reader.join("#h")
        try await reader.send("CHATHISTORY LATEST #h * 100")
        _ = try await reader.expect { $0.command == "BATCH" && $0.parameters.first?.hasPrefix("+") == true }
        var texts: [String] = []
        while true {
            let message = try await reader.expect { $0.command == "PRIVMSG" || $0.command == "BATCH" }
            if message.command == "BATCH" { break }
            #expect(message.tag("msgid") != nil && message.tag("time") != nil)
            texts.append(message.parameters.last ?? "")
        }
        return texts
    }

    @Test func historySurvivesAGracefulRestart() async throws {
        let directory = ServerProcess.freshDataDirectory()
        let first = try await ServerProcess.start(["--data-dir", directory])
        let talker = try await chat(20, port: first.port)
        try await talker.send("TOPIC #h :kept across restarts", "MODE #h +m")
        _ = try await talker.expect { $0.command == "MODE" }
        await talker.close()
        #expect(try await first.stop() == 0)
        let second = try await ServerProcess.start(["--data-dir", directory])
        defer { second.kill9() }
        #expect(try await history(port: second.port) == (1...20).map { "line \($0)" })
        let visitor = try await TestIRCClient.connect(port: second.port, name: "visitor")
        try await visitor.register("visitor")
        try await visitor.send("JOIN #h")
        let topic = try await visitor.expect { $0.command == "332" }
        #expect(topic.parameters.last == "kept across restarts")
        try await visitor.send("MODE #h")
        let modes = try await visitor.expect { $0.command == "324" }
        #expect(modes.parameters.dropFirst(2).first == "+mnt")
        await visitor.close()
    }

    @Test func aKilledServerKeepsWhatItDeliveredBeforeTheDurabilityWindow() async throws {
        let directory = ServerProcess.freshDataDirectory()
        let first = try await ServerProcess.start(["--data-dir", directory])
        let talker = try await chat(200, port: first.port)
        // The documented window is 100 ms from delivery to disk.
        try await Task.sleep(for: .milliseconds(150))
        first.kill9()
        _ = try? await first.process.waitForExit()
        await talker.close()
        let second = try await ServerProcess.start(["--data-dir", directory])
        defer { second.kill9() }
        let texts = try await history(port: second.port)
        #expect(texts == (101...200).map { "line \($0)" }, "the newest 100 of 200, none lost")
    }

    @Test func anUnusableDataDirectoryStopsTheServerWithAClearError() throws {
        // Another user's directory: the unprivileged server may not write there.
        let result = try UnprivilegedUser.run(["/bin/sh", "-c",
            "\(UnprivilegedUser.binary) serve --listen 127.0.0.1:0 --data-dir /root/chatty-forbidden/x 2>&1"])
        guard UnprivilegedUser.testsRunAsRoot else { return }
        #expect(result.status == 1)
        #expect(result.output.contains("cannot use the data directory /root/chatty-forbidden/x"), "\(result.output)")
        #expect(result.output.contains("--history off"))
    }

    @Test func aDatabaseLockedByAnotherProgramStopsTheServerWithAClearError() async throws {
        let directory = ServerProcess.freshDataDirectory()
        // Create the database, then hold its write lock from another connection (as another program would).
        let first = try await ServerProcess.start(["--data-dir", directory])
        #expect(try await first.stop() == 0)
        let holder = try DatabaseQueue(path: directory + "/history.sqlite")
        // The lock is held inside one database access on a thread of its own, until released.
        let locked = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        Thread {
            try? holder.writeWithoutTransaction { db in
                try db.execute(sql: "BEGIN IMMEDIATE")
                locked.signal()
                release.wait()
                try db.execute(sql: "ROLLBACK")
            }
        }.start()
        locked.wait()
        defer { release.signal() }
        let result = try UnprivilegedUser.run(["/bin/sh", "-c",
            "\(UnprivilegedUser.binary) serve --listen 127.0.0.1:0 --data-dir \(directory) 2>&1"])
        #expect(result.status == 1)
        #expect(result.output.contains("cannot open the history database \(directory)/history.sqlite: database is locked"),
                "\(result.output)")
    }

    @Test func retentionTakesANumberAndAUnit() throws {
        let result = try UnprivilegedUser.run(["/bin/sh", "-c",
            "\(UnprivilegedUser.binary) serve --history-retention 30 2>&1"])
        #expect(result.status != 0)
        #expect(result.output.contains("--history-retention takes a number and a unit, e.g. 30d"), "\(result.output)")
    }

    @Test func aSecondServerOnTheSameDataDirectoryIsRefused() async throws {
        let directory = ServerProcess.freshDataDirectory()
        let first = try await ServerProcess.start(["--data-dir", directory])
        defer { first.kill9() }
        let result = try UnprivilegedUser.run(["/bin/sh", "-c",
            "\(UnprivilegedUser.binary) serve --listen 127.0.0.1:0 --data-dir \(directory) 2>&1"])
        #expect(result.status == 1)
        #expect(result.output.contains("is in use by another chatty-tui server"), "\(result.output)")
    }
}
