import ChatCore

#if canImport(Glibc)
import Glibc
#endif

/// The line-mode client (`--plain`, or when stdout is not a terminal): each stdin line is sent
/// (to the current channel, or as a `/command`), each event is printed as one sanitised line.
/// End of input quits.
struct PlainClient {
    let runtime: IRCClientRuntime
    let inbox: EventInbox
    /// Where plain text goes: the last channel joined (or `/query` target).
    var target: String?
    var utcOffsetSeconds = 0

    mutating func run() {
        var pending: [UInt8] = []
        var inputOpen = true
        var quitRequested = false
        var deadline: Int64?
        var chunk = [UInt8](repeating: 0, count: 4096)
        runtime.start()
        while true {
            var fds = [pollfd(fd: inbox.readFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: 0, events: Int16(inputOpen ? POLLIN : 0), revents: 0)]
            _ = poll(&fds, inputOpen ? 2 : 1, 200)
            for uiEvent in inbox.takeAll() {
                guard case .client(let event) = uiEvent else {
                    if case .connecting(let server) = uiEvent { print("*** connecting to \(server)") }
                    continue
                }
                if case .joined(let channel, _, true) = event { target = channel }
                if let line = PlainFormatter.line(for: event, utcOffsetSeconds: utcOffsetSeconds) {
                    print(line)
                }
                if quitRequested, case .stateChanged(.disconnected) = event { fflush(nil); return }
            }
            fflush(nil)
            if inputOpen, fds[1].revents != 0 {
                let count = read(0, &chunk, chunk.count)
                if count <= 0 {
                    inputOpen = false
                    if !pending.isEmpty { handle(String(decoding: pending, as: UTF8.self), &quitRequested); pending = [] }
                    if !quitRequested { handle("/quit", &quitRequested) }
                } else {
                    pending.append(contentsOf: chunk[0..<count])
                    while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                        var line = String(decoding: pending[..<newline], as: UTF8.self)
                        if line.hasSuffix("\r") { line.removeLast() }
                        pending.removeSubrange(...newline)
                        handle(line, &quitRequested)
                    }
                }
            }
            if quitRequested {
                let now = IRCClientRuntime.now().millisecondsSinceEpoch
                if deadline == nil { deadline = now + 3000 }
                if now >= deadline! { return }
            }
        }
    }

    private mutating func handle(_ line: String, _ quitRequested: inout Bool) {
        let requests: [ClientRequest]
        do {
            guard let input = try UserInput.parse(line) else { return }
            requests = self.requests(for: input)
        } catch {
            print("*** error: \(error)")
            return
        }
        for request in requests {
            if case .quit = request { quitRequested = true }
            runtime.perform { machine, now in request.apply(to: &machine, now: now) }
        }
    }

    private mutating func requests(for input: UserInput) -> [ClientRequest] {
        switch input {
        case .text(let text), .action(let text):
            guard let target else {
                print("*** error: no channel yet; use /join #channel or /msg nick text")
                return []
            }
            if case .action = input { return [.action(target: target, text: text)] }
            return [.message(target: target, text: text)]
        case .join(let channel, let key): return [.join(channel: channel, key: key)]
        case .part(let channel, let reason):
            guard let channel = channel ?? target else { return [] }
            return [.part(channel: channel, reason: reason)]
        case .quit(let reason): return [.quit(reason: reason ?? "Chatty line mode")]
        case .nick(let nick): return [.nick(nick)]
        case .message(let target, let text): return [.message(target: target, text: text)]
        case .query(let nick, let text):
            target = nick
            return text.map { [.message(target: nick, text: $0)] } ?? []
        case .names(let channel):
            guard let channel = channel ?? target else { return [] }
            return [.names(channel: channel)]
        case .topic(let channel, let text):
            guard let channel = channel ?? target else { return [] }
            return text.map { [.setTopic(channel: channel, text: $0)] } ?? [.requestTopic(channel: channel)]
        case .clear:
            return []
        case .help:
            for command in UserInput.commands { print("*** \(command.usage) — \(command.summary)") }
            return []
        case .raw(let line): return [.raw(line)]
        }
    }
}
