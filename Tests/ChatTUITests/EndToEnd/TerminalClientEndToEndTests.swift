import ChattyTestSupport
import Foundation
import Testing

/// The real binary in tmux at a fixed size against a live server, read with `capture-pane`.
@Suite(.serialized, .timeLimit(.minutes(3)), .enabled(if: ExternalTool.available("tmux"), "\(ExternalTool.skipNote("tmux"))"))
struct TerminalClientEndToEndTests {
    @Test func twoClientsSeeEachOtherChatAndLeave() async throws {
        let server = try await EndToEnd.startServer()
        let port = server.port
        let alice = try TmuxSession(name: "alice", command: EndToEnd.command("--server 127.0.0.1:\(port) --nick alice"))
        defer { alice.kill() }
        try await alice.waitFor("registered")
        let bob = try TmuxSession(name: "bob", command: EndToEnd.command("--server 127.0.0.1:\(port) --nick bob"))
        defer { bob.kill() }
        try await bob.waitFor("registered")
        try await alice.waitFor("bob has joined #chatty")

        // Top bar, sidebar and status line.
        let screen = try alice.screen()
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].contains("#chatty") && lines[0].contains("2 users"))
        #expect(screen.contains("@alice"))
        #expect(lines.contains { $0.hasSuffix(" bob") || $0.contains("│ bob") || $0.contains(" bob ") })
        #expect(lines.suffix(3).joined().contains("registered"))
        try await EndToEnd.eventually("alice's window title names her buffer") { try alice.title() == "#chatty — chatty" }

        try bob.type("hello alice 👍🏽 日本語 café")
        try bob.sendKeys("Enter")
        try await alice.waitFor("hello alice 👍🏽 日本語 café")
        let row = try alice.screen().split(separator: "\n").first { $0.contains("hello alice") }!
        #expect(row.contains("bob │ hello alice"))

        // Mentions, own lines, and the message from alice reaching bob.
        try alice.type("hi bob, welcome")
        try alice.sendKeys("Enter")
        try await bob.waitFor("alice │ hi bob, welcome")

        // Ctrl-X leaves the channel: alice sees bob part, and bob's sidebar member is gone.
        try bob.sendKeys("C-x")
        try await alice.waitFor("bob has left #chatty")
        try await EndToEnd.eventually("alice's count drops to 1") { try alice.screen().contains("1 user") }

        // Ctrl-Q quits and restores the terminal.
        try bob.sendKeys("C-q")
        try await bob.waitFor("[exited 0]")
        #expect(!(try bob.screen().contains("│")), "the curses screen was cleared on exit")
        try alice.sendKeys("C-q")
        try await alice.waitFor("[exited 0]")
        try await server.stop()

        // Both logged the channel as plain text under their data directory, filed under the network's
        // name as shown (its host), the server buffer too: not split by the server's NETWORK=Chatty.
        let network = UnprivilegedUser.home.appendingPathComponent(".local/share/chatty/logs/127.0.0.1")
        #expect(!FileManager.default.fileExists(atPath: UnprivilegedUser.home.appendingPathComponent(".local/share/chatty/logs/Chatty").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: network.appendingPathComponent("server").path).contains { $0.hasSuffix(".log") })
        let logs = network.appendingPathComponent("#chatty")
        let files = try FileManager.default.contentsOfDirectory(atPath: logs.path).filter { $0.hasSuffix(".log") }
        #expect(!files.isEmpty, "a log file for today")
        let log = try files.map { try String(contentsOfFile: logs.appendingPathComponent($0).path, encoding: .utf8) }.joined()
        #expect(log.contains("<bob> hello alice 👍🏽 日本語 café"))
        #expect(log.contains("<alice> hi bob, welcome"))
    }

    @Test func resizeKeepsInputAndScrollbackAndHidesSidebarWhenNarrow() async throws {
        let server = try await EndToEnd.startServer()
        let port = server.port
        let carol = try TmuxSession(name: "carol", command: EndToEnd.command("--server 127.0.0.1:\(port) --nick carol"))
        defer { carol.kill() }
        try await carol.waitFor("registered")
        try carol.type("first message")
        try carol.sendKeys("Enter")
        try await carol.waitFor("carol │ first message")
        try carol.type("draft text")
        try await carol.waitFor("draft text")
        // The sidebar: its header counts nicks, and @carol is in it (the pane's names line has it too).
        #expect(try carol.screen().contains("1 nick"))

        try carol.resize(width: 50, height: 16)
        try await EndToEnd.eventually("narrow layout without sidebar") {
            let screen = try carol.screen()
            return !screen.contains("1 nick") && screen.contains("first message") && screen.contains("draft text")
        }
        try carol.resize(width: 14, height: 4)
        try await carol.waitFor("small")
        try carol.resize(width: 100, height: 30)
        try await EndToEnd.eventually("wide layout again") {
            let screen = try carol.screen()
            return screen.contains("1 nick") && screen.contains("first message") && screen.contains("draft text")
        }
        try carol.sendKeys("C-q")
        try await carol.waitFor("[exited 0]")
        try await server.stop()
    }

    @Test func networkTextIsSanitisedOnScreen() async throws {
        let server = try await EndToEnd.startServer()
        let port = server.port
        let dave = try TmuxSession(name: "dave", command: EndToEnd.command("--server 127.0.0.1:\(port) --nick dave"))
        defer { dave.kill() }
        try await dave.waitFor("registered")
        let evil = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "mallory"])
        defer { evil.terminate() }
        try await evil.waitFor("has joined #chatty")
        evil.send("/quote PRIVMSG #chatty :\u{1B}[2J\u{1B}]0;pwned\u{07}clear \u{02}bold\u{02} \u{03}04red\u{03} done")
        try await dave.waitFor("done")
        let screen = try dave.screen()
        #expect(screen.contains("^[[2J^[]0;pwned^Gclear bold red done"))
        #expect(!screen.contains("\u{1B}"))
        evil.closeInput()
        try dave.sendKeys("C-q")
        try await server.stop()
    }

    @Test func hostModeServesOthersAndStopsOnQuit() async throws {
        let port = Int.random(in: 10_000...19_999)
        let host = try TmuxSession(name: "host", command: EndToEnd.command("--host --listen 127.0.0.1:\(port) --nick hostess"))
        defer { host.kill() }
        try await host.waitFor("registered")
        // The server's log went to a file of the user's, not over the screen.
        let log = UnprivilegedUser.home.appendingPathComponent(".local/state/chatty/host.log").path
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("127.0.0.1:\(port)") && text.contains("listening"), "\(text)")
        let attributes = try FileManager.default.attributesOfItem(atPath: log)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect((attributes[.ownerAccountID] as? Int).map(UInt32.init) == (UnprivilegedUser.testsRunAsRoot ? UnprivilegedUser.uid : getuid()))
        #expect(!(try host.screen().contains("listening")), "no log line on the screen")
        let guest = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "guest"])
        defer { guest.terminate() }
        try await guest.waitFor("guest has joined #chatty")
        guest.send("hello host")
        try await host.waitFor("guest │ hello host")
        try host.type("hello guest")
        try host.sendKeys("Enter")
        try await guest.waitFor("<hostess> hello guest")
        try host.sendKeys("C-q")
        try await guest.waitFor("Server shutting down")
        try await host.waitFor("[exited 0]")
        guest.closeInput()
    }
}

@Suite(.timeLimit(.minutes(2)), .enabled(if: ExternalTool.available("tmux"), "\(ExternalTool.skipNote("tmux"))"))
struct TerminalRestoreEndToEndTests {
    @Test func sigtermQuitsAndRestoresTheTerminal() async throws {
        let server = try await EndToEnd.startServer()
        let port = server.port
        let watcher = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "watcher"])
        defer { watcher.terminate() }
        try await watcher.waitFor("registered as watcher")
        let session = try TmuxSession(name: "sigterm", command: EndToEnd.command("--server 127.0.0.1:\(port) --nick termed"))
        defer { session.kill() }
        try await session.waitFor("registered")
        try await watcher.waitFor("termed has joined #chatty")
        // The pane runs a shell whose child is the client: signal exactly that process.
        let shell = try session.run(["display", "-p", "-t", session.name, "#{pane_pid}"])
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let child = try EndToEnd.run("/usr/bin/pgrep", ["-P", shell]).split(separator: "\n").first.map(String.init)
        let pid = try #require(child.flatMap { Int32($0) })
        kill(pid, SIGTERM)
        try await session.waitFor("[exited 0]")
        #expect(!(try session.screen().contains("registered")), "the curses screen is gone")
        try await watcher.waitFor("termed has quit")
        watcher.closeInput()
        try await server.stop()
    }
}
