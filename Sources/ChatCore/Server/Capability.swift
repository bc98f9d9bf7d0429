/// The IRCv3 capabilities the server offers, as a compact bit set stored per client.
public struct CapabilitySet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let messageTags = CapabilitySet(rawValue: 1 << 0)
    public static let serverTime = CapabilitySet(rawValue: 1 << 1)
    public static let echoMessage = CapabilitySet(rawValue: 1 << 2)
    public static let batch = CapabilitySet(rawValue: 1 << 3)
    public static let labeledResponse = CapabilitySet(rawValue: 1 << 4)
    public static let multiPrefix = CapabilitySet(rawValue: 1 << 5)
    public static let userhostInNames = CapabilitySet(rawValue: 1 << 6)
    public static let chathistory = CapabilitySet(rawValue: 1 << 7)
    public static let eventPlayback = CapabilitySet(rawValue: 1 << 8)
    public static let search = CapabilitySet(rawValue: 1 << 9)
    public static let readMarker = CapabilitySet(rawValue: 1 << 10)
    public static let sasl = CapabilitySet(rawValue: 1 << 11)
    public static let accountTag = CapabilitySet(rawValue: 1 << 12)
    public static let accountNotify = CapabilitySet(rawValue: 1 << 13)
    public static let extendedJoin = CapabilitySet(rawValue: 1 << 14)
    public static let capNotify = CapabilitySet(rawValue: 1 << 15)
    public static let awayNotify = CapabilitySet(rawValue: 1 << 16)
    public static let chghost = CapabilitySet(rawValue: 1 << 17)
    public static let setname = CapabilitySet(rawValue: 1 << 18)
    public static let inviteNotify = CapabilitySet(rawValue: 1 << 19)
    public static let extendedMonitor = CapabilitySet(rawValue: 1 << 20)
    public static let noImplicitNames = CapabilitySet(rawValue: 1 << 21)
    public static let multiline = CapabilitySet(rawValue: 1 << 22)
    public static let messageRedaction = CapabilitySet(rawValue: 1 << 23)

    /// Offered only by a server that keeps accounts.
    public static let accounts: CapabilitySet = [.sasl, .accountTag, .accountNotify, .extendedJoin]

    /// Offered only by a server that keeps history.
    public static let history: CapabilitySet = [.chathistory, .eventPlayback, .search, .readMarker]

    /// Offered capabilities with their `CAP LS` names, in the order they are listed.
    public static let offered: [(name: String, capability: CapabilitySet)] = [
        ("account-notify", .accountNotify),
        ("account-tag", .accountTag),
        ("away-notify", .awayNotify),
        ("batch", .batch),
        ("cap-notify", .capNotify),
        ("chghost", .chghost),
        ("draft/chathistory", .chathistory),
        ("draft/event-playback", .eventPlayback),
        ("draft/message-redaction", .messageRedaction),
        ("draft/multiline", .multiline),
        ("draft/no-implicit-names", .noImplicitNames),
        ("draft/read-marker", .readMarker),
        ("echo-message", .echoMessage),
        ("extended-join", .extendedJoin),
        ("extended-monitor", .extendedMonitor),
        ("invite-notify", .inviteNotify),
        ("labeled-response", .labeledResponse),
        ("message-tags", .messageTags),
        ("multi-prefix", .multiPrefix),
        ("sasl", .sasl),
        ("server-time", .serverTime),
        ("setname", .setname),
        ("soju.im/search", .search),
        ("userhost-in-names", .userhostInNames),
    ]

    public static func named(_ name: String) -> CapabilitySet? {
        offered.first(where: { $0.name == name })?.capability
    }

    public var names: [String] {
        Self.offered.filter { contains($0.capability) }.map(\.name)
    }

    /// Which tags a client may be sent: every tag, the server's tags, only `time`, or none.
    public var tagClass: TagClass {
        if contains(.messageTags) { return .all }
        // `account-tag`, `batch` and `labeled-response` clients get the server's tags (`account`,
        // `batch`, `label` travel with them), but client-only `+tags` need `message-tags`.
        if !isDisjoint(with: [.labeledResponse, .batch, .accountTag]) { return .serverTags }
        if contains(.serverTime) { return .timeOnly }
        return .none
    }
}

/// How much of a message's tags one recipient receives. A broadcast is encoded at most once per class.
public enum TagClass: Int, Sendable, Hashable, CaseIterable {
    case none = 0
    case timeOnly = 1
    case serverTags = 2
    case all = 3
}
