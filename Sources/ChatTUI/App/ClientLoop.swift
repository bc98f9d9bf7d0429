import CNcurses
import ChatClient
import ChatCore

#if canImport(Glibc)
import Glibc
#endif

/// What the loop learnt about a front end's input in one pass.
struct InputReadiness {
    /// The input descriptor polled readable.
    var readable: Bool
    /// It hung up or failed (the terminal went away).
    var hangUp: Bool
    /// The poll timed out with nothing to do.
    var quiet: Bool
}

/// What a front end asks of the loop after one pass.
struct LoopStep {
    /// What to do on which network (0: the first).
    var requests: [(network: Int, request: ClientRequest)] = []
    /// Set when the front end is done: the loop returns this exit status.
    var exit: Int32?
}

/// A front end of the client loop: the full-screen terminal (``TerminalApp``) or line mode
/// (``PlainClient``). The loop does the waiting; the front end decides.
protocol ClientFrontEnd {
    /// The descriptor to poll for input; -1 for none.
    var inputDescriptor: Int32 { get }
    /// Milliseconds the loop may wait for input or events before the next pass.
    func pollTimeout(now: Timestamp) -> Int32
    mutating func start()
    mutating func stop()
    /// One pass over what arrived: input readiness, the connections' events, and whether a quit
    /// signal came (SIGINT/SIGTERM/SIGHUP).
    mutating func pass(input: InputReadiness, events: [NetworkEvent], signalled: Bool, now: Timestamp) -> LoopStep
}

/// The one client loop: waits on the front end's input and the connections' events at once,
/// gives both to the front end, and carries out the requests it returns on their networks.
struct ClientLoop {
    /// One per network: the first is the command line's, then each `--connect`.
    let runtimes: [IRCClientRuntime]
    let inbox: EventInbox
    /// Whether quit signals are caught (through an async-signal-safe self-pipe into the inbox).
    var handlesSignals: Bool

    func run<FrontEnd: ClientFrontEnd>(_ frontEnd: inout FrontEnd) -> Int32 {
        frontEnd.start()
        defer { frontEnd.stop() }
        if handlesSignals { chatty_install_signal_handlers(inbox.signalFD) }
        for runtime in runtimes { runtime.start() }
        let clock = runtimes[0]
        while true {
            let descriptor = frontEnd.inputDescriptor
            var fds = [pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, descriptor >= 0 ? 2 : 1, frontEnd.pollTimeout(now: clock.now()))
            let revents = descriptor >= 0 ? fds[1].revents : 0
            let input = InputReadiness(readable: revents & Int16(POLLIN) != 0,
                                       hangUp: revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0,
                                       quiet: ready == 0)
            let signalled = handlesSignals && chatty_take_signal() != 0
            let step = frontEnd.pass(input: input, events: inbox.takeAll(), signalled: signalled, now: clock.now())
            for (network, request) in step.requests where runtimes.indices.contains(network) {
                runtimes[network].perform { machine, now in request.apply(to: &machine, now: now) }
            }
            if let status = step.exit { return status }
        }
    }
}
