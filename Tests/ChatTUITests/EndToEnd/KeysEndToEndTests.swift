import ChattyTestSupport
import Foundation
import Testing

/// The keys the README documents, typed into a real terminal as a person would, under both
/// terminal types people use: Alt-arrows switch buffers, Ctrl-arrows move by word, Alt-Up/Down
/// scroll, Shift-Tab cycles completion backwards, channel names complete.
@Suite(.serialized, .timeLimit(.minutes(2))) struct KeysEndToEndTests {
    @Test(arguments: ["tmux-256color", "xterm-256color"])
    func documentedKeysWork(term: String) async throws {
        let server = try await EndToEnd.startServer()
        defer { server.kill9() }
        let session = try TmuxSession(name: "keys", term: term,
                                      command: EndToEnd.command("--server 127.0.0.1:\(server.port) --nick keyz --channel '#one' --channel '#two'"))
        defer { session.kill() }
        try await session.waitFor("[3:#two]")
        try session.sendKeys("M-Left")
        try await session.waitFor("[2:#one]")
        try session.sendKeys("M-Right")
        try await session.waitFor("[3:#two]")
        try session.type("hello world")
        try session.sendKeys("C-Left")
        try session.type("X")
        try await session.waitFor("[#two] hello Xworld")
        try session.sendKeys("C-u")
        try session.type("#o")
        try session.sendKeys("Tab")
        try await session.waitFor("[#two] #one ")
        try session.sendKeys("C-u")
        try session.type("/j")
        try session.sendKeys("BTab")
        // Shift-Tab starts from the last candidate: /join's alias /j sorts before /join, so the
        // backward cycle starts at /join.
        try await session.waitFor("[#two] /join ")
        try session.sendKeys("C-u")
        for index in 0..<40 {
            try session.type("line \(index)")
            try session.sendKeys("Enter")
        }
        try await session.waitFor("keyz │ line 39")
        try session.sendKeys("M-Up")
        try await session.waitFor("-- 1 more below --")
        try session.sendKeys("M-End")
        try await EndToEnd.eventually("back at the newest line") { !(try session.screen().contains("more below")) }
        try session.sendKeys("C-q")
        try await session.waitFor("[exited 0]")
        try await server.stop()
    }

    /// `--mouse`: the terminal reports the wheel (SGR mouse mode, as xterm, tmux and VTE send it)
    /// and the message pane scrolls three rows a notch.
    @Test func theMouseWheelScrollsTheMessages() async throws {
        let server = try await EndToEnd.startServer()
        defer { server.kill9() }
        let session = try TmuxSession(name: "wheel", term: "xterm-256color",
                                      command: EndToEnd.command("--server 127.0.0.1:\(server.port) --nick wheelz --mouse"))
        defer { session.kill() }
        try await session.waitFor("[2:#chatty]")
        for index in 0..<40 {
            try session.type("line \(index)")
            try session.sendKeys("Enter")
        }
        try await session.waitFor("wheelz │ line 39")
        try session.type("\u{1B}[<64;10;10M")  // wheel up over the messages
        try await session.waitFor("-- 3 more below --")
        try session.type("\u{1B}[<65;10;10M")  // and down again
        try await EndToEnd.eventually("back at the newest line") { !(try session.screen().contains("more below")) }
        try session.sendKeys("C-q")
        try await session.waitFor("[exited 0]")
        try await server.stop()
    }

    /// A key bound in client.conf (`bind alt-j /join #ops`) runs its command when pressed, and
    /// `/bind` at run time adds one that works at once.
    @Test func keysBoundInClientConfRunTheirCommands() async throws {
        let server = try await EndToEnd.startServer()
        defer { server.kill9() }
        let (home, file) = try EndToEnd.configHome(clientConf: "bind alt-j /join #ops\n")
        defer { try? FileManager.default.removeItem(atPath: home) }
        let session = try TmuxSession(name: "bind", term: "tmux-256color", command: UnprivilegedUser.shellCommand(
            "XDG_CONFIG_HOME=\(home) exec chatty-tui --server 127.0.0.1:\(server.port) --nick bindz"))
        defer { session.kill() }
        try await session.waitFor("[2:#chatty]")
        try session.sendKeys("M-j")
        try await session.waitFor("[3:#ops]")
        try session.type("/bind f5 /buffer 2")
        try session.sendKeys("Enter")
        try await session.waitFor("f5 /buffer 2 (saved)")
        try session.sendKeys("F5")
        try await session.waitFor("[2:#chatty]")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "bind alt-j /join #ops\nbind f5 /buffer 2\n")
        try session.sendKeys("C-q")
        try await session.waitFor("[exited 0]")
        try await server.stop()
    }
}
