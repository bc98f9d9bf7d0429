import ChatCore
import NIOCore

/// Every client connection's ``Outbox`` and the ``BroadcastLog``s, kept under the hub's lock:
/// queueing bytes for clients (a broadcast is encoded once per tag class), the SendQ limit, and
/// the outboxes of each event loop that wait to be written, in the order they became dirty.
struct Deliveries {
    var outboxes = ChunkedArray<Outbox>()
    /// One log of broadcast encodings per tag class, indexed by its raw value.
    private var logs = [BroadcastLog](repeating: BroadcastLog(), count: TagClass.allCases.count)
    /// Per event loop, the dirty connections in the order they became dirty.
    private var dirty: [CircularBuffer<Int>]
    private let sendQueueLimit: Int
    /// Outboxes dropped for their SendQ, for the hub to announce.
    private var dropped: [Int] = []

    init(loops: Int, sendQueueLimit: Int) {
        self.dirty = Array(repeating: CircularBuffer(), count: loops)
        self.sendQueueLimit = sendQueueLimit
    }

    // MARK: Connections

    /// A new connection's outbox.
    mutating func open(_ index: Int, channel: Channel, loop: Int) {
        while outboxes.count <= index { outboxes.append(Outbox()) }
        outboxes[index] = Outbox(channel: channel, loop: loop)
    }

    /// The connection closed: its outbox takes no more bytes. Returns whether it had a channel and
    /// why it was being closed, if it was; nil for a connection that never had an outbox.
    mutating func seal(_ index: Int) -> (hadChannel: Bool, closeReason: String?)? {
        guard index < outboxes.count else { return nil }
        let result = (outboxes[index].channel != nil, outboxes[index].closeReason)
        outboxes[index] = Outbox(sealed: true)
        return result
    }

    /// Copies the client's tag class into its outbox (after each of its own lines: only its own
    /// `CAP REQ` changes it).
    mutating func setTagClass(_ tagClass: TagClass, of index: Int) {
        if index < outboxes.count { outboxes[index].tagClass = tagClass }
    }

    func isOpen(_ index: Int) -> Bool {
        index < outboxes.count && !outboxes[index].sealed
    }

    // MARK: Queueing

    /// One message to one client, encoded for its tag class.
    mutating func send(_ message: IRCMessage, to index: Int) {
        guard index < outboxes.count else { return }
        append(message, tagClass: outboxes[index].tagClass, to: index)
    }

    /// One message to many clients: encoded once per tag class into that class's log, when the
    /// first recipient of the class shows up; recipients queue a span of the log. Plain locals
    /// rather than an array, so the loop does not retain anything per recipient.
    mutating func broadcast(_ message: IRCMessage, to recipients: [ClientID], except: ClientID?) {
        var plain: Range<Int>?
        var timeOnly: Range<Int>?
        var serverTags: Range<Int>?
        var all: Range<Int>?
        for recipient in recipients where recipient != except {
            let index = recipient.rawValue
            guard index < outboxes.count, let tagClass = outboxes[index].acceptingTagClass() else { continue }
            switch tagClass {
            case .none:
                if plain == nil { plain = log(message, tagClass: .none) }
                appendLogged(plain!, of: .none, to: index)
            case .timeOnly:
                if timeOnly == nil { timeOnly = log(message, tagClass: .timeOnly) }
                appendLogged(timeOnly!, of: .timeOnly, to: index)
            case .serverTags:
                if serverTags == nil { serverTags = log(message, tagClass: .serverTags) }
                appendLogged(serverTags!, of: .serverTags, to: index)
            case .all:
                if all == nil { all = log(message, tagClass: .all) }
                appendLogged(all!, of: .all, to: index)
            }
        }
    }

    /// Queues `line` (an `ERROR`) and closes the connection once its outbox is written.
    mutating func close(_ index: Int, with line: IRCMessage, reason: String) {
        guard index < outboxes.count, !outboxes[index].sealed else { return }
        append(line, tagClass: .none, to: index)
        if outboxes[index].closeReason == nil { outboxes[index].closeReason = reason }
        markDirty(index)
    }

    /// Every open connection gets `line` and is closed after it (shutdown).
    mutating func closeAll(with line: IRCMessage, reason: String) {
        for index in outboxes.indices where outboxes[index].channel != nil && !outboxes[index].sealed {
            append(line, tagClass: .none, to: index)
            outboxes[index].closeReason = reason
            markDirty(index)
        }
    }

    mutating func markDirty(_ index: Int) {
        guard index < outboxes.count, outboxes[index].channel != nil, !outboxes[index].dirty else { return }
        outboxes[index].dirty = true
        dirty[outboxes[index].loop].append(index)
    }

    func hasDirty(loop: Int) -> Bool { !dirty[loop].isEmpty }

    // MARK: Writing

    /// What one flush slice writes: up to `limit` dirty outboxes of `loop`, the ones dirty longest
    /// first, each as one buffer (nil for nothing) and, for a connection to close after it, the grace
    /// its last bytes get.
    /// `more` tells whether dirty outboxes are still waiting.
    mutating func takeSlice(loop: Int, limit: Int) -> (work: [(Channel, ByteBuffer?, TimeAmount?)], more: Bool) {
        var work: [(Channel, ByteBuffer?, TimeAmount?)] = []
        work.reserveCapacity(min(dirty[loop].count, limit))
        var taken = 0
        while taken < limit, let index = dirty[loop].popFirst() {
            taken += 1
            outboxes[index].dirty = false
            guard let channel = outboxes[index].channel, !outboxes[index].sealed else { continue }
            if let reason = outboxes[index].closeReason {
                outboxes[index].sealed = true
                work.append((channel, takeQueued(of: index), Self.closeGrace(reason: reason)))
            } else if channel.isWritable, let buffer = takeQueued(of: index) {
                work.append((channel, buffer, nil))
            }
        }
        return (work, !dirty[loop].isEmpty)
    }

    // MARK: Encoding

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
        case .serverTags:
            if message.tags.contains(where: { $0.key.hasPrefix("+") }) {
                var serverOnly = message
                serverOnly.tags = message.tags.filter { !$0.key.hasPrefix("+") }
                serverOnly.serialize(into: &buffer, includeTags: true)
            } else {
                message.serialize(into: &buffer, includeTags: true)
            }
        case .none:
            message.serialize(into: &buffer, includeTags: false)
        }
    }

    // MARK: Internals

    /// Writes a broadcast into the log of its tag class (starting the log over first if it is full).
    private mutating func log(_ message: IRCMessage, tagClass: TagClass) -> Range<Int> {
        if logs[tagClass.rawValue].isFull {
            for index in logs[tagClass.rawValue].holders where index < outboxes.count {
                if outboxes[index].range?.log == tagClass { copyOutRange(of: index) }
            }
            logs[tagClass.rawValue].restart()
        }
        return logs[tagClass.rawValue].append(message, tagClass: tagClass)
    }

    /// Queues `span` of the `tagClass` log for outbox `index` (which the caller found accepting
    /// bytes): grows its range when the span follows it directly, else copies the old range out
    /// and starts a new one.
    private mutating func appendLogged(_ span: Range<Int>, of tagClass: TagClass, to index: Int) {
        let generation = logs[tagClass.rawValue].generation
        if !outboxes[index].extendRange(log: tagClass, generation: generation, span: span) {
            copyOutRange(of: index)
            outboxes[index].range = logs[tagClass.rawValue].startRange(span, tagClass: tagClass, holder: index)
        }
        if outboxes[index].queuedBytes > sendQueueLimit {
            dropQueue(of: index)
        }
        markDirty(index)
    }

    /// Moves the outbox's log range into its own buffer, after what it queued before.
    private mutating func copyOutRange(of index: Int) {
        guard let range = outboxes[index].range else { return }
        outboxes[index].range = nil
        // A log restart copies out every range of its generation first, so `range` is current
        // (`copy` checks it: a stale range would be a bug, and must not silently lose bytes).
        outboxes[index].ownBuffer(capacity: outboxes[index].queuedBytes + range.count)
        logs[range.log.rawValue].copy(range, into: &outboxes[index].buffer!)
    }

    /// Everything the outbox queued, its log range included, as one buffer to write.
    private mutating func takeQueued(of index: Int) -> ByteBuffer? {
        copyOutRange(of: index)
        return outboxes[index].take()
    }

    /// A client that does not read is cut off; nobody else waits for it. What it had not taken is
    /// dropped (never a part of a line), and all it gets is the `ERROR` saying why; the hub tells
    /// its peers at once (``takeDropped()``).
    private mutating func dropQueue(of index: Int) {
        outboxes[index].buffer = nil
        outboxes[index].range = nil
        outboxes[index].ownsBuffer = false
        outboxes[index].closeReason = Self.sendQueueExceeded
        dropped.append(index)
    }

    static let sendQueueExceeded = "SendQ exceeded"

    /// How long a closing connection's last bytes (its `ERROR`) may take before it is closed anyway.
    /// A client cut off for its SendQ gets longer (it may be slow rather than gone, and nobody waits
    /// for it: its peers saw it quit already); at shutdown and otherwise, 2 s.
    static func closeGrace(reason: String) -> TimeAmount {
        reason == sendQueueExceeded ? .seconds(10) : .seconds(2)
    }

    /// The last line a closing connection gets (its `ERROR`), after whatever it still had queued.
    mutating func sendFinal(_ line: IRCMessage, to index: Int) {
        guard index < outboxes.count, outboxes[index].channel != nil, !outboxes[index].sealed else { return }
        // Past the closing guard of `appendBytes`: this is the one line a closing outbox takes.
        copyOutRange(of: index)
        _ = outboxes[index].append(Self.encode(line, tagClass: .none), limit: .max)
        markDirty(index)
    }

    /// Connections cut off for their SendQ since the last call.
    mutating func takeDropped() -> [Int] {
        defer { dropped = [] }
        return dropped
    }

    private mutating func append(_ message: IRCMessage, tagClass: TagClass, to index: Int) {
        guard index < outboxes.count, !outboxes[index].sealed, outboxes[index].channel != nil else { return }
        appendBytes(Self.encode(message, tagClass: tagClass), to: index)
    }

    private mutating func appendBytes(_ bytes: ByteBuffer, to index: Int) {
        guard outboxes[index].closeReason == nil else { return }
        copyOutRange(of: index)
        if !outboxes[index].append(bytes, limit: sendQueueLimit) {
            dropQueue(of: index)
        }
        markDirty(index)
    }
}
