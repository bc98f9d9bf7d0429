import ChatClient
import ChatCore
import ChatServer
import ChattyTestSupport
import Foundation
import NIOPosix
import Testing

@testable import ChatTUI

/// The whole terminal client loop (`TerminalApp`: keys, events, drawing) with a headless terminal:
/// what ncurses would show is read from the frames, keys are fed in.
@Suite(.timeLimit(.minutes(1))) struct TerminalAppTests {
    @Test func theAppLoopRegistersChatsAndQuitsWithoutATerminal() async throws {
        var configuration = ChatServerConfiguration(listen: .hostname("127.0.0.1", port: 0), threads: 1)
        configuration.flood = .init(rate: 0, burst: 10, hardLimit: 100)
        let server = ChatServer(configuration: configuration)
        let port = try await server.start().port!
        let peer = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "peer"])
        defer { peer.terminate() }
        try await peer.waitFor("peer has joined #chatty")

        let terminal = HeadlessTerminal(width: 100, height: 30)
        let inbox = EventInbox()
        let runtime = IRCClientRuntime(servers: [ServerEndpoint(host: "127.0.0.1", port: port)],
                                       configuration: ClientConfiguration(nick: "viewer", channels: ["#chatty"]),
                                       eventLoop: MultiThreadedEventLoopGroup.singleton.next(),
                                       onConnecting: { inbox.post(.connecting(to: $0)) },
                                       onEvent: { inbox.post(.client($0)) })
        var app = TerminalApp(runtime: runtime, inbox: inbox,
                              controller: ChatController(server: "127.0.0.1:\(port)", nick: "viewer"),
                              terminal: terminal, handlesSignals: false)
        let finished = Task.detached { app.run() }

        try await Eventually.holds({ "registered on the headless screen:\n\(terminal.screenText)" }) {
            terminal.screenText.contains("registered") && terminal.screenText.contains("@peer")
        }
        #expect(terminal.isStarted)
        try await peer.waitFor("viewer has joined #chatty")
        peer.send("hello viewer")
        try await Eventually.holds({ "peer's line on screen:\n\(terminal.screenText)" }) {
            terminal.screenText.contains("peer │ hello viewer")
        }
        #expect(terminal.titles.contains("#chatty — chatty"), "\(terminal.titles)")
        // A private message in a buffer not in view: the title leads with it.
        peer.send("/msg viewer psst")
        try await Eventually.holds({ "title with a waiting private message: \(terminal.titles)" }) {
            terminal.titles.last == "(1) #chatty — chatty"
        }
        terminal.type("hello peer")
        terminal.feed([.char(0x0D)])
        try await peer.waitFor("<viewer> hello peer")
        terminal.feed([.char(0x11)])  // Ctrl-Q
        await finished.value
        #expect(!terminal.isStarted, "the terminal is restored when the loop ends")
        try await peer.waitFor("viewer has quit")
        peer.closeInput()
        await server.shutdown()
    }
}
