import ChattyTestSupport
import Foundation
import Testing

/// Line mode as scripts use it, run by an unprivileged user through a shell pipe.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ScriptedLineModeEndToEndTests {
    /// Runs a shell command line as the unprivileged user; returns its exit status and output
    /// (stdout and stderr together).
    static func shell(_ command: String) throws -> ChildProcess.Result {
        try ChildProcess.run("/bin/sh", ["-c", UnprivilegedUser.shellCommand(command + " 2>&1")])
    }

    @Test func pipedLinesAreDeliveredInOrderEveryTime() async throws {
        // Flood control as users get it by default.
        let server = try await ServerProcess.start(flood: true)
        defer { server.kill9() }
        let watcher = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "watcher"])
        defer { watcher.terminate() }
        try await watcher.waitFor("watcher has joined #chatty")
        for run in 0..<10 {
            let result = try Self.shell("printf 'a\\nb\\nc\\n' | chatty-tui --server 127.0.0.1:\(server.port) --nick bot\(run)")
            #expect(result.status == 0, "\(result.output)")
            #expect(!result.output.contains("chatty-tui:"), "nothing reported undelivered: \(result.output)")
            try await watcher.waitFor("<bot\(run)> a")
            try await watcher.waitFor("<bot\(run)> b")
            try await watcher.waitFor("<bot\(run)> c")
        }
        watcher.closeInput()
        #expect(try await watcher.waitForExit() == 0)
        #expect(try await server.stop() == 0)
    }

    @Test func aLineThatCannotBeDeliveredIsReportedAndTheExitStatusIsNonZero() async throws {
        let server = try await ServerProcess.start()
        defer { server.kill9() }
        let result = try Self.shell("printf '/msg nobody hello\\n' | chatty-tui --server 127.0.0.1:\(server.port) --nick lonely")
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("chatty-tui: not delivered: nobody: No such nick/channel"), "\(result.output)")
        #expect(try await server.stop() == 0)
    }

    @Test func linesAreReportedWhenTheServerIsGone() async throws {
        let server = try await ServerProcess.start()
        let port = server.port
        server.kill9()
        let started = ContinuousClock.now
        let result = try Self.shell("printf 'into the void\\n' | chatty-tui --server 127.0.0.1:\(port) --nick void --wait 2")
        #expect(result.status == 1, "\(result.output)")
        #expect(result.output.contains("not connected and joined after 2 s"), "\(result.output)")
        #expect(result.output.contains("not delivered (not connected): into the void"), "\(result.output)")
        #expect(ContinuousClock.now - started < .seconds(20), "gave up after --wait")
    }

    @Test func theSettingsFileComesBeforeTheCommandLine() async throws {
        let server = try await ServerProcess.start()
        defer { server.kill9() }
        let watcher = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "watcher", "--channel", "#conf"])
        defer { watcher.terminate() }
        try await watcher.waitFor("watcher has joined #conf")
        // A config home the unprivileged user can read (as /set would leave it, but readable by them).
        let home = NSTemporaryDirectory() + "chatty-conf-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: home) }
        try FileManager.default.createDirectory(atPath: home + "/chatty", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: home)
        let file = home + "/chatty/client.conf"
        func write(_ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file)
        }
        try write("# written by /set\nserver 127.0.0.1:\(server.port)\nnick fromconf\nchannel #conf\n")
        let plain = try Self.shell("printf 'hello\\n' | XDG_CONFIG_HOME=\(home) chatty-tui")
        #expect(plain.status == 0, "\(plain.output)")
        try await watcher.waitFor("<fromconf> hello")
        let overridden = try Self.shell("printf 'again\\n' | XDG_CONFIG_HOME=\(home) chatty-tui --nick cli")
        #expect(overridden.status == 0, "\(overridden.output)")
        try await watcher.waitFor("<cli> again")
        try write("nick 1bad\n")
        let refused = try Self.shell("printf 'x\\n' | XDG_CONFIG_HOME=\(home) chatty-tui")
        #expect(refused.status != 0)
        #expect(refused.output.contains("'1bad' is not a valid nick"), "\(refused.output)")
        let serve = try Self.shell("XDG_CONFIG_HOME=\(home) chatty-tui serve --listen 127.0.0.1:1 --history off --max-clients 0")
        #expect(serve.output.contains("--max-clients must be at least 1") && !serve.output.contains("nick"),
                "serve never reads client.conf (its own options are checked, no --nick is refused): \(serve.output)")
        #expect(try await server.stop() == 0)
    }
}
