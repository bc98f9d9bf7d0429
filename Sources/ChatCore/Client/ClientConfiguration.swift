/// Everything the client state machine needs to know before it connects.
public struct ClientConfiguration: Sendable, Hashable {
    /// The capabilities Chatty understands; ``requestedCapabilities`` should be a subset.
    public static let supportedCapabilities: [String] = [
        "message-tags", "server-time", "echo-message", "multi-prefix", "batch", "labeled-response", "draft/chathistory",
        "soju.im/search", "draft/read-marker", "away-notify", "draft/message-redaction", "draft/multiline",
        "setname", "chghost", "invite-notify", "extended-monitor", "cap-notify",
    ]

    /// The preferred nick. When it is taken the machine tries `nick_`, `nick__`, … (see ``NickFallback``).
    public var nick: String
    /// The user name sent in `USER` (shown as `~user` by most servers without identd).
    public var userName: String
    /// The real name (gecos) sent in `USER`.
    public var realName: String
    /// Sent as `PASS` before `NICK`/`USER` when set.
    public var password: String?
    /// Log in to this account with SASL `PLAIN` while registering (servers offering `sasl`).
    public var sasl: SASLLogin?
    /// Channels joined after the first registration.
    public var channels: [String]
    /// Capabilities requested when the server offers them in `CAP LS`.
    public var requestedCapabilities: [String]
    /// When nothing has been received for this long, the client sends its own `PING`.
    public var keepaliveInterval: Duration
    /// When nothing at all arrives this long after the client's `PING`, the connection is considered dead.
    public var keepaliveTimeout: Duration
    /// A connection that has not reached `001 RPL_WELCOME` after this long is closed and retried.
    public var registrationTimeout: Duration
    /// The first reconnect delay; doubled for every further failed attempt.
    public var reconnectBase: Duration
    /// The largest reconnect delay.
    public var reconnectMax: Duration
    /// Relative jitter applied to reconnect delays: 0.2 means ±20 %.
    public var reconnectJitter: Double
    /// The reply to CTCP `VERSION`.
    public var versionReply: String
    /// Messages of a channel's history shown on its first join (servers with `draft/chathistory`);
    /// 0 shows none. After a reconnect the client always catches up on what it missed.
    public var historyOnJoin: Int
    /// Messages asked for per page when catching up after a reconnect.
    public var historyPageSize: Int

    public init(
        nick: String,
        userName: String? = nil,
        realName: String? = nil,
        password: String? = nil,
        channels: [String] = ["#chatty"],
        requestedCapabilities: [String] = ["message-tags", "server-time", "echo-message", "multi-prefix", "batch", "labeled-response",
                                          "draft/chathistory", "soju.im/search", "draft/read-marker", "away-notify",
                                          "draft/message-redaction", "draft/multiline", "setname", "chghost",
                                          "invite-notify", "extended-monitor", "cap-notify"],
        keepaliveInterval: Duration = .seconds(60),
        keepaliveTimeout: Duration = .seconds(60),
        registrationTimeout: Duration = .seconds(60),
        reconnectBase: Duration = .seconds(1),
        reconnectMax: Duration = .seconds(60),
        reconnectJitter: Double = 0.2,
        versionReply: String = "Chatty (Swift IRC client)",
        historyOnJoin: Int = 50,
        historyPageSize: Int = 100
    ) {
        self.nick = nick
        self.userName = userName ?? nick
        self.realName = realName ?? nick
        self.password = password
        self.channels = channels
        self.requestedCapabilities = requestedCapabilities
        self.keepaliveInterval = keepaliveInterval
        self.keepaliveTimeout = keepaliveTimeout
        self.registrationTimeout = registrationTimeout
        self.reconnectBase = reconnectBase
        self.reconnectMax = reconnectMax
        self.reconnectJitter = reconnectJitter
        self.versionReply = versionReply
        self.historyOnJoin = historyOnJoin
        self.historyPageSize = historyPageSize
    }

    /// The keepalive rules for the connection to the server (the client's own `PING`s).
    var keepalive: PeerKeepalive.Configuration {
        PeerKeepalive.Configuration(
            pingInterval: max(1, keepaliveInterval.clientMilliseconds),
            pingTimeout: max(1, keepaliveTimeout.clientMilliseconds)
        )
    }
}
