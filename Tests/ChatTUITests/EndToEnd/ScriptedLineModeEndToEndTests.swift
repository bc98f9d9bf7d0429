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
}
