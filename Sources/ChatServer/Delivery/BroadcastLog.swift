import ChatCore
import NIOCore

/// The broadcasts of one tag class, each encoded once into one growing buffer that every
/// recipient's outbox points into.
///
/// A delivery to a member queues a ``LogRange`` instead of copying bytes: when the member's
/// newest queued bytes end exactly where the new event starts (consecutive lines of a busy
/// channel), the range just grows. The bytes are copied once per flush, not once per event.
/// The log is never handed out, so writing to it never copies its storage; when it is full it
/// starts over, after the outboxes still pointing into it have copied their bytes out.
struct BroadcastLog {
    /// Past this many bytes the log starts over before the next event is written.
    static let restartThreshold = 96 * 1024
    /// Or past this many holders: a quiet channel with many members writes few bytes but lists
    /// every member for each event, and the list must not grow without bound.
    static let holderLimit = 16 * 1024

    private(set) var bytes = ByteBuffer()
    /// Counts restarts, so that a range from before a restart is never read as current.
    private(set) var generation: UInt32 = 0
    /// Outboxes that started a range in this generation (an outbox may be listed twice, or have
    /// moved on since; only ranges that still match are copied out on restart).
    private(set) var holders: [Int] = []

    var isFull: Bool { bytes.writerIndex >= Self.restartThreshold || holders.count >= Self.holderLimit }

    /// Encodes `message` for `tagClass` at the end of the log and returns where it sits.
    mutating func append(_ message: IRCMessage, tagClass: TagClass) -> Range<Int> {
        if bytes.capacity == 0 { bytes.reserveCapacity(16 * 1024) }
        let start = bytes.writerIndex
        Deliveries.serialize(message, tagClass: tagClass, into: &bytes)
        return start..<bytes.writerIndex
    }

    /// A range over `span`, for an outbox that will be listed as holding it.
    mutating func startRange(_ span: Range<Int>, tagClass: TagClass, holder: Int) -> LogRange {
        holders.append(holder)
        return LogRange(log: tagClass, generation: generation, start: UInt32(span.lowerBound), end: UInt32(span.upperBound))
    }

    /// Copies the bytes of `range` (of this generation) to the end of `buffer`.
    func copy(_ range: LogRange, into buffer: inout ByteBuffer) {
        precondition(range.generation == generation, "a range outlived its log generation")
        bytes.withUnsafeReadableBytes { raw in
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[Int(range.start)..<Int(range.end)]))
        }
    }

    /// Empties the log for the next generation; the caller has copied out the holders' ranges.
    mutating func restart() {
        holders.removeAll(keepingCapacity: true)
        generation &+= 1
        bytes.clear()
    }
}

/// The newest bytes an outbox has queued, as a span of a ``BroadcastLog``.
struct LogRange: Hashable, Sendable {
    var log: TagClass
    var generation: UInt32
    var start: UInt32
    var end: UInt32

    var count: Int { Int(end - start) }
}
