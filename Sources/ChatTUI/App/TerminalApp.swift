import CNcurses
import ChatClient
import ChatCore

#if canImport(Glibc)
import Glibc
#endif

/// The full-screen client: one loop that waits on the keyboard and the network at once,
/// applies everything that arrived, and redraws at most once per pass (60 per second at most).
struct TerminalApp {
    let runtime: IRCClientRuntime
    let inbox: EventInbox
    var controller: ChatController
    /// The terminal: ncurses for people, ``HeadlessTerminal`` for tests.
    var terminal: any TerminalDriver = NCursesTerminal()
    /// Whether SIGINT/SIGTERM/SIGHUP quit like Ctrl-Q (the real program; not in tests).
    var handlesSignals = true

    /// Runs until the user quits (or a signal asks to); the terminal is restored on every path.
    mutating func run() {
        let terminal = self.terminal
        terminal.start()
        defer { terminal.stop() }
        if handlesSignals { chatty_install_signal_handlers(inbox.signalFD) }

        var decoder = KeyDecoder()
        var quitDeadline: Int64?
        var lastRender: Int64 = 0
        var dirty = true
        var disconnectedAfterQuit = false
        var terminalAlive = true
        runtime.start()

        while true {
            let now = runtime.now()
            var timeout: Int32 = decoder.isPending ? 30 : 1000
            if dirty { timeout = Int32(max(0, 16 - (now.millisecondsSinceEpoch - lastRender))) }
            var fds = [pollfd(fd: terminalAlive ? terminal.inputDescriptor : -1, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, timeout)

            if terminalAlive, fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                // The terminal went away: quit, and stop polling the dead descriptor.
                terminalAlive = false
                if quitDeadline == nil {
                    quitDeadline = runtime.now().millisecondsSinceEpoch + 2000
                    perform(controller.handle(.ctrl("q"), now: runtime.now()))
                }
            }
            if handlesSignals, chatty_take_signal() != 0, quitDeadline == nil {
                // SIGINT/SIGTERM/SIGHUP: quit like Ctrl-Q, then restore the terminal.
                quitDeadline = runtime.now().millisecondsSinceEpoch + 2000
                perform(controller.handle(.ctrl("q"), now: runtime.now()))
            }

            let inputs = terminalAlive ? terminal.readInput() : []
            var keys = decoder.feed(inputs)
            if inputs.isEmpty, ready == 0, decoder.isPending { keys += decoder.timeout() }
            let now2 = runtime.now()
            for key in keys {
                if key == .ctrl("l") { terminal.invalidate() }
                perform(controller.handle(key, now: now2))
                dirty = true
            }
            for event in inbox.takeAll() {
                switch event {
                case .client(let event):
                    controller.apply(event, now: now2)
                    if controller.quitRequested, case .stateChanged(.disconnected) = event { disconnectedAfterQuit = true }
                case .connecting(let server):
                    controller.view.status.server = server
                }
                dirty = true
            }
            if controller.quitRequested {
                if quitDeadline == nil { quitDeadline = now2.millisecondsSinceEpoch + 2000 }
                if disconnectedAfterQuit || now2.millisecondsSinceEpoch >= quitDeadline! { return }
            }
            if ready == 0, !decoder.isPending { dirty = true }  // a quiet second: refresh counters
            if dirty, now2.millisecondsSinceEpoch - lastRender >= 16 {
                let size = terminal.size
                terminal.draw(controller.view.render(width: size.width, height: size.height))
                lastRender = now2.millisecondsSinceEpoch
                dirty = false
            }
        }
    }

    private func perform(_ requests: [ClientRequest]) {
        for request in requests {
            runtime.perform { machine, now in request.apply(to: &machine, now: now) }
        }
    }
}
