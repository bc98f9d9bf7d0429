/// The latest messages' ids with who sent them and where, so that `REDACT` can check who may take
/// a message back without asking the disk. Bounded: the oldest are forgotten first.
public struct RecentMessages: Sendable {
    public struct Sent: Sendable, Hashable {
        /// The author's network-wide user id.
        public var uid: String
        /// ``HistoryConversation``'s key.
        public var conversation: String
    }

    public let capacity: Int
    private var byID: [String: Sent] = [:]
    /// Ids in the order they were sent (a ring: `next` is the oldest once full).
    private var order: [String] = []
    private var next = 0

    public init(capacity: Int = 20_000) {
        self.capacity = capacity
    }

    public var count: Int { byID.count }

    public mutating func remember(_ msgid: String, _ sent: Sent) {
        if order.count < capacity {
            order.append(msgid)
        } else {
            byID[order[next]] = nil
            order[next] = msgid
            next = (next + 1) % capacity
        }
        byID[msgid] = sent
    }

    public func sent(_ msgid: String) -> Sent? {
        byID[msgid]
    }

    /// Forgets a redacted message (its slot in the ring stays until it comes round).
    public mutating func forget(_ msgid: String) {
        byID[msgid] = nil
    }
}
