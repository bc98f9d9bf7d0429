import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// irssi and WeeChat, as their users run them, on a Chatty server: they show who is away (WHO
/// flags and WHOIS), and nick changes, as they do on any IRC server.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InteropEndToEndTests {
    /// A Chatty line-mode client in #chatty that goes away and later changes its nick.
    static func mate(port: Int) async throws -> PlainClientProcess {
        let mate = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "mate", "--channel", "#chatty"])
        try await mate.waitFor("registered as mate")
        return mate
    }

    @Test(.enabled(if: ExternalTool.available("irssi"), "\(ExternalTool.skipNote("irssi"))"))
    func irssiShowsAwayUsersWhoisAndNickChanges() async throws {
        let irssi = try ExternalTool.require("irssi")
        let server = try await EndToEnd.startServer()
        defer { server.kill9() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("irssi-interop-\(server.port)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let session = try TmuxSession(name: "irssi-interop", width: 120, height: 40,
                                      command: "\(irssi) --home=\(home.path) -n ircfan -c 127.0.0.1 -p \(server.port)")
        defer { session.kill() }
        try await session.waitFor("Welcome to the Chatty", timeout: .seconds(20))
        let mate = try await Self.mate(port: server.port)
        defer { mate.terminate() }
        try session.type("/join #chatty")
        try session.sendKeys("Enter")
        try await mate.waitFor("ircfan has joined #chatty")
        mate.send("/away gone fishing")
        try await mate.waitFor("marked as being away")
        try session.type("/who #chatty")
        try session.sendKeys("Enter")
        try session.type("/whois mate")
        try session.sendKeys("Enter")
        try session.type("/window 1")
        try session.sendKeys("Enter")
        try await session.waitFor("#chatty mate      G")
        try await session.waitFor("away     : gone fishing")
        try session.type("/window 2")
        try session.sendKeys("Enter")
        mate.send("/nick mate2")
        try await session.waitFor("mate is now known as mate2")
        try await server.stop()
    }

    @Test(.enabled(if: ExternalTool.available("weechat"), "\(ExternalTool.skipNote("weechat", package: "weechat-curses"))"))
    func weechatShowsAwayUsersWhoisAndNickChanges() async throws {
        let weechat = try ExternalTool.require("weechat", package: "weechat-curses")
        let server = try await EndToEnd.startServer()
        defer { server.kill9() }
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("weechat-interop-\(server.port)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        // Typed commands come fast: without paste_max_lines WeeChat would take two as a paste to confirm.
        let setup = "/set weechat.look.paste_max_lines -1;/server add chatty 127.0.0.1/\(server.port) -notls;"
            + "/set irc.server.chatty.nicks weefan;/set irc.server.chatty.autojoin #chatty;/connect chatty"
        let mate = try await Self.mate(port: server.port)
        defer { mate.terminate() }
        try await mate.waitFor("mate has joined #chatty")
        let session = try TmuxSession(name: "weechat-interop", width: 140, height: 40,
                                      command: "\(weechat) -d \(home.path) -r '\(setup)'")
        defer { session.kill() }
        try await mate.waitFor("weefan has joined #chatty", timeout: .seconds(20))
        mate.send("/away gone fishing")
        try await mate.waitFor("marked as being away")
        try session.type("/buffer 1")
        try session.sendKeys("Enter")
        try session.type("/who #chatty")
        try session.sendKeys("Enter")
        // `[#chatty] mate (m@127.0.0.1) G 0 (…)`, or with WHOX `[#chatty] mate [0] (m@127.0.0.1) G 0 (…)`.
        try await session.waitFor("[#chatty] mate ")
        try await session.waitFor(") G@ 0 (Chatty user)")
        try session.type("/whois mate")
        try session.sendKeys("Enter")
        try await session.waitFor("[mate] is away: gone fishing")
        try session.type("/buffer #chatty")
        try session.sendKeys("Enter")
        mate.send("/nick mate2")
        try await session.waitFor("mate is now known as mate2")
        try await server.stop()
    }
}
