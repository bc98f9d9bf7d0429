/// One channel's state: members with their prefixes, topic and modes.
public struct ChannelState: Sendable {
    public struct MemberModes: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let op = MemberModes(rawValue: 1 << 0)
        public static let voice = MemberModes(rawValue: 1 << 1)

        /// All prefixes, highest first (`multi-prefix`), or only the highest.
        public func prefixes(all: Bool) -> String {
            var result = ""
            if contains(.op) { result += "@" }
            if contains(.voice), all || !contains(.op) { result += "+" }
            return result
        }
    }

    public struct Modes: Sendable, Hashable {
        public var inviteOnly = false
        public var moderated = false
        public var noExternalMessages = true
        public var secret = false
        public var topicLocked = true
        public var key: String?
        public var limit: Int?
        /// Bans, ban exceptions and invite exceptions.
        public var lists = ChannelMaskLists()

        /// The `+ntk` mode string and its parameters, as in `324`.
        public func modeString(showKey: Bool) -> [String] {
            var flags = "+"
            var parameters: [String] = []
            if inviteOnly { flags += "i" }
            if key != nil {
                flags += "k"
                parameters.append(showKey ? key! : "*")
            }
            if limit != nil {
                flags += "l"
                parameters.append(String(limit!))
            }
            if moderated { flags += "m" }
            if noExternalMessages { flags += "n" }
            if secret { flags += "s" }
            if topicLocked { flags += "t" }
            return [flags] + parameters
        }
    }

    public var name: String
    /// Members in join order: the recipient list of every broadcast, shared without copying.
    public private(set) var members: [ClientID] = []
    public private(set) var memberModes: [ClientID: MemberModes] = [:]
    public var topic: String?
    public var topicSetter: String?
    public var topicTime: Timestamp?
    public var modes = Modes()
    public var invited: Set<ClientID> = []
    public let created: Timestamp

    public init(name: String, created: Timestamp) {
        self.name = name
        self.created = created
    }

    public func contains(_ client: ClientID) -> Bool { memberModes[client] != nil }

    public mutating func add(_ client: ClientID, modes: MemberModes) {
        guard memberModes[client] == nil else { return }
        members.append(client)
        memberModes[client] = modes
    }

    public mutating func remove(_ client: ClientID) {
        guard memberModes.removeValue(forKey: client) != nil else { return }
        members.removeAll { $0 == client }
    }

    public mutating func setModes(_ modes: MemberModes, for client: ClientID) {
        guard memberModes[client] != nil else { return }
        memberModes[client] = modes
    }
}
