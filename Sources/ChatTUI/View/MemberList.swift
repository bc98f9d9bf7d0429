/// One member of a channel with the mode prefixes it holds.
struct Member: Hashable, Sendable {
    /// The nick without prefixes.
    var nick: String
    /// Mode prefixes held, highest first (e.g. `"@+"`); empty for none.
    var prefixes: String

    /// The highest prefix, shown before the nick.
    var highestPrefix: Character? { prefixes.first }

    /// Sort rank: owner, admin, op, half-op, voice, then everyone else.
    var rank: Int {
        guard let prefix = highestPrefix,
              let index = MemberList.prefixOrder.firstIndex(of: prefix) else {
            return MemberList.prefixOrder.count
        }
        return index
    }

    /// Whether the member is an operator (or higher).
    var isOperator: Bool { rank <= 2 }

    /// Whether the member has voice (and no higher prefix).
    var isVoiced: Bool { highestPrefix == "+" }
}

/// The members of a channel, kept sorted: ops (`~ & @`), half-ops (`%`),
/// voiced (`+`), then everyone else; case-insensitively by nick within a group.
struct MemberList: Equatable, Sendable {
    /// Recognised nick prefixes, highest first.
    static let prefixOrder: [Character] = ["~", "&", "@", "%", "+"]

    /// The members in display order.
    private(set) var members: [Member] = []

    init() {}

    /// Creates a list from NAMES entries such as `"@alice"`, `"+bob"`, `"@+carol"`.
    init(names: [String]) {
        set(names)
    }

    /// Number of members.
    var count: Int { members.count }

    /// Whether the list is empty.
    var isEmpty: Bool { members.isEmpty }

    /// Splits leading mode prefixes off a NAMES entry: `"@+alice"` → (`"@+"`, `"alice"`).
    static func stripPrefixes(_ name: String) -> (prefixes: String, nick: String) {
        var index = name.startIndex
        while index < name.endIndex, prefixOrder.contains(name[index]) {
            index = name.index(after: index)
        }
        return (String(name[..<index]), String(name[index...]))
    }

    /// Replaces the whole list (e.g. from a complete NAMES reply).
    mutating func set(_ names: [String]) {
        var byNick: [String: Member] = [:]
        for name in names {
            let member = Self.member(from: name)
            guard !member.nick.isEmpty else { continue }
            byNick[Self.key(member.nick)] = member
        }
        members = byNick.values.sorted(by: Self.areInIncreasingOrder)
    }

    /// Adds a member from a NAMES-style entry (prefixes allowed); an existing
    /// member with the same nick is replaced.
    mutating func add(_ name: String) {
        let member = Self.member(from: name)
        guard !member.nick.isEmpty else { return }
        remove(member.nick)
        insertSorted(member)
    }

    /// Removes a member (prefixes in `nick` are ignored). Returns whether it was present.
    @discardableResult
    mutating func remove(_ nick: String) -> Bool {
        guard let index = index(of: Self.stripPrefixes(nick).nick) else { return false }
        members.remove(at: index)
        return true
    }

    /// Renames a member, keeping its prefixes. Returns whether it was present.
    @discardableResult
    mutating func rename(_ oldNick: String, to newNick: String) -> Bool {
        guard let index = index(of: oldNick) else { return false }
        var member = members.remove(at: index)
        member.nick = newNick
        if let existing = self.index(of: newNick) {
            members.remove(at: existing)
        }
        insertSorted(member)
        return true
    }

    /// Grants or removes a prefix (e.g. `@` for +o, `+` for +v).
    mutating func setPrefix(_ prefix: Character, enabled: Bool, for nick: String) {
        guard let index = index(of: nick) else { return }
        var member = members.remove(at: index)
        var held = Set(member.prefixes)
        if enabled { held.insert(prefix) } else { held.remove(prefix) }
        member.prefixes = String(Self.prefixOrder.filter { held.contains($0) })
        insertSorted(member)
    }

    /// Whether `nick` is a member (case-insensitive).
    func contains(_ nick: String) -> Bool {
        index(of: nick) != nil
    }

    /// The member named `nick` (case-insensitive).
    func member(named nick: String) -> Member? {
        index(of: nick).map { members[$0] }
    }

    // MARK: - Private

    static func key(_ nick: String) -> String {
        nick.lowercased()
    }

    private static func member(from name: String) -> Member {
        let (prefixes, nick) = stripPrefixes(name)
        let held = Set(prefixes)
        return Member(nick: nick, prefixes: String(prefixOrder.filter { held.contains($0) }))
    }

    private static func areInIncreasingOrder(_ lhs: Member, _ rhs: Member) -> Bool {
        let (lr, rr) = (lhs.rank, rhs.rank)
        if lr != rr { return lr < rr }
        let (lk, rk) = (key(lhs.nick), key(rhs.nick))
        if lk != rk { return lk < rk }
        return lhs.nick < rhs.nick
    }

    private func index(of nick: String) -> Int? {
        let wanted = Self.key(nick)
        return members.firstIndex { Self.key($0.nick) == wanted }
    }

    private mutating func insertSorted(_ member: Member) {
        var low = 0
        var high = members.count
        while low < high {
            let mid = (low + high) / 2
            if Self.areInIncreasingOrder(members[mid], member) {
                low = mid + 1
            } else {
                high = mid
            }
        }
        members.insert(member, at: low)
    }
}
