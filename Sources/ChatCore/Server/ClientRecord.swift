/// What the server keeps for one connected client. Small on purpose: thousands of idle clients.
public struct ClientRecord: Sendable {
    public let id: ClientID
    public var registration = ServerRegistrationStateMachine()
    /// The current nick, or `*` before one was accepted.
    public var nick = "*" { didSet { prefix = Self.prefix(nick, user, host) } }
    public var user = "" { didSet { prefix = Self.prefix(nick, user, host) } }
    public var realName = ""
    public var host: String { didSet { prefix = Self.prefix(nick, user, host) } }
    /// The server the client is connected to (this server's name for local clients).
    public let server: String
    /// A network-wide unique id, stable across nick changes (used by server links).
    public let uid: String
    /// True for a client of another server in the network, known through a server link.
    public let isRemote: Bool
    /// When the current nick was taken; decides nick collisions between servers (older wins).
    public var nickTime: Timestamp
    public var capabilities: CapabilitySet = []
    /// Channels the client is on, by folded name.
    public var channels: Set<String> = []
    public var away: String?
    public var invisible = false
    /// User mode `+w`: receives `WALLOPS`.
    public var wallops = false
    /// User mode `+B`: a bot (WHOIS 335, WHO flag `B`, the `bot` message tag).
    public var bot = false
    public var isOperator = false
    /// The connection is TLS (local clients only; WHOIS shows `671`).
    public var secure = false
    /// Failed SASL attempts on this connection (the third closes it).
    public var authenticationFailures: UInt8 = 0
    /// The account the client is logged in to.
    public var account: String?
    public let connected: Timestamp
    public var lastMessage: Timestamp
    /// Set once `QUIT` was handled or the client was dropped: it takes no further part.
    public var quitting = false

    public init(id: ClientID, host: String, connected: Timestamp, server: String = "", uid: String = "", isRemote: Bool = false) {
        self.id = id
        self.host = host
        self.connected = connected
        self.lastMessage = connected
        self.server = server
        self.uid = uid
        self.isRemote = isRemote
        self.nickTime = connected
        self.prefix = Self.prefix("*", "", host)
    }

    public var isRegistered: Bool { isRemote || registration.isRegistered }

    /// `nick!user@host`, the source of everything this client sends. Kept up to date by `nick`
    /// and `user` rather than built for every message.
    public private(set) var prefix: String

    private static func prefix(_ nick: String, _ user: String, _ host: String) -> String {
        "\(nick)!\(user)@\(host)"
    }
}
