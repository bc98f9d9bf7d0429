import ChatClient
import ChatCore

/// Line mode (`--plain`) as a value: stdin lines and client events in, requests and output out.
///
/// It makes line mode reliable for scripts:
/// - lines read before the client is registered and has joined its default channel are queued,
///   not dropped, and sent in order once it has;
/// - every batch of sent lines is followed by a sync `PING`; a line counts as delivered once the
///   server's `PONG` for it came back (the server answers in order);
/// - at end of input the client sends what is queued, waits for the last confirmation, then quits;
/// - a line that cannot be delivered (no channel, an error reply, the server gone before it
///   confirmed) is reported on stderr and makes the exit status 1.
struct LineModeSession {
    enum Action: Sendable, Equatable {
        case perform(ClientRequest)
        case stdout(String)
        case stderr(String)
        case exit(status: Int32)
    }

    /// Channels the client joins on connect: plain text waits until one of them is joined.
    let defaultChannels: [String]
    /// How long, after end of input, the client may still wait to get ready before it gives up.
    var readyTimeoutMilliseconds: Int64 = 30_000
    /// How long to wait for the server to close the connection after `QUIT`.
    var quitTimeoutMilliseconds: Int64 = 3_000
    var utcOffsetSeconds = 0

    /// Where plain text goes: the last channel joined (or `/query` target).
    private(set) var target: String?
    private var registered = false
    /// A join of a default channel was refused, so plain text cannot wait for it.
    private var joinRefused = false
    private var queue: [String] = []
    private var inputEnded: Int64?
    private var quitSent: Int64?
    private var failed = false
    private var nextToken = 0
    /// Lines sent and not yet confirmed by the server, by sync token.
    private var unconfirmed: [(token: Int, lines: [String])] = []
    /// `/register` and `/identify` sent whose outcome (logged in, or an error) has not come yet:
    /// the server answers them after checking the password, later than the sync.
    private var accountRequestsPending = 0
    /// The last server search's results, for `/context N`.
    private var searchResults: [SearchResults.Result] = []

    init(defaultChannels: [String], utcOffsetSeconds: Int = 0) {
        self.defaultChannels = defaultChannels
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Lines read but not yet sent.
    var queuedLines: Int { queue.count }
    /// Ready to send plain text: registered and in the default channel (or none is configured, or it was refused).
    var isReady: Bool { registered && (defaultChannels.isEmpty || target != nil || joinRefused) }
    var isQuitting: Bool { quitSent != nil }

    mutating func inputLine(_ line: String, now: Int64) -> [Action] {
        guard quitSent == nil else { return [] }
        queue.append(line)
        return drain(now: now)
    }

    mutating func inputEnded(now: Int64) -> [Action] {
        guard inputEnded == nil else { return [] }
        inputEnded = now
        return drain(now: now)
    }

    mutating func tick(now: Int64) -> [Action] {
        if let quitSent {
            return now - quitSent >= quitTimeoutMilliseconds ? [.exit(status: exitStatus)] : []
        }
        if let inputEnded, !isReady, now - inputEnded >= readyTimeoutMilliseconds {
            var actions = [Action.stderr("chatty-tui: not connected and joined after \(readyTimeoutMilliseconds / 1000) s")]
            actions += undeliverable(queue, reason: "not connected")
            queue = []
            return actions + quit(now: now)
        }
        return []
    }

    mutating func clientEvent(_ event: ClientEvent, now: Int64) -> [Action] {
        var actions: [Action] = PlainFormatter.line(for: event, utcOffsetSeconds: utcOffsetSeconds).map { [.stdout($0)] } ?? []
        switch event {
        case .stateChanged(.registered):
            registered = true
            actions += drain(now: now)
        case .stateChanged(.disconnected):
            // The client gave up (or we quit): nothing queued can go out any more.
            actions += connectionGone()
            actions += undeliverable(queue, reason: "disconnected")
            queue = []
            actions.append(.exit(status: exitStatus))
        case .stateChanged(.reconnecting), .connectionLost:
            actions += connectionGone()
        case .stateChanged(.connecting), .stateChanged(.registering), .stateChanged(.disconnecting):
            break
        case .joined(let channel, _, true):
            target = channel
            actions += drain(now: now)
        case .numericError(let code, let text):
            if code == 421, accountRequestsPending > 0 {
                // The server does not know REGISTER/AUTHENTICATE: no answer will come.
                accountRequestsPending = 0
                failed = true
                actions += finishIfDone(now: now)
            }
            if Self.joinRefusals.contains(code), target == nil {
                joinRefused = true
                actions += drain(now: now)
            } else if Self.deliveryFailures.contains(code) {
                failed = true
                actions.append(.stderr("chatty-tui: not delivered: \(text)"))
            }
        case .error(let text):
            failed = true
            actions.append(.stderr("chatty-tui: \(text)"))
            if accountRequestsPending > 0, text.hasPrefix("REGISTER failed") || text.hasPrefix("Login as") {
                accountRequestsPending -= 1
                actions += finishIfDone(now: now)
            }
        case .loggedIn:
            if accountRequestsPending > 0 {
                accountRequestsPending -= 1
                actions += finishIfDone(now: now)
            }
        case .synced(let token):
            if let confirmed = Int(token) { unconfirmed.removeAll { $0.token <= confirmed } }
            actions += finishIfDone(now: now)
        case .searchResults(_, _, let results):
            searchResults = SearchResults.numbered(results ?? [])
        case .message, .notice, .action, .ctcpRequest, .ctcpReply, .joined, .parted, .quit, .kicked,
             .nickChanged, .names, .members, .topic, .topicSetBy, .mode, .invited, .serverError, .serverInfo, .lag,
             .serverSupport, .historyReplayed, .olderHistory, .historyContext, .readMarker, .typing, .reaction, .redacted,
             .presence, .awayChanged, .realNameChanged, .hostChanged, .invitedOther:
            break
        }
        return actions
    }

    // MARK: - Internals

    /// Join refusals (no such channel, banned, invite only, full, bad key, too many channels).
    private static let joinRefusals: Set<Int> = [403, 405, 471, 473, 474, 475, 476, 477]
    /// Replies saying a message was not delivered.
    private static let deliveryFailures: Set<Int> = [401, 404, 411, 412, 442]

    private var exitStatus: Int32 { failed ? 1 : 0 }

    private mutating func drain(now: Int64) -> [Action] {
        guard isReady, quitSent == nil else { return [] }
        var actions: [Action] = []
        var sent: [String] = []
        while !queue.isEmpty, quitSent == nil {
            let line = queue.removeFirst()
            let requests: [ClientRequest]
            do {
                guard let input = try UserInput.parse(line) else { continue }
                requests = try self.requests(for: input, &actions)
            } catch {
                failed = true
                actions.append(.stderr("chatty-tui: \(error) (line: \(line))"))
                continue
            }
            for request in requests {
                switch request {
                case .quit: quitSent = now
                case .registerAccount, .identify: accountRequestsPending += 1
                default: break
                }
                actions.append(.perform(request))
            }
            if !requests.isEmpty { sent.append(line) }
        }
        if !sent.isEmpty, quitSent == nil {
            nextToken += 1
            unconfirmed.append((nextToken, sent))
            actions.append(.perform(.sync(token: String(nextToken))))
        }
        return actions + finishIfDone(now: now)
    }

    /// At end of input, once everything was sent and confirmed, quit.
    private mutating func finishIfDone(now: Int64) -> [Action] {
        guard inputEnded != nil, quitSent == nil, queue.isEmpty, unconfirmed.isEmpty, accountRequestsPending == 0,
              isReady else { return [] }
        return quit(now: now)
    }

    private mutating func quit(now: Int64) -> [Action] {
        guard quitSent == nil else { return [] }
        quitSent = now
        return [.perform(.quit(reason: "Chatty line mode"))]
    }

    /// The connection ended: lines the server did not confirm may be lost; say so.
    private mutating func connectionGone() -> [Action] {
        registered = false
        target = nil
        joinRefused = false
        let lost = unconfirmed.flatMap(\.lines)
        unconfirmed = []
        accountRequestsPending = 0
        return undeliverable(lost, reason: "the connection ended before the server confirmed it")
    }

    private mutating func undeliverable(_ lines: [String], reason: String) -> [Action] {
        guard !lines.isEmpty else { return [] }
        failed = true
        return lines.map { .stderr("chatty-tui: not delivered (\(reason)): \($0)") }
    }

    private struct Refused: Error, CustomStringConvertible {
        var description: String
    }

    /// Maps a line through the one command table; what only makes sense on a screen is refused.
    private mutating func requests(for input: UserInput, _ actions: inout [Action]) throws -> [ClientRequest] {
        switch input.outcome(in: CommandContext(target: target, targetIsChannel: target.map(Self.isChannel) ?? false)) {
        case .send(let requests):
            return requests
        case .openQuery(let nick, let requests):
            target = nick
            return requests
        case .quit(let reason):
            return [.quit(reason: reason ?? "Chatty line mode")]
        case .close(let reason):
            guard let target, Self.isChannel(target) else { throw Refused(description: "/close: not in a channel") }
            return [.part(channel: target, reason: reason)]
        case .clear:
            return []
        case .help:
            actions += UserInput.commands.map { .stdout("*** \($0.usage) — \($0.summary)") }
            return []
        case .buffer:
            throw Refused(description: "/buffer: line mode has no buffers")
        case .setting, .unsetting:
            throw Refused(description: "/set: only on the full screen (line mode reads client.conf at start; edit it)")
        case .bind, .unbind:
            throw Refused(description: "/bind: line mode has no keys to bind")
        case .network:
            throw Refused(description: "/network: line mode talks to the first network only")
        case .context(let number):
            switch SearchResults.contextRequest(forResult: number, of: searchResults) {
            case .success(let request): return [request]
            case .failure(let error): throw Refused(description: error.description)
            }
        case .trust:
            throw Refused(description: "/trust: no certificate is waiting (line mode refuses untrusted ones; see --tls-fingerprint)")
        case .ignore:
            throw Refused(description: "/ignore: line mode shows everything (filter its output instead)")
        case .error(let text):
            throw Refused(description: text)
        }
    }

    private static func isChannel(_ name: String) -> Bool { name.hasPrefix("#") || name.hasPrefix("&") }
}
