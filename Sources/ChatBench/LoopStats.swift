/// Counters and the latency histogram of all connections on one event loop.
///
/// Only ever touched on its own event loop (reached through `NIOLoopBound`), so recording
/// needs no locks or atomics; the command merges one ``Snapshot`` per loop at the end.
@dynamicMemberLookup
final class LoopStats {
    /// The live counters; `stats.messagesSent += 1` reaches them through dynamic member lookup.
    private var counters = Snapshot()
    var histogram = LatencyHistogram()

    subscript<Value>(dynamicMember keyPath: WritableKeyPath<Snapshot, Value>) -> Value {
        get { counters[keyPath: keyPath] }
        set { counters[keyPath: keyPath] = newValue }
    }

    struct Snapshot: Sendable {
        var histogram: LatencyHistogram?
        var messagesSent: UInt64 = 0
        var messagesSentMeasured: UInt64 = 0
        var deliveriesExpected: UInt64 = 0
        var deliveriesReceived: UInt64 = 0
        var deliveriesReceivedMeasured: UInt64 = 0
        var duplicatesOrReordered: UInt64 = 0
        var sequenceGaps: UInt64 = 0
        var errorLines: UInt64 = 0
        var kicks: UInt64 = 0
        var errorNumerics: UInt64 = 0
        var unexpectedDisconnects: UInt64 = 0
        var nickRetries: UInt64 = 0
        var firstErrorText: String?
        var lastMeasuredReceiveAt: UInt64 = 0

        mutating func merge(_ other: Snapshot) {
            if let h = other.histogram {
                if histogram == nil { histogram = h } else { histogram!.merge(h) }
            }
            messagesSent += other.messagesSent
            messagesSentMeasured += other.messagesSentMeasured
            deliveriesExpected += other.deliveriesExpected
            deliveriesReceived += other.deliveriesReceived
            deliveriesReceivedMeasured += other.deliveriesReceivedMeasured
            duplicatesOrReordered += other.duplicatesOrReordered
            sequenceGaps += other.sequenceGaps
            errorLines += other.errorLines
            kicks += other.kicks
            errorNumerics += other.errorNumerics
            unexpectedDisconnects += other.unexpectedDisconnects
            nickRetries += other.nickRetries
            firstErrorText = firstErrorText ?? other.firstErrorText
            lastMeasuredReceiveAt = max(lastMeasuredReceiveAt, other.lastMeasuredReceiveAt)
        }
    }

    func snapshot(includeHistogram: Bool) -> Snapshot {
        var snapshot = counters
        snapshot.histogram = includeHistogram ? histogram : nil
        return snapshot
    }
}
