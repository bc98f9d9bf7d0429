import ChatCore

/// How a server joins a network of servers.
public struct FederationConfiguration: Sendable {
    /// Where other servers connect to this one.
    public var linkListen: BindAddress
    /// Servers to connect to (more are learned from the network).
    public var peers: [BindAddress]
    /// The shared network secret (links authenticate with HMAC-SHA256 challenge–response).
    public var secret: [UInt8]
    /// Link keepalive: a `PING` after `pingInterval` ms of silence, the peer dead `pingTimeout` ms later.
    public var keepalive: PeerKeepalive.Configuration
    /// Seconds to wait between attempts to (re)connect a link, doubling up to `maxRetryDelay`.
    public var retryDelay: Double
    public var maxRetryDelay: Double
    /// Events that may wait for their causal predecessors; past it the link is re-synchronised.
    public var holdBackLimit: Int
    /// Delivered events kept to replay to a peer that missed them while a link was down.
    public var historyLimit: Int
    /// Links over TLS (`--link-tls`), with how peers' certificates are checked.
    public var tls: LinkTLS?

    public init(
        linkListen: BindAddress,
        peers: [BindAddress] = [],
        secret: [UInt8],
        keepalive: PeerKeepalive.Configuration = .link(silence: 6_000),
        retryDelay: Double = 0.5,
        maxRetryDelay: Double = 5,
        holdBackLimit: Int = 10_000,
        historyLimit: Int = 10_000,
        tls: LinkTLS? = nil
    ) {
        self.tls = tls
        self.linkListen = linkListen
        self.peers = peers
        self.secret = secret
        self.keepalive = keepalive
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.holdBackLimit = holdBackLimit
        self.historyLimit = historyLimit
    }
}
