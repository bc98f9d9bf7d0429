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
@Suite(.serialized, .timeLimit(.minutes(1))) struct TerminalAppTests {
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

    /// Two networks in one client: each its own connection and buffers; the screen shows one, the
    /// status line counts what waits in the other, F10 and /network switch, typing goes to the
    /// network on the screen, Ctrl-Q leaves both.
    @Test func twoNetworksKeepTheirOwnBuffersAndTypingGoesToTheOneOnScreen() async throws {
        var servers: [ChatServer] = []
        var ports: [Int] = []
        for _ in 0..<2 {
            var configuration = ChatServerConfiguration(listen: .hostname("127.0.0.1", port: 0), threads: 1)
            configuration.flood = .init(rate: 0, burst: 10, hardLimit: 100)
            let server = ChatServer(configuration: configuration)
            ports.append(try await server.start().port!)
            servers.append(server)
        }
        let first = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(ports[0])", "--nick", "ann", "--channel", "#one"])
        defer { first.terminate() }
        let second = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(ports[1])", "--nick", "bob", "--channel", "#two"])
        defer { second.terminate() }
        try await first.waitFor("ann has joined #one")
        try await second.waitFor("bob has joined #two")

        let terminal = HeadlessTerminal(width: 110, height: 30)
        let inbox = EventInbox()
        var networks: [TerminalApp.Network] = []
        for (index, (port, channel)) in [(ports[0], "#one"), (ports[1], "#two")].enumerated() {
            let runtime = IRCClientRuntime(servers: [ServerEndpoint(host: "127.0.0.1", port: port)],
                                           configuration: ClientConfiguration(nick: "viewer", channels: [channel]),
                                           eventLoop: MultiThreadedEventLoopGroup.singleton.next(),
                                           onConnecting: { inbox.post(.connecting(to: $0), network: index) },
                                           onEvent: { inbox.post(.client($0), network: index) })
            let controller = ChatController(server: index == 0 ? "home" : "work", nick: "viewer")
            networks.append(TerminalApp.Network(runtime: runtime, controller: controller))
        }
        var app = TerminalApp(networks: networks, inbox: inbox, terminal: terminal, handlesSignals: false)
        let finished = Task.detached { app.run() }
        try await first.waitFor("viewer has joined #one")
        try await second.waitFor("viewer has joined #two")
        try await Eventually.holds({ "home's #one on screen:\n\(terminal.screenText)" }) {
            terminal.screenText.contains("[2:#one]") && terminal.screenText.contains("@ann")
        }
        // Something said on the other network waits there, counted on the status line.
        second.send("hello from work")
        try await Eventually.holds({ "work's line counted:\n\(terminal.screenText)" }) {
            terminal.screenText.contains("[work(1)]")
        }
        #expect(!terminal.screenText.contains("hello from work"), "not shown on home's screen")
        terminal.feed([.function(NCursesKeyCode.f0 + 10)])  // F10: the next network
        try await Eventually.holds({ "work on screen:\n\(terminal.screenText)" }) {
            terminal.screenText.contains("bob │ hello from work") && terminal.screenText.contains("[2:#two]")
        }
        terminal.type("hi work")
        terminal.feed([.char(0x0D)])
        try await second.waitFor("<viewer> hi work")
        terminal.type("/network home")
        terminal.feed([.char(0x0D)])
        try await Eventually.holds({ "home again:\n\(terminal.screenText)" }) { terminal.screenText.contains("[2:#one]") }
        terminal.type("hi home")
        terminal.feed([.char(0x0D)])
        try await first.waitFor("<viewer> hi home")
        #expect(!second.lines.contains { $0.contains("hi home") }, "nothing typed on home went to work")
        terminal.feed([.char(0x11)])  // Ctrl-Q
        await finished.value
        try await first.waitFor("viewer has quit")
        try await second.waitFor("viewer has quit")
        first.closeInput()
        second.closeInput()
        for server in servers { await server.shutdown() }
    }

    /// Two networks whose connections never start (the app's decisions only).
    private func idleApp(terminal: HeadlessTerminal, settingsPath: String? = nil) -> TerminalApp {
        var networks: [TerminalApp.Network] = []
        for name in ["home", "work"] {
            let runtime = IRCClientRuntime(servers: [ServerEndpoint(host: "127.0.0.1", port: 1)],
                                           configuration: ClientConfiguration(nick: "viewer", channels: []),
                                           eventLoop: MultiThreadedEventLoopGroup.singleton.next(),
                                           onConnecting: { _ in }, onEvent: { _ in })
            var controller = ChatController(server: name, nick: "viewer")
            controller.settingsPath = settingsPath
            networks.append(TerminalApp.Network(runtime: runtime, controller: controller))
        }
        return TerminalApp(networks: networks, inbox: EventInbox(), terminal: terminal, handlesSignals: false)
    }

    private func typed(_ line: String, into app: inout TerminalApp, _ terminal: HeadlessTerminal) -> LoopStep {
        terminal.type(line)
        terminal.feed([.char(0x0D)])
        return app.pass(input: InputReadiness(readable: true, hangUp: false, quiet: false), events: [], signalled: false,
                        now: Timestamp(millisecondsSinceEpoch: 1_000))
    }

    /// `/bind` in one network binds the key in all; `/quit REASON` leaves every network with that reason.
    @Test func settingsAreSharedAndQuitLeavesEveryNetworkWithItsReason() throws {
        let directory = NSTemporaryDirectory() + "chatty-networks-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let terminal = HeadlessTerminal(width: 100, height: 30)
        var app = idleApp(terminal: terminal, settingsPath: directory + "/client.conf")
        _ = typed("/bind f5 /names", into: &app, terminal)
        #expect(app.networks[1].controller.keyBindings.map(\.text) == ["f5 /names"], "the other network has it too")
        _ = typed("/set highlight deploy", into: &app, terminal)
        #expect(app.networks[1].controller.highlightWords == ["deploy"])
        let step = typed("/quit lunch", into: &app, terminal)
        let quits = step.requests.filter { if case .quit = $0.request { return true } else { return false } }
        #expect(quits.map(\.network).sorted() == [0, 1])
        #expect(quits.allSatisfy { $0.request == .quit(reason: "lunch") })
    }

    /// A certificate question from a network that is not on the screen is pointed out on the one
    /// that is (the question itself waits in its own network's buffer).
    @Test func aTrustQuestionOffScreenIsPointedOut() throws {
        var app = idleApp(terminal: HeadlessTerminal(width: 100, height: 30))
        let fingerprint = try #require(CertificateFingerprint(String(repeating: "AB:", count: 31) + "AB"))
        let question = TrustQuestion(address: "irc.example.com:6697", fingerprint: fingerprint,
                                     reason: "No authority vouches for it", reply: { _ in })
        _ = app.pass(input: InputReadiness(readable: false, hangUp: false, quiet: false),
                     events: [NetworkEvent(network: 1, event: .trustQuestion(question))], signalled: false,
                     now: Timestamp(millisecondsSinceEpoch: 1_000))
        #expect(app.networks[0].controller.view.activeBuffer.lines.last?.text
            == "work asks you to trust its server's certificate: /network work to answer")
        #expect(app.networks[1].controller.view.buffers[0].lines.elements.contains { $0.text.contains(fingerprint.description) })
    }
}
