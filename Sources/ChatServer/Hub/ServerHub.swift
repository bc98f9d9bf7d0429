import ChatCore
import NIOConcurrencyHelpers
import NIOCore

/// The shared heart of a running server: the ``ServerState`` and one outbox per connection,
/// behind one lock, shared by all event loops.
///
/// Every action is carried out while the lock is held, by queueing encoded bytes in the
/// recipients' outboxes, so all clients see events in the order the state produced them. A
/// broadcast is encoded once per tag class (at most three encodings), into that class's
/// ``BroadcastLog``; each member's outbox queues a span of the log, which grows while the
/// member's events follow each other in it, and its bytes are copied once, when the outbox is
/// written. Replies to one client are appended to its outbox's own buffer.
///
/// Pieces: ``Deliveries`` (outboxes, broadcast logs, SendQ), the flush (`ServerHub+Flush.swift`),
/// the links (`ServerHub+Federation.swift`, running ``FederationMachine``).
///
/// Each event loop writes its dirty outboxes with one write per connection, outside the lock,
/// in the order they became dirty and in slices of at most `flushSlice` connections. Between
/// slices the loop reads its sockets again, so a line that arrives while a long flush is under
/// way still goes out with the outboxes not yet written (those already written take it in their
/// next turn): a recipient waits at most about one pass over the dirty connections, not a whole
/// flush plus the next.
final class ServerHub: Sendable {
    struct State {
        var server: ServerState
        var deliveries: Deliveries
        var linkDirty: [[Int]]
        var flushScheduled: [Bool]
        var shuttingDown = false
        /// `CHATHISTORY` batches sent, for their batch ids.
        var historyBatches = 0
        var federation: FederationState?
        /// Client connections with a channel (filed by `connect`, released by `disconnected`).
        var openConnections = 0
        /// Completed once the last connection closed after ``ServerHub/shutdown(drained:)``.
        var drained: EventLoopPromise<Void>?
    }

    let state: NIOLockedValueBox<State>
    let loops: [any EventLoop]
    /// Connections written per slice of a flush; `Int.max` for no slicing.
    let flushSlice: Int
    let serverName: String
    /// The history thread, when the server keeps history.
    let history: HistoryWriter?
    /// Checks passwords off the event loops (with accounts).
    let credentials: CredentialWorker?

    init(configuration: ServerConfiguration, loops: [any EventLoop], sendQueueLimit: Int, flushSlice: Int = 64,
         now: Timestamp, federation: FederationState? = nil, history: HistoryWriter? = nil,
         credentials: CredentialWorker? = nil) {
        self.loops = loops
        self.history = history
        self.credentials = credentials
        self.flushSlice = flushSlice > 0 ? flushSlice : Int.max
        self.serverName = configuration.name
        self.state = NIOLockedValueBox(State(
            server: ServerState(configuration: configuration, now: now),
            deliveries: Deliveries(loops: loops.count, sendQueueLimit: sendQueueLimit),
            linkDirty: Array(repeating: [], count: loops.count),
            flushScheduled: Array(repeating: false, count: loops.count),
            federation: federation
        ))
    }

    /// Why a new connection was not filed.
    enum Refusal: Error {
        case full
        case shuttingDown
    }

    /// Files a new connection, unless the server already holds `capacity` or is shutting down.
    func connect(channel: Channel, host: String, secure: Bool = false, now: Timestamp,
                 capacity: Int = .max) -> Result<ClientID, Refusal> {
        let loop = loops.firstIndex { $0 === channel.eventLoop } ?? 0
        return state.withLockedValue { state -> Result<ClientID, Refusal> in
            guard !state.shuttingDown else { return .failure(.shuttingDown) }
            guard state.openConnections < capacity else { return .failure(.full) }
            let id = state.server.clientConnected(host: host, secure: secure, now: now)
            state.deliveries.open(id.rawValue, channel: channel, loop: loop)
            state.openConnections += 1
            return .success(id)
        }
    }

    /// Handles one parsed message. Returns true when it completed the client's registration.
    func received(_ message: IRCMessage, from id: ClientID, now: Timestamp) -> Bool {
        run { state in
            let actions = state.server.messageReceived(message, from: id, now: now)
            state.deliveries.setTagClass(state.server.tagClass(of: id), of: id.rawValue)
            return self.apply(actions, to: &state, registrationOf: id)
        }
    }

    func invalidLine(_ error: IRCParseError, from id: ClientID) {
        _ = run { state in
            self.apply(state.server.invalidLineReceived(error, from: id), to: &state, registrationOf: id)
        }
    }

    /// Queues a keepalive `PING` for the client.
    func ping(_ id: ClientID, token: String) {
        _ = run { state in
            self.apply([.send(IRCMessage(source: self.serverName, "PING", token), to: id)], to: &state, registrationOf: id)
        }
    }

    /// Sends `ERROR` and closes the connection (timeouts, floods).
    func drop(_ id: ClientID, reason: String) {
        _ = run { state in self.apply([.close(id, reason: reason)], to: &state, registrationOf: id) }
    }

    /// The connection is gone; peers learn why.
    func disconnected(_ id: ClientID, reason: String, now: Timestamp) {
        _ = run { state in
            guard let (hadChannel, closeReason) = state.deliveries.seal(id.rawValue) else { return false }
            let why = closeReason ?? reason
            if hadChannel { state.openConnections -= 1 }
            let registered = self.apply(state.server.clientDisconnected(id, reason: why, now: now), to: &state, registrationOf: id)
            if state.openConnections == 0, let drained = state.drained {
                state.drained = nil
                drained.futureResult.eventLoop.execute { drained.succeed() }
            }
            return registered
        }
    }

    /// The socket can take more bytes again: flush what waited.
    func writable(_ id: ClientID) {
        _ = run { state in
            state.deliveries.markDirty(id.rawValue)
            return false
        }
    }

    /// Tells every client the server is going down and closes every connection once its
    /// `ERROR` line is written; `drained` is completed when the last connection has closed.
    func shutdown(drained: EventLoopPromise<Void>) {
        _ = run { state in
            state.shuttingDown = true
            if state.openConnections == 0 {
                drained.futureResult.eventLoop.execute { drained.succeed() }
            } else {
                state.drained = drained
            }
            state.deliveries.closeAll(with: IRCMessage("ERROR", "Server shutting down"), reason: "Server shutting down")
            return false
        }
    }

    /// A snapshot of the protocol state, for tests and diagnostics.
    var serverState: ServerState { state.withLockedValue { $0.server } }

    /// Open client connections.
    var connectionCount: Int { state.withLockedValue { $0.openConnections } }

    // MARK: Internals

    /// Runs `body` under the lock, then schedules one flush per event loop that got new bytes.
    func run<T>(_ body: (inout State) -> T) -> T {
        let (result, toSchedule) = state.withLockedValue { state -> (T, [Int]) in
            let result = body(&state)
            announceDropped(in: &state)
            var toSchedule: [Int] = []
            for loop in state.linkDirty.indices
            where (state.deliveries.hasDirty(loop: loop) || !state.linkDirty[loop].isEmpty) && !state.flushScheduled[loop] {
                state.flushScheduled[loop] = true
                toSchedule.append(loop)
            }
            return (result, toSchedule)
        }
        for loop in toSchedule {
            loops[loop].execute { self.flush(loop: loop) }
        }
        return result
    }

    /// Clients cut off for their SendQ: each gets its `ERROR` (all it still receives), and its peers
    /// see it quit at once, not when its socket finally closes. Telling them can cut off others.
    private func announceDropped(in state: inout State) {
        var dropped = state.deliveries.takeDropped()
        while !dropped.isEmpty {
            for index in dropped {
                let id = ClientID(index)
                let host = state.server.client(id)?.host ?? "unknown"
                state.deliveries.sendFinal(.closingLink(host: host, reason: Deliveries.sendQueueExceeded), to: index)
                apply(state.server.clientDropped(id, reason: Deliveries.sendQueueExceeded, now: WallClock.now()), to: &state)
            }
            dropped = state.deliveries.takeDropped()
        }
    }

    @discardableResult
    func apply(_ actions: [ServerAction], to state: inout State, registrationOf id: ClientID? = nil) -> Bool {
        var registered = false
        for action in actions {
            switch action {
            case .send(let message, let target):
                state.deliveries.send(message, to: target.rawValue)
            case .deliver(let message, let recipients, let except):
                state.deliveries.broadcast(message, to: recipients, except: except)
            case .close(let target, let reason):
                guard state.deliveries.isOpen(target.rawValue) else { continue }
                let host = state.server.client(target)?.host ?? "unknown"
                state.deliveries.close(target.rawValue, with: .closingLink(host: host, reason: reason), reason: reason)
            case .registered(let target):
                if target == id { registered = true }
            case .propagate(let event):
                originate(event, in: &state)
            case .record(let entry):
                history?.record(entry)
            case .queryHistory(let request):
                history?.query(request) { [self] result in answer(request, with: result) }
            case .saveChannel(let snapshot):
                history?.save(snapshot)
            case .saveReadMarker(let marker):
                history?.save(marker)
            case .checkPassword(let check):
                credentials?.run(check) { [self] outcome in credentialsChecked(check, outcome) }
            case .redact(let conversation, let msgid):
                history?.redact(conversation: conversation, msgid: msgid)
            case .saveAccount(let account):
                history?.save(account)
            }
        }
        return registered
    }
}
