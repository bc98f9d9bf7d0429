import CNcurses
import ChatClient
import ChatCore

/// The full-screen client as a front end of the ``ClientLoop``: keys from the terminal, events
/// from the connection, and a redraw at most once per pass (60 per second at most).
struct TerminalApp: ClientFrontEnd {
    let runtime: IRCClientRuntime
    let inbox: EventInbox
    var controller: ChatController
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
    private var disconnectedAfterQuit = false
    private var terminalAlive = true

    init(runtime: IRCClientRuntime, inbox: EventInbox, controller: ChatController,
         terminal: any TerminalDriver = NCursesTerminal(), handlesSignals: Bool = true) {
        self.runtime = runtime
        self.inbox = inbox
        self.controller = controller
        self.terminal = terminal
        self.handlesSignals = handlesSignals
    }

    /// Runs until the user quits (or a signal asks to); the terminal is restored on every path.
    mutating func run() {
        _ = ClientLoop(runtime: runtime, inbox: inbox, handlesSignals: handlesSignals).run(&self)
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
        logWriter?.write(controller.view.takeLogEntries())
        logWriter?.flush()
    }

    mutating func pass(input: InputReadiness, events: [UIEvent], signalled: Bool, now: Timestamp) -> LoopStep {
        var step = LoopStep()
        // Counters on screen (the reconnect countdown, who is typing) follow the clock.
        controller.view.currentTimeMilliseconds = now.millisecondsSinceEpoch
        if terminalAlive, input.hangUp {
            // The terminal went away: quit, and stop polling the dead descriptor.
            terminalAlive = false
            step.requests += quit(now: now)
        }
        if signalled {
            // SIGINT/SIGTERM/SIGHUP: quit like Ctrl-Q, then restore the terminal.
            step.requests += quit(now: now)
        }
        let inputs = terminalAlive ? terminal.readInput() : []
        var keys = decoder.feed(inputs)
        if inputs.isEmpty, input.quiet, decoder.isPending { keys += decoder.timeout() }
        for key in keys {
            if key == .ctrl("l") { terminal.invalidate() }
            step.requests += controller.handle(key, now: now)
            dirty = true
        }
        for event in events {
            switch event {
            case .client(let event):
                controller.apply(event, now: now)
                if controller.quitRequested, case .stateChanged(.disconnected) = event { disconnectedAfterQuit = true }
            case .connecting(let server):
                controller.view.status.server = server
            case .trustQuestion(let question):
                controller.ask(question)
            }
            dirty = true
        }
        for alert in controller.takeAlerts() { terminal.alert(alert, style: controller.alertStyle) }
        if setsTitle, controller.view.terminalTitle != shownTitle {
            shownTitle = controller.view.terminalTitle
            terminal.setTitle(shownTitle!)
        }
        let logged = controller.view.takeLogEntries()
        logWriter?.write(logged)
        if controller.quitRequested {
            if quitDeadline == nil { quitDeadline = now.millisecondsSinceEpoch + 2000 }
            if disconnectedAfterQuit || now.millisecondsSinceEpoch >= quitDeadline! {
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

    /// Quits like Ctrl-Q (once), leaving at most 2 s for the server to see the `QUIT`.
    private mutating func quit(now: Timestamp) -> [ClientRequest] {
        guard quitDeadline == nil else { return [] }
        quitDeadline = now.millisecondsSinceEpoch + 2000
        return controller.handle(.ctrl("q"), now: now)
    }
}
