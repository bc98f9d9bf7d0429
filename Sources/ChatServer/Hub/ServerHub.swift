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
/// Each event loop writes its dirty outboxes with one write per connection, outside the lock,
/// in the order they became dirty and in slices of at most `flushSlice` connections. Between
/// slices the loop reads its sockets again, so a line that arrives while a long flush is under
/// way still goes out with the outboxes not yet written (those already written take it in their
/// next turn): a recipient waits at most about one pass over the dirty connections, not a whole
/// flush plus the next.
final class ServerHub: Sendable {
    struct Outbox {
        var channel: Channel?
        var loop: Int = 0
        var buffer: ByteBuffer?
        var dirty = false
        /// Set when the connection is to be closed after its outbox is written.
        var closeReason: String?
        /// No more bytes will be written (closing or closed).
        var sealed = false
        /// `buffer` is this outbox's own storage (not the shared bytes of a single event).
        var ownsBuffer = false
        /// Bytes handed to the channel by the last flush: the next buffer of several events
        /// starts with that much room instead of doubling its way up (capped at 256 KiB).
        var lastFlushSize = 0
        /// Which tags this client gets, copied from its record after each of its own lines
        /// (only a client's own `CAP REQ` changes it). Read for every delivery: asking
        /// `ServerState` instead copied the whole state value (312 bytes and its references)
        /// once per recipient.
        var tagClass = TagClass.none
        /// Broadcast bytes queued after `buffer`, as a span of one of the hub's logs.
        var range: LogRange?

        /// Bytes waiting to be written.
        var queuedBytes: Int { (buffer?.readableBytes ?? 0) + (range?.count ?? 0) }

        /// Grows the queued range when `span` of that log follows it directly; false otherwise.
        mutating func extendRange(log: TagClass, generation: UInt32, span: Range<Int>) -> Bool {
            guard range?.log == log, range?.generation == generation, range?.end == UInt32(truncatingIfNeeded: span.lowerBound) else {
                return false
            }
            range!.end = UInt32(truncatingIfNeeded: span.upperBound)
            return true
        }

        /// A buffer of its own to copy bytes into, keeping what was queued before; a new one
        /// gets at least `capacity` bytes of room (and the size of the last flush).
        mutating func ownBuffer(capacity: Int) {
            guard !ownsBuffer || buffer == nil else { return }
            var fresh = ByteBufferAllocator().buffer(capacity: max(capacity, lastFlushSize))
            if let buffer { fresh.writeImmutableBuffer(buffer) }
            buffer = fresh
            ownsBuffer = true
        }

        /// The tag class to encode for, or nil when no bytes may be queued (no channel, or
        /// closing). `mutating` only so that the hot delivery loop reads the outbox in place
        /// instead of copying it (and retaining its references) once per recipient.
        mutating func acceptingTagClass() -> TagClass? {
            channel != nil && !sealed && closeReason == nil ? tagClass : nil
        }

        /// Queues `bytes`; false when the queue now exceeds `limit` (the buffer is then dropped).
        /// Written to mutate `buffer` in place: no copy of it, so no reference counting on the
        /// path every delivery takes.
        mutating func append(_ bytes: ByteBuffer, limit: Int) -> Bool {
            if buffer == nil {
                buffer = bytes
                ownsBuffer = false
                return true
            }
            ownBuffer(capacity: (buffer!.readableBytes + bytes.readableBytes) * 2)
            buffer!.writeImmutableBuffer(bytes)
            guard buffer!.readableBytes <= limit else {
                buffer = nil
                return false
            }
            return true
        }

        /// Hands the queued bytes to the caller for writing.
        mutating func take() -> ByteBuffer? {
            precondition(range == nil, "the log range is copied out before the outbox is taken")
            guard let queued = buffer else { return nil }
            buffer = nil
            ownsBuffer = false
            lastFlushSize = min(queued.readableBytes, 256 * 1024)
            return queued
        }
    }

    struct State {
        var server: ServerState
        var outboxes = ChunkedArray<Outbox>()
        /// One log of broadcast encodings per tag class, indexed by its raw value.
        var logs = [BroadcastLog](repeating: BroadcastLog(), count: TagClass.allCases.count)
        /// Per event loop, the dirty connections in the order they became dirty.
        var dirty: [CircularBuffer<Int>]
        var linkDirty: [[Int]]
        var flushScheduled: [Bool]
        var shuttingDown = false
        var federation: FederationState?
        /// Client connections with a channel (filed by `connect`, released by `disconnected`).
        var openConnections = 0
        /// Completed once the last connection closed after ``ServerHub/shutdown(drained:)``.
        var drained: EventLoopPromise<Void>?
    }

    let state: NIOLockedValueBox<State>
    let loops: [any EventLoop]
    private let sendQueueLimit: Int
    /// Connections written per slice of a flush; `Int.max` for no slicing.
    private let flushSlice: Int
    let serverName: String

    init(configuration: ServerConfiguration, loops: [any EventLoop], sendQueueLimit: Int, flushSlice: Int = 64,
         now: Timestamp, federation: FederationState? = nil) {
        self.loops = loops
        self.sendQueueLimit = sendQueueLimit
        self.flushSlice = flushSlice > 0 ? flushSlice : Int.max
        self.serverName = configuration.name
        self.state = NIOLockedValueBox(State(
            server: ServerState(configuration: configuration, now: now),
            dirty: Array(repeating: CircularBuffer(), count: loops.count),
            linkDirty: Array(repeating: [], count: loops.count),
            flushScheduled: Array(repeating: false, count: loops.count),
            federation: federation
        ))
    }

    /// Files a new connection; `nil` while shutting down.
    func connect(channel: Channel, host: String, now: Timestamp) -> ClientID? {
        let loop = loops.firstIndex { $0 === channel.eventLoop } ?? 0
        return state.withLockedValue { state -> ClientID? in
            guard !state.shuttingDown else { return nil }
            let id = state.server.clientConnected(host: host, now: now)
            while state.outboxes.count <= id.rawValue { state.outboxes.append(Outbox()) }
            state.outboxes[id.rawValue] = Outbox(channel: channel, loop: loop)
            state.openConnections += 1
            return id
        }
    }

    /// Handles one parsed message. Returns true when it completed the client's registration.
    func received(_ message: IRCMessage, from id: ClientID, now: Timestamp) -> Bool {
        run { state in
            let actions = state.server.messageReceived(message, from: id, now: now)
            if id.rawValue < state.outboxes.count {
                state.outboxes[id.rawValue].tagClass = state.server.tagClass(of: id)
            }
            return self.apply(actions, to: &state, registrationOf: id)
        }
    }

    func invalidLine(_ error: IRCParseError, from id: ClientID) {
        _ = run { state in
            self.apply(state.server.invalidLineReceived(error, from: id), to: &state, registrationOf: id)
        }
    }

    /// Queues a keepalive `PING` for the client.
    func ping(_ id: ClientID) {
        _ = run { state in
            self.apply([.send(IRCMessage(source: self.serverName, "PING", self.serverName), to: id)], to: &state, registrationOf: id)
        }
    }

    /// Sends `ERROR` and closes the connection (timeouts, floods).
    func drop(_ id: ClientID, reason: String) {
        _ = run { state in self.apply([.close(id, reason: reason)], to: &state, registrationOf: id) }
    }

    /// The connection is gone; peers learn why.
    func disconnected(_ id: ClientID, reason: String, now: Timestamp) {
        _ = run { state in
            guard id.rawValue < state.outboxes.count else { return false }
            let why = state.outboxes[id.rawValue].closeReason ?? reason
            if state.outboxes[id.rawValue].channel != nil { state.openConnections -= 1 }
            state.outboxes[id.rawValue] = Outbox(sealed: true)
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
            self.markDirty(id.rawValue, in: &state)
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
            for index in state.outboxes.indices where state.outboxes[index].channel != nil && !state.outboxes[index].sealed {
                self.append(IRCMessage("ERROR", "Server shutting down"), tagClass: .none, to: index, in: &state)
                state.outboxes[index].closeReason = "Server shutting down"
                self.markDirty(index, in: &state)
            }
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
            var toSchedule: [Int] = []
            for loop in state.dirty.indices
            where (!state.dirty[loop].isEmpty || !state.linkDirty[loop].isEmpty) && !state.flushScheduled[loop] {
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

    @discardableResult
    func apply(_ actions: [ServerAction], to state: inout State, registrationOf id: ClientID? = nil) -> Bool {
        var registered = false
        for action in actions {
            switch action {
            case .send(let message, let target):
                guard target.rawValue < state.outboxes.count else { continue }
                append(message, tagClass: state.outboxes[target.rawValue].tagClass, to: target.rawValue, in: &state)
            case .deliver(let message, let recipients, let except):
                // Encoded once per tag class into that class's log, when the first recipient of
                // the class shows up; recipients queue a span of the log. Plain locals rather
                // than an array, so the loop does not retain anything per recipient.
                var plain: Range<Int>?
                var timeOnly: Range<Int>?
                var all: Range<Int>?
                for recipient in recipients where recipient != except {
                    let index = recipient.rawValue
                    guard index < state.outboxes.count,
                          let tagClass = state.outboxes[index].acceptingTagClass() else { continue }
                    switch tagClass {
                    case .none:
                        if plain == nil { plain = log(message, tagClass: .none, in: &state) }
                        appendLogged(plain!, of: .none, to: index, in: &state)
                    case .timeOnly:
                        if timeOnly == nil { timeOnly = log(message, tagClass: .timeOnly, in: &state) }
                        appendLogged(timeOnly!, of: .timeOnly, to: index, in: &state)
                    case .all:
                        if all == nil { all = log(message, tagClass: .all, in: &state) }
                        appendLogged(all!, of: .all, to: index, in: &state)
                    }
                }
            case .close(let target, let reason):
                let index = target.rawValue
                guard index < state.outboxes.count, !state.outboxes[index].sealed else { continue }
                let host = state.server.client(target)?.host ?? "unknown"
                append(.closingLink(host: host, reason: reason), tagClass: .none, to: index, in: &state)
                if state.outboxes[index].closeReason == nil { state.outboxes[index].closeReason = reason }
                markDirty(index, in: &state)
            case .registered(let target):
                if target == id { registered = true }
            case .propagate(let event):
                originate(event, in: &state)
            }
        }
        return registered
    }

    static func encode(_ message: IRCMessage, tagClass: TagClass) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(128)
        serialize(message, tagClass: tagClass, into: &buffer)
        return buffer
    }

    /// Writes `message` as a client of `tagClass` gets it.
    static func serialize(_ message: IRCMessage, tagClass: TagClass, into buffer: inout ByteBuffer) {
        switch tagClass {
        case .all:
            message.serialize(into: &buffer, includeTags: true)
        case .timeOnly:
            var timeOnly = message
            timeOnly.tags = message.tags.filter { $0.key == "time" }
            timeOnly.serialize(into: &buffer, includeTags: true)
        case .none:
            message.serialize(into: &buffer, includeTags: false)
        }
    }

    /// Writes a broadcast into the log of its tag class (starting the log over first if it is full).
    private func log(_ message: IRCMessage, tagClass: TagClass, in state: inout State) -> Range<Int> {
        if state.logs[tagClass.rawValue].isFull {
            for index in state.logs[tagClass.rawValue].holders where index < state.outboxes.count {
                if state.outboxes[index].range?.log == tagClass { copyOutRange(of: index, in: &state) }
            }
            state.logs[tagClass.rawValue].restart()
        }
        return state.logs[tagClass.rawValue].append(message, tagClass: tagClass)
    }

    /// Queues `span` of the `tagClass` log for outbox `index` (which the caller found accepting
    /// bytes): grows its range when the span follows it directly, else copies the old range out
    /// and starts a new one.
    private func appendLogged(_ span: Range<Int>, of tagClass: TagClass, to index: Int, in state: inout State) {
        let generation = state.logs[tagClass.rawValue].generation
        if !state.outboxes[index].extendRange(log: tagClass, generation: generation, span: span) {
            copyOutRange(of: index, in: &state)
            state.outboxes[index].range = state.logs[tagClass.rawValue].startRange(span, tagClass: tagClass, holder: index)
        }
        if state.outboxes[index].queuedBytes > sendQueueLimit {
            dropQueue(of: index, in: &state)
        }
        markDirty(index, in: &state)
    }

    /// Moves the outbox's log range into its own buffer, after what it queued before.
    private func copyOutRange(of index: Int, in state: inout State) {
        guard let range = state.outboxes[index].range else { return }
        state.outboxes[index].range = nil
        // A log restart copies out every range of its generation first, so `range` is current
        // (`copy` checks it: a stale range would be a bug, and must not silently lose bytes).
        state.outboxes[index].ownBuffer(capacity: state.outboxes[index].queuedBytes + range.count)
        state.logs[range.log.rawValue].copy(range, into: &state.outboxes[index].buffer!)
    }

    /// Everything the outbox queued, its log range included, as one buffer to write.
    private func takeQueued(of index: Int, in state: inout State) -> ByteBuffer? {
        copyOutRange(of: index, in: &state)
        return state.outboxes[index].take()
    }

    /// A client that does not read is cut off; nobody else waits for it.
    private func dropQueue(of index: Int, in state: inout State) {
        state.outboxes[index].buffer = nil
        state.outboxes[index].range = nil
        state.outboxes[index].ownsBuffer = false
        state.outboxes[index].closeReason = "SendQ exceeded"
    }

    private func append(_ message: IRCMessage, tagClass: TagClass, to index: Int, in state: inout State) {
        guard index < state.outboxes.count, !state.outboxes[index].sealed, state.outboxes[index].channel != nil else { return }
        appendBytes(Self.encode(message, tagClass: tagClass), to: index, in: &state)
    }

    private func appendBytes(_ bytes: ByteBuffer, to index: Int, in state: inout State) {
        guard state.outboxes[index].closeReason == nil else { return }
        copyOutRange(of: index, in: &state)
        if !state.outboxes[index].append(bytes, limit: sendQueueLimit) {
            dropQueue(of: index, in: &state)
        }
        markDirty(index, in: &state)
    }

    private func markDirty(_ index: Int, in state: inout State) {
        guard index < state.outboxes.count, state.outboxes[index].channel != nil, !state.outboxes[index].dirty else { return }
        state.outboxes[index].dirty = true
        state.dirty[state.outboxes[index].loop].append(index)
    }

    /// Runs on `loops[loop]`: writes up to `flushSlice` dirty outboxes of that loop, the ones
    /// dirty longest first, with one write each. If more are waiting it runs again after the
    /// loop's next look at its sockets: a task scheduled a few microseconds ahead is not due
    /// when the loop finishes this one, so the loop polls (and reads) first.
    private func flush(loop: Int) {
        let (work, linkWork, more) = state.withLockedValue { state -> ([(Channel, ByteBuffer?, Bool)], [(Channel, ByteBuffer)], Bool) in
            let linkWork = takeLinkWork(loop: loop, in: &state)
            var work: [(Channel, ByteBuffer?, Bool)] = []
            work.reserveCapacity(min(state.dirty[loop].count, flushSlice))
            var taken = 0
            while taken < flushSlice, let index = state.dirty[loop].popFirst() {
                taken += 1
                state.outboxes[index].dirty = false
                guard let channel = state.outboxes[index].channel, !state.outboxes[index].sealed else { continue }
                if state.outboxes[index].closeReason != nil {
                    state.outboxes[index].sealed = true
                    work.append((channel, takeQueued(of: index, in: &state), true))
                } else if channel.isWritable, let buffer = takeQueued(of: index, in: &state) {
                    work.append((channel, buffer, false))
                }
            }
            let more = !state.dirty[loop].isEmpty
            // Still scheduled while more are waiting: this call schedules the next slice itself.
            state.flushScheduled[loop] = more
            return (work, linkWork, more)
        }
        for (channel, buffer) in linkWork {
            channel.writeAndFlush(buffer, promise: nil)
        }
        for (channel, buffer, close) in work {
            if close {
                if let buffer {
                    channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
                } else {
                    channel.close(promise: nil)
                }
            } else if let buffer {
                channel.writeAndFlush(buffer, promise: nil)
            }
        }
        if more {
            // Scheduled after the writes, so that it is not yet due when this task returns.
            loops[loop].scheduleTask(in: .microseconds(20)) { self.flush(loop: loop) }
        }
    }
}
