import CNcurses
import ChatClient
import ChatCore

/// The full-screen client as a front end of the ``ClientLoop``: keys from the terminal, events
/// from the connections, and a redraw at most once per pass (60 per second at most).
///
/// Each network (the command line's, then each `--connect`) has its own connection and
/// ``ChatController`` with its own buffers; the screen shows one network at a time (F9/F10 or
/// `/network` switch), the status line counts what waits in the others.
struct TerminalApp: ClientFrontEnd {
    struct Network {
        let runtime: IRCClientRuntime
        var controller: ChatController
    }

    let inbox: EventInbox
    private(set) var networks: [Network]
    /// The network on the screen.
    private(set) var active = 0
    /// The controller of the network on the screen.
    var controller: ChatController {
        get { networks[active].controller }
        set { networks[active].controller = newValue }
    }
    /// The terminal: ncurses for people, ``HeadlessTerminal`` for tests.
    var terminal: any TerminalDriver = NCursesTerminal()
    /// Whether SIGINT/SIGTERM/SIGHUP quit like Ctrl-Q (the real program; not in tests).
    var handlesSignals = true
    /// Where the buffers are logged (nil: not logged).
    var logWriter: ChatLogWriter?
    /// Whether the window title follows the buffer in view and waiting mentions (`--no-title` turns it off).
    var setsTitle = true
    private var shownTitle: String?

    private var decoder = KeyDecoder()
    private var quitDeadline: Int64?
    private var lastRender: Int64 = 0
    private var dirty = true
    /// Networks whose connection closed after the quit.
    private var disconnectedAfterQuit: Set<Int> = []
    private var terminalAlive = true

    init(runtime: IRCClientRuntime, inbox: EventInbox, controller: ChatController,
         terminal: any TerminalDriver = NCursesTerminal(), handlesSignals: Bool = true) {
        self.init(networks: [Network(runtime: runtime, controller: controller)], inbox: inbox, terminal: terminal,
                  handlesSignals: handlesSignals)
    }

    /// Several networks; events posted with network index N belong to `networks[N]`.
    init(networks: [Network], inbox: EventInbox, terminal: any TerminalDriver = NCursesTerminal(), handlesSignals: Bool = true) {
        precondition(!networks.isEmpty, "a client has at least one network")
        self.networks = networks
        // The first network is the one on the screen.
        for index in self.networks.indices { self.networks[index].controller.view.isOnScreen = index == 0 }
        self.inbox = inbox
        self.terminal = terminal
        self.handlesSignals = handlesSignals
        showNetworks()
    }

    /// Runs until the user quits (or a signal asks to); the terminal is restored on every path.
    mutating func run() {
        _ = ClientLoop(runtimes: networks.map(\.runtime), inbox: inbox, handlesSignals: handlesSignals).run(&self)
    }

    var inputDescriptor: Int32 { terminalAlive ? terminal.inputDescriptor : -1 }

    func pollTimeout(now: Timestamp) -> Int32 {
        if dirty { return Int32(max(0, 16 - (now.millisecondsSinceEpoch - lastRender))) }
        return decoder.isPending ? 30 : 1000
    }

    mutating func start() {
        terminal.start()
        for (code, key) in terminal.extendedKeyCodes { decoder.register(code: code, as: key) }
    }

    mutating func stop() {
        terminal.stop()
        for index in networks.indices { logWriter?.write(networks[index].controller.view.takeLogEntries()) }
        logWriter?.flush()
    }

    mutating func pass(input: InputReadiness, events: [NetworkEvent], signalled: Bool, now: Timestamp) -> LoopStep {
        var step = LoopStep()
        // Counters on screen (the reconnect countdown, who is typing) follow the clock.
        for index in networks.indices { networks[index].controller.view.currentTimeMilliseconds = now.millisecondsSinceEpoch }
        if terminalAlive, input.hangUp {
            // The terminal went away: quit, and stop polling the dead descriptor.
            terminalAlive = false
            step.requests += quit(reason: nil, now: now)
        }
        if signalled {
            // SIGINT/SIGTERM/SIGHUP: quit like Ctrl-Q, then restore the terminal.
            step.requests += quit(reason: nil, now: now)
        }
        let inputs = terminalAlive ? terminal.readInput() : []
        var keys = decoder.feed(inputs)
        if inputs.isEmpty, input.quiet, decoder.isPending { keys += decoder.timeout() }
        for key in keys {
            dirty = true
            if key == .ctrl("l") { terminal.invalidate() }
            if networks.count > 1, key == .function(9) || key == .function(10) {
                step.requests += switchNetwork(to: (active + (key == .function(9) ? networks.count - 1 : 1)) % networks.count)
                continue
            }
            let network = active
            step.requests += controller.handle(key, now: now).map { (network, $0) }
            if let wanted = controller.takeNetworkRequest() { step.requests += networkCommand(wanted) }
            if networks[network].controller.quitRequested {
                // Ctrl-Q and /quit leave every network (with /quit's reason).
                step.requests += quit(reason: networks[network].controller.quitReason, now: now)
            }
            // /set and /bind change what every network shares.
            let shared = networks[network].controller
            for index in networks.indices where index != network { networks[index].controller.adoptSharedSettings(of: shared) }
        }
        for item in events {
            guard networks.indices.contains(item.network) else { continue }
            let index = item.network
            switch item.event {
            case .client(let event):
                networks[index].controller.apply(event, now: now)
                if networks[index].controller.quitRequested, case .stateChanged(.disconnected) = event { disconnectedAfterQuit.insert(index) }
            case .connecting(let server):
                networks[index].controller.view.status.server = server
            case .trustQuestion(let question):
                networks[index].controller.ask(question)
                if index != active {
                    // The question waits in a network that is not on the screen: say where.
                    controller.showError("\(networks[index].controller.view.networkName) asks you to trust its server's certificate: "
                                         + "/network \(networks[index].controller.view.networkName) to answer")
                }
            }
            dirty = true
        }
        for index in networks.indices {
            for alert in networks[index].controller.takeAlerts() { terminal.alert(alert, style: networks[index].controller.alertStyle) }
            logWriter?.write(networks[index].controller.view.takeLogEntries())
        }
        if networks.count > 1 { showNetworks() }
        if setsTitle, controller.view.terminalTitle != shownTitle {
            shownTitle = controller.view.terminalTitle
            terminal.setTitle(shownTitle!)
        }
        if quitDeadline != nil {
            if disconnectedAfterQuit.count == networks.count || now.millisecondsSinceEpoch >= quitDeadline! {
                step.exit = 0
                return step
            }
        }
        if input.quiet, !decoder.isPending { dirty = true }  // a quiet second: refresh counters
        if dirty, now.millisecondsSinceEpoch - lastRender >= 16 {
            let size = terminal.size
            terminal.draw(controller.view.render(width: size.width, height: size.height))
            lastRender = now.millisecondsSinceEpoch
            dirty = false
        }
        return step
    }

    /// Puts network `index` on the screen; its buffer in view counts as read from now on (also for
    /// the server's read marker, as when switching buffers).
    mutating func switchNetwork(to index: Int) -> [(network: Int, request: ClientRequest)] {
        guard networks.indices.contains(index), index != active else { return [] }
        networks[active].controller.view.isOnScreen = false
        active = index
        networks[active].controller.view.isOnScreen = true
        networks[active].controller.view.markBufferRead(at: networks[active].controller.view.activeIndex)
        showNetworks()
        dirty = true
        return controller.readMarkerForActiveBuffer().map { (index, $0) }
    }

    /// `/network` (list) or `/network NAME|N` (switch), typed in the network on the screen.
    private mutating func networkCommand(_ wanted: String?) -> [(network: Int, request: ClientRequest)] {
        guard let wanted else {
            controller.showInfo("Networks (F9/F10 or /network NAME to switch):")
            for (index, network) in networks.enumerated() {
                let view = network.controller.view
                controller.showInfo("  \(index + 1) \(view.networkName)\(index == active ? " (on screen)" : "") — \(view.status.connection), \(view.status.server)")
            }
            return []
        }
        let folded = wanted.lowercased()
        if let number = Int(wanted), networks.indices.contains(number - 1) {
            return switchNetwork(to: number - 1)
        } else if let index = networks.firstIndex(where: { $0.controller.view.networkName.lowercased() == folded }) {
            return switchNetwork(to: index)
        }
        controller.showError("/network: no network \(wanted) (\(networks.map(\.controller.view.networkName).joined(separator: ", ")))")
        return []
    }

    /// Tells each network's view what waits in the others (status line, window title).
    private mutating func showNetworks() {
        guard networks.count > 1 else { return }
        let summaries = networks.map { $0.controller.view.networkActivity }
        for index in networks.indices {
            networks[index].controller.view.otherNetworks = summaries.enumerated().filter { $0.offset != index }.map(\.element)
        }
    }

    /// Quits every network (once; a key bound to Ctrl-Q does not stand in the way), leaving at most
    /// 2 s for the servers to see the `QUIT`.
    private mutating func quit(reason: String?, now: Timestamp) -> [(network: Int, request: ClientRequest)] {
        guard quitDeadline == nil else { return [] }
        quitDeadline = now.millisecondsSinceEpoch + 2000
        var requests: [(network: Int, request: ClientRequest)] = []
        for index in networks.indices where !networks[index].controller.quitRequested {
            requests += networks[index].controller.requestQuit(reason: reason).map { (index, $0) }
        }
        return requests
    }
}
