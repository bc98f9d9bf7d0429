import ChatClient
import ChatCore

#if canImport(Glibc)
import Glibc
#endif

/// The line-mode driver (`--plain`, or when stdin or stdout is not a terminal): reads stdin lines,
/// prints one sanitised line per event, and carries out what ``LineModeSession`` decides.
struct PlainClient {
    let runtime: IRCClientRuntime
    let inbox: EventInbox
    var session: LineModeSession

    /// Runs until the session exits; returns its exit status.
    mutating func run() -> Int32 {
        var pending: [UInt8] = []
        var inputOpen = true
        var chunk = [UInt8](repeating: 0, count: 4096)
        runtime.start()
        while true {
            // Stop reading while many lines wait for the connection: the writer blocks instead.
            let reading = inputOpen && session.queuedLines < 10_000
            var fds = [pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: 0, events: Int16(reading ? POLLIN : 0), revents: 0)]
            _ = poll(&fds, reading ? 2 : 1, 200)
            var actions: [LineModeSession.Action] = []
            for uiEvent in inbox.takeAll() {
                switch uiEvent {
                case .connecting(let server): actions.append(.stdout("*** connecting to \(server)"))
                case .client(let event): actions += session.clientEvent(event, now: Self.now())
                }
            }
            if reading, fds[1].revents != 0 {
                let count = read(0, &chunk, chunk.count)
                if count <= 0 {
                    inputOpen = false
                    if !pending.isEmpty {
                        actions += session.inputLine(String(decoding: pending, as: UTF8.self), now: Self.now())
                        pending = []
                    }
                    actions += session.inputEnded(now: Self.now())
                } else {
                    pending.append(contentsOf: chunk[0..<count])
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        var line = String(decoding: pending[..<newline], as: UTF8.self)
                        if line.hasSuffix("\r") { line.removeLast() }
                        pending.removeSubrange(...newline)
                        actions += session.inputLine(line, now: Self.now())
                    }
                }
            }
            actions += session.tick(now: Self.now())
            if let status = perform(actions) { return status }
        }
    }

    /// Carries out the session's actions; returns the exit status once it asks to exit.
    private func perform(_ actions: [LineModeSession.Action]) -> Int32? {
        defer { fflush(nil) }
        for action in actions {
            switch action {
            case .perform(let request):
                runtime.perform { machine, now in request.apply(to: &machine, now: now) }
            case .stdout(let line):
                print(line)
            case .stderr(let line):
                fflush(nil)
                let bytes = Array((line + "\n").utf8)
                _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            case .exit(let status):
                return status
            }
        }
        return nil
    }

    static func now() -> Int64 { WallClock.monotonicMilliseconds() }
}
