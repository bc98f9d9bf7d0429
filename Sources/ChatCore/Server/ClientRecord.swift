/// What the server keeps for one connected client. Small on purpose: thousands of idle clients.
public struct ClientRecord: Sendable {
    public let id: ClientID
    public var registration = ServerRegistrationStateMachine()
    /// The current nick, or `*` before one was accepted.
    public var nick = "*"
    public var user = ""
    public var realName = ""
    public let host: String
    public var capabilities: CapabilitySet = []
    /// Channels the client is on, by folded name.
    public var channels: Set<String> = []
    public var away: String?
    public var invisible = false
    public var isOperator = false
    public let connected: Timestamp
    public var lastMessage: Timestamp
    /// Set once `QUIT` was handled or the client was dropped: it takes no further part.
    public var quitting = false

    public init(id: ClientID, host: String, connected: Timestamp) {
        self.id = id
        self.host = host
        self.connected = connected
        self.lastMessage = connected
    }

    public var isRegistered: Bool { registration.isRegistered }

    /// `nick!user@host`, the source of the client's messages.
    public var prefix: String { "\(nick)!\(user)@\(host)" }
}
