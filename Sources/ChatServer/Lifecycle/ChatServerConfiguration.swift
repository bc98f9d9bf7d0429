import ChatCore
import NIOCore

/// The I/O side of a server: where it listens and how it protects itself, plus the protocol
/// core's ``ServerConfiguration``.
public struct ChatServerConfiguration: Sendable {
    public var listen: BindAddress
    public var core: ServerConfiguration
    /// Event-loop threads; 1 keeps everything on one core.
    public var threads: Int
    public var keepalive: PeerKeepalive.Configuration
    public var flood: FloodControl.Configuration
    /// Bytes that may wait for a slow reader before it is disconnected with "SendQ exceeded".
    public var sendQueueLimit: Int
    /// Set to link this server into a network of servers.
    public var federation: FederationConfiguration?
    /// Most connections an event loop writes before it reads its sockets again (0: no limit).
    /// A long flush is cut into slices so that lines arriving meanwhile join the outboxes still
    /// waiting in it, instead of waiting for the whole flush to end.
    public var flushSlice: Int
    /// Most client connections held at once; `nil`: as many as the open-file limit allows.
    public var maxClients: Int?
    /// With a history store: how long messages are kept (`nil`: until the disk is full).
    public var historyRetention: Duration?
    /// Where to listen for clients over TLS (the ``ChatServer`` is then given a ``ServerTLS``).
    public var tlsListen: BindAddress?
    /// PBKDF2 iterations for new account passwords.
    public var passwordIterations = AccountCredentials.defaultIterations

    public init(
        listen: BindAddress = .hostname(),
        core: ServerConfiguration = ServerConfiguration(),
        threads: Int = System.coreCount,
        keepalive: PeerKeepalive.Configuration = .serverClient,
        flood: FloodControl.Configuration = .init(),
        sendQueueLimit: Int = 1 << 20,
        federation: FederationConfiguration? = nil,
        flushSlice: Int = 64,
        maxClients: Int? = nil,
        historyRetention: Duration? = nil,
        tlsListen: BindAddress? = nil,
        passwordIterations: Int = AccountCredentials.defaultIterations
    ) {
        self.tlsListen = tlsListen
        self.passwordIterations = passwordIterations
        self.listen = listen
        self.core = core
        self.threads = threads
        self.keepalive = keepalive
        self.flood = flood
        self.sendQueueLimit = sendQueueLimit
        self.federation = federation
        self.flushSlice = flushSlice
        self.maxClients = maxClients
        self.historyRetention = historyRetention
    }
}
