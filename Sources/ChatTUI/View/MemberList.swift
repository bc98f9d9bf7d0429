import ChatCore

/// One member of a channel with the mode prefixes it holds.
struct Member: Hashable, Sendable {
    /// The nick without prefixes.
    var nick: String
    /// Mode prefixes held, highest first (e.g. `"@+"`); empty for none.
    var prefixes: String
    /// Marked away: drawn greyed.
    var isAway = false

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

/// The members of a channel as the client's roster has them (``ClientEvent/members(channel:members:)``):
/// ranked by the server's `PREFIX`, then by nick under its case mapping. The roster is the one source
/// of truth; this list only shows it.
struct MemberList: Equatable, Sendable {
    /// Nick prefixes this list recognises in completion input, highest first.
    static let prefixOrder: [Character] = ["~", "&", "@", "%", "+"]

    /// The members in display order.
    private(set) var members: [Member] = []

    init() {}

    /// A list in the given order, from NAMES-style entries such as `"@alice"`, `"+bob"` (tests).
    init(names: [String]) {
        members = names.map { name in
            let (prefixes, nick) = Self.stripPrefixes(name)
            return Member(nick: nick, prefixes: prefixes)
        }
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

    /// Shows the roster's members, in its order.
    mutating func set(_ roster: [ChannelMember]) {
        members = roster.map { Member(nick: $0.nick, prefixes: $0.prefixes, isAway: $0.isAway) }
    }
}
