import ChattyTestSupport
import Testing

@Suite struct ChildProcessTests {
    @Test func outputAndStatusComeBack() throws {
        let result = try ChildProcess.run("/bin/sh", ["-c", "echo hello; exit 3"])
        #expect(result.output == "hello\n")
        #expect(result.status == 3)
    }

    /// The first tmux call starts a tmux server that outlives it. `run` must return when the
    /// command exits, not when the daemon it started does (Foundation's Process waited for the daemon).
    @Test(.enabled(if: ExternalTool.available("tmux"), "\(ExternalTool.skipNote("tmux"))"))
    func returnsWhileADaemonItStartedKeepsRunning() throws {
        let tmux = try ExternalTool.require("tmux")
        let socket = "chatty-child-\(UInt32.random(in: 0...UInt32.max))"
        defer { _ = try? ChildProcess.run(tmux, ["-L", socket, "kill-server"]) }
        let started = try ChildProcess.run("/usr/bin/env", ["SHELL=/bin/sh", tmux, "-L", socket, "new-session", "-d", "-s", "probe", "sleep 300"])
        #expect(started.status == 0)
        let alive = try ChildProcess.run(tmux, ["-L", socket, "has-session", "-t", "probe"])
        #expect(alive.status == 0)
    }

    @Test func childrenDoNotInheritBlockedSignals() throws {
        let status = try ChildProcess.run("/bin/sh", ["-c", "grep SigBlk /proc/self/status"]).output
        #expect(status.hasSuffix("0000000000000000\n"), "\(status)")
    }
}
