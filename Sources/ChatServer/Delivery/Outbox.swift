import ChatCore
import NIOCore

/// What waits to be written to one client connection: its own bytes (replies) and a span of a
/// ``BroadcastLog`` (broadcasts), the SendQ state and whether it is closing.
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
