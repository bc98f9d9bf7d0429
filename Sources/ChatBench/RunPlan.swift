import NIOCore

/// The measurement schedule and roles, handed to every joined connection when sending starts.
final class RunPlan: Sendable {
    /// Monotonic nanoseconds: sending starts at `start`, messages sent at or after `warmupEnd`
    /// and before `end` are measured, nothing is sent at or after `end`.
    let start: UInt64
    let warmupEnd: UInt64
    let end: UInt64
    let mode: BenchMode
    let rate: Double
    let window: Int
    let messageSize: Int
    let senderCount: Int
    let channelNames: [String]
    /// Per channel: joined members minus the sender, i.e. deliveries owed for one message.
    let deliveriesPerMessage: [Int]
    /// Joined sender connections by sender id (nil if that sender failed to join).
    let senders: [NIOLoopBound<BenchClientHandler>?]
    /// Per sender id: the client indices of the connections whose receipt acknowledges a message
    /// in closed-loop mode, one per server port (`--ports`) that has a member in the sender's
    /// channel; a message counts as acknowledged once all of them saw it. Empty if none.
    let observersOfSender: [[Int]]

    init(
        start: UInt64, warmupEnd: UInt64, end: UInt64, mode: BenchMode, rate: Double, window: Int,
        messageSize: Int, senderCount: Int, channelNames: [String], deliveriesPerMessage: [Int],
        senders: [NIOLoopBound<BenchClientHandler>?], observersOfSender: [[Int]]
    ) {
        self.start = start
        self.warmupEnd = warmupEnd
        self.end = end
        self.mode = mode
        self.rate = rate
        self.window = window
        self.messageSize = messageSize
        self.senderCount = senderCount
        self.channelNames = channelNames
        self.deliveriesPerMessage = deliveriesPerMessage
        self.senders = senders
        self.observersOfSender = observersOfSender
    }
}
