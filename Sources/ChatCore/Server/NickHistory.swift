/// Who used which nick before (`WHOWAS`): the users that quit or changed nick, most recent first,
/// bounded so that a busy server keeps only the latest ``capacity`` entries.
public struct NickHistory: Sendable {
    public struct Entry: Sendable, Hashable {
        public var nick: String
        public var user: String
        public var host: String
        public var realName: String
        public var server: String
        /// When the nick was given up.
        public var time: Timestamp
    }

    public let capacity: Int
    /// Oldest first; trimmed from the front.
    private var entries: [Entry] = []

    public init(capacity: Int = 1024) {
        self.capacity = capacity
    }

    public var count: Int { entries.count }

    public mutating func remember(_ entry: Entry) {
        entries.append(entry)
        if entries.count > capacity {
            entries.removeFirst(entries.count - capacity)
        }
    }

    /// The entries for `nick` (or a mask with `*`/`?`), most recent first, at most `count` when it is positive.
    public func lookup(_ nick: String, count: Int) -> [Entry] {
        let mask = WildcardMask(nick)
        let folded = CaseMapping.fold(nick)
        var found: [Entry] = []
        for entry in entries.reversed() {
            let matches = mask.hasWildcards ? mask.matches(entry.nick) : CaseMapping.fold(entry.nick) == folded
            guard matches else { continue }
            found.append(entry)
            if count > 0, found.count == count { break }
        }
        return found
    }
}
