/// A channel's mask lists: bans (`+b`), ban exceptions (`+e`) and invite exceptions (`+I`).
///
/// Masks are kept as given after completion (`bar` → `bar!*@*`) and matched case-insensitively
/// against `nick!user@host`. A user is banned when a ban matches and no exception does; an invite
/// exception lets a matching user into an invite-only channel without an `INVITE`.
public struct ChannelMaskLists: Sendable, Hashable {
    public enum Kind: Character, Sendable, Hashable, CaseIterable {
        case ban = "b"
        case exception = "e"
        case inviteException = "I"

        /// The list numeric and its end: 367/368, 348/349, 346/347.
        public var numerics: (entry: String, end: String, endText: String) {
            switch self {
            case .ban: (Numeric.banList, Numeric.endOfBanList, "End of channel ban list")
            case .exception: (Numeric.exceptList, Numeric.endOfExceptList, "End of channel exception list")
            case .inviteException: (Numeric.inviteList, Numeric.endOfInviteList, "End of channel invite list")
            }
        }
    }

    public struct Entry: Sendable, Hashable {
        public var mask: String
        /// Who set it (`nick!user@host`) and when.
        public var setter: String
        public var time: Timestamp

        public init(mask: String, setter: String, time: Timestamp) {
            self.mask = mask
            self.setter = setter
            self.time = time
        }
    }

    /// The most entries each list may hold (ISUPPORT `MAXLIST=beI:100`).
    public static let capacity = 100

    public private(set) var bans: [Entry] = []
    public private(set) var exceptions: [Entry] = []
    public private(set) var inviteExceptions: [Entry] = []

    public init() {}

    public var isEmpty: Bool { bans.isEmpty && exceptions.isEmpty && inviteExceptions.isEmpty }

    public subscript(kind: Kind) -> [Entry] {
        get {
            switch kind {
            case .ban: bans
            case .exception: exceptions
            case .inviteException: inviteExceptions
            }
        }
        set {
            switch kind {
            case .ban: bans = newValue
            case .exception: exceptions = newValue
            case .inviteException: inviteExceptions = newValue
            }
        }
    }

    /// What adding a mask did.
    public enum AddResult: Equatable, Sendable {
        case added(String)
        case alreadyListed
        case full
    }

    /// Adds `mask` (completed to `nick!user@host` form) unless an equal one is listed.
    public mutating func add(_ kind: Kind, mask: String, setter: String, time: Timestamp) -> AddResult {
        let completed = WildcardMask.normalizedBanMask(mask)
        let folded = CaseMapping.fold(completed)
        if self[kind].contains(where: { CaseMapping.fold($0.mask) == folded }) { return .alreadyListed }
        if self[kind].count >= Self.capacity { return .full }
        self[kind].append(Entry(mask: completed, setter: setter, time: time))
        return .added(completed)
    }

    /// Removes `mask` (completed like ``add``); returns the mask as it was listed.
    public mutating func remove(_ kind: Kind, mask: String) -> String? {
        let folded = CaseMapping.fold(WildcardMask.normalizedBanMask(mask))
        guard let index = self[kind].firstIndex(where: { CaseMapping.fold($0.mask) == folded }) else { return nil }
        return self[kind].remove(at: index).mask
    }

    /// Whether `prefix` (`nick!user@host`) is banned: a ban matches and no exception does.
    public func isBanned(_ prefix: String) -> Bool {
        guard !bans.isEmpty else { return false }
        return bans.contains { WildcardMask($0.mask).matches(prefix) }
            && !exceptions.contains { WildcardMask($0.mask).matches(prefix) }
    }

    /// Whether `prefix` may join an invite-only channel uninvited.
    public func isInviteExempt(_ prefix: String) -> Bool {
        inviteExceptions.contains { WildcardMask($0.mask).matches(prefix) }
    }

    // MARK: Keeping

    /// One line per entry, `<letter> <mask> <setter> <ms>`, for the history store.
    public var encoded: String {
        Kind.allCases.flatMap { kind in
            self[kind].map { "\(kind.rawValue) \($0.mask) \($0.setter) \($0.time.millisecondsSinceEpoch)" }
        }.joined(separator: "\n")
    }

    public init(encoded: String) {
        for line in encoded.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 4, let letter = parts[0].first, let kind = Kind(rawValue: letter),
                  let milliseconds = Int64(parts[3]) else { continue }
            _ = add(kind, mask: String(parts[1]), setter: String(parts[2]),
                    time: Timestamp(millisecondsSinceEpoch: milliseconds))
        }
    }
}
