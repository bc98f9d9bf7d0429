import ChatClient
import ChatCore

#if canImport(Glibc)
import Glibc
#endif

/// Line mode (`--plain`, or when stdin or stdout is not a terminal) as a front end of the
/// ``ClientLoop``: reads stdin lines, prints one sanitised line per event, and carries out what
/// ``LineModeSession`` decides.
struct PlainClient: ClientFrontEnd {
    let runtime: IRCClientRuntime
    let inbox: EventInbox
    var session: LineModeSession
    private var pending: [UInt8] = []
    private var inputOpen = true

    init(runtime: IRCClientRuntime, inbox: EventInbox, session: LineModeSession) {
        self.runtime = runtime
        self.inbox = inbox
        self.session = session
    }

    /// Runs until the session exits; returns its exit status.
    mutating func run() -> Int32 {
        ClientLoop(runtimes: [runtime], inbox: inbox, handlesSignals: false).run(&self)
    }

    /// Standard input, while it is open and not too many lines wait for the connection (the writer
    /// then blocks instead).
    var inputDescriptor: Int32 { inputOpen && session.queuedLines < 10_000 ? 0 : -1 }

    func pollTimeout(now: Timestamp) -> Int32 { 200 }

    mutating func start() {}

    mutating func stop() {}

    mutating func pass(input: InputReadiness, events: [NetworkEvent], signalled: Bool, now: Timestamp) -> LoopStep {
        let clock = WallClock.monotonicMilliseconds()
        var actions: [LineModeSession.Action] = []
        // Line mode talks to the first network only.
        for event in events where event.network == 0 {
            switch event.event {
            case .connecting(let server): actions.append(.stdout("*** connecting to \(server)"))
            // Line mode has nobody to ask (it is not given a way to): refuse.
            case .trustQuestion(let question): question.answer(trust: false)
            case .client(let event): actions += session.clientEvent(event, now: clock)
            }
        }
        if input.readable || input.hangUp {
            actions += readLines(now: clock)
        }
        actions += session.tick(now: clock)
        return perform(actions)
    }

    /// Reads what stdin has; complete lines go to the session, end of input ends it.
    private mutating func readLines(now: Int64) -> [LineModeSession.Action] {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = read(0, &chunk, chunk.count)
        var actions: [LineModeSession.Action] = []
        if count <= 0 {
            inputOpen = false
            if !pending.isEmpty {
                actions += session.inputLine(String(decoding: pending, as: UTF8.self), now: now)
                pending = []
            }
            return actions + session.inputEnded(now: now)
        }
        pending.append(contentsOf: chunk[0..<count])
        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
            var line = String(decoding: pending[..<newline], as: UTF8.self)
            if line.hasSuffix("\r") { line.removeLast() }
            pending.removeSubrange(...newline)
            actions += session.inputLine(line, now: now)
        }
        return actions
    }

    /// Prints what the session printed, and collects its requests and exit.
    private func perform(_ actions: [LineModeSession.Action]) -> LoopStep {
        defer { fflush(nil) }
        var step = LoopStep()
        for action in actions {
            switch action {
            case .perform(let request):
                step.requests.append((0, request))
            case .stdout(let line):
                print(line)
            case .stderr(let line):
                fflush(nil)
                let bytes = Array((line + "\n").utf8)
                _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            case .exit(let status):
                step.exit = status
                return step
            }
        }
        return step
    }
}
