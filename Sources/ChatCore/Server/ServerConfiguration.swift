/// Everything the protocol core needs to know about the server it runs in.
public struct ServerConfiguration: Sendable, Hashable {
    /// The server's name, used as the source of its replies (`chatty.local`).
    public var name: String
    /// The network name announced in `NETWORK=`.
    public var network: String
    /// What this server is, in a few words (`LINKS`, `VERSION`, `INFO`, and on linked servers).
    public var description = "Chatty IRC server"
    /// Message-of-the-day lines; `nil` answers `422 No MOTD`.
    public var motd: [String]?
    /// A connection password clients must send with `PASS`, if set.
    public var password: String?
    /// Server operators: name to password, for `OPER`.
    public var operators: [String: String]
    public var version: String
    public var nickLength: Int
    public var channelLength: Int
    public var topicLength: Int
    public var awayLength: Int
    public var kickLength: Int
    /// Maximum targets in one `PRIVMSG`/`NOTICE`/`JOIN`.
    public var maxTargets: Int
    public var maxChannelsPerClient: Int
    public var limits: IRCLimits
    /// A short unique prefix for this server's message ids and user ids (unique per server start).
    public var messageIDPrefix: String
    /// Whether this server is linked into a network: local events are then also returned as
    /// ``ServerAction/propagate(_:)``.
    public var federated: Bool
    /// With a history store: the most messages one `CHATHISTORY` returns (ISUPPORT `CHATHISTORY`);
    /// `nil` when the server keeps no history.
    public var historyLimit: Int?
    /// With a TLS listener: the IRCv3 `sts` policy to announce (its `port` to plaintext
    /// connections, its `duration` to TLS ones); `nil` announces none.
    public var strictTransportSecurity: STSPolicy?
    /// Accounts are kept (SASL, `REGISTER`, owned nicks): needs the store.
    public var accounts = false
    /// `REGISTER` creates accounts (`--registration open`); administrators can always add them.
    public var registrationOpen = true
    /// How long someone may use a nick an account owns before it is changed (milliseconds).
    public var nickGracePeriodMilliseconds: Int64 = 30_000
    /// Failed authentications from one address per minute before further attempts fail unchecked.
    public var authenticationFailuresPerHost = 10

    public init(
        name: String = "chatty.local",
        network: String = "Chatty",
        motd: [String]? = nil,
        password: String? = nil,
        operators: [String: String] = [:],
        version: String = "chatty-0.1",
        nickLength: Int = 30,
        channelLength: Int = 50,
        topicLength: Int = 390,
        awayLength: Int = 200,
        kickLength: Int = 255,
        maxTargets: Int = 4,
        maxChannelsPerClient: Int = 50,
        limits: IRCLimits = .standard,
        messageIDPrefix: String = "c",
        federated: Bool = false,
        historyLimit: Int? = nil
    ) {
        self.name = name
        self.network = network
        self.motd = motd
        self.password = password
        self.operators = operators
        self.version = version
        self.nickLength = nickLength
        self.channelLength = channelLength
        self.topicLength = topicLength
        self.awayLength = awayLength
        self.kickLength = kickLength
        self.maxTargets = maxTargets
        self.maxChannelsPerClient = maxChannelsPerClient
        self.limits = limits
        self.messageIDPrefix = messageIDPrefix
        self.federated = federated
        self.historyLimit = historyLimit
    }
}
