import ChatCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

/// A running Chatty IRC server: a TCP listener, one ``ServerHub`` and its event loops.
///
/// Use it as a swift-service-lifecycle `Service` (``run()`` serves until graceful shutdown), or
/// drive it directly with ``start()`` and ``shutdown()`` (tests, `--host`).
public final class ChatServer: Service, Sendable {
    public let configuration: ChatServerConfiguration
    private let logger: Logger
    private let group: MultiThreadedEventLoopGroup
    private let hub: ServerHub
    private let lifecycle: NIOLockedValueBox<Lifecycle>
    private let sweepers: KeepaliveSweepers
    private let admission: AdmissionControl
    /// The open-file limit after the server raised it at start.
    public let fileDescriptorLimit: FileDescriptorLimit
    /// This process's identity in a network of servers (nil when not federated).
    public let origin: OriginID?
    /// The link listener and the tasks keeping outgoing links up, by peer address.
    private let links = NIOLockedValueBox<Links>(Links())

    struct Links {
        var listener: Channel?
        var connectors: [String: Task<Void, Never>] = [:]
        var stopped = false
    }

    enum Lifecycle {
        case initial
        case running(Channel)
        case shuttingDown
        case shutdown
    }

    public init(configuration: ChatServerConfiguration, logger: Logger = Logger(label: "chatty.server")) {
        self.configuration = configuration
        self.logger = logger
        self.group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, configuration.threads))
        var loops: [any EventLoop] = []
        var iterator = group.makeIterator()
        while let loop = iterator.next() { loops.append(loop) }
        var core = configuration.core
        var federation: FederationState?
        if let link = configuration.federation {
            let incarnation = String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let origin = OriginID(name: core.name, incarnation: incarnation)
            core.federated = true
            core.messageIDPrefix = incarnation + "-"
            federation = FederationState(local: origin, configuration: link)
            self.origin = origin
        } else {
            self.origin = nil
        }
        self.sweepers = KeepaliveSweepers(loops: loops)
        let limit = FileDescriptorLimit.raiseToHardLimit()
        self.fileDescriptorLimit = limit
        let capacity = limit.clientCapacity(threads: configuration.threads)
        self.admission = AdmissionControl(capacity: min(capacity, configuration.maxClients ?? .max), logger: logger)
        self.hub = ServerHub(configuration: core, loops: loops,
                             sendQueueLimit: configuration.sendQueueLimit, flushSlice: configuration.flushSlice,
                             now: WallClock.now(), federation: federation)
        self.lifecycle = NIOLockedValueBox(.initial)
    }

    /// Binds the listener and starts accepting clients. Returns the bound address (useful with port 0).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let hub = self.hub
        let configuration = self.configuration
        let logger = self.logger
        let admission = self.admission
        let settings = ClientConnectionSettings(hub: hub, configuration: configuration, sweepers: sweepers,
                                                admission: admission, logger: logger)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                // Out of descriptors, accept fails while the socket stays readable: log it (rate-limited)
                // and pause accepting instead of retrying in a busy loop.
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptErrorHandler(admission: admission))
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(shouldForwardIOErrorCaught: false))
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 256 * 1024))
            // NIO keeps each channel's last read buffer for reuse: start it small so idle
            // connections stay cheap (it grows while a client sends a lot).
            .childChannelOption(.recvAllocator, value: CompactRecvAllocator())
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(settings: settings))
                }
            }
            .bind(host: configuration.listen.host, port: configuration.listen.port)
            .get()
        lifecycle.withLockedValue { $0 = .running(channel) }
        let address = channel.localAddress!
        logger.info("listening", metadata: ["address": "\(address)", "name": "\(configuration.core.name)"])
        let limit = fileDescriptorLimit
        logger.info("capacity", metadata: [
            "clients": "\(admission.capacity)", "open-file-limit": "\(limit.soft)",
            "raised-from": "\(limit.before)", "hard-limit": "\(limit.hard)",
        ])
        if let federation = configuration.federation {
            try await startLinks(federation)
        }
        return address
    }

    /// The address the link listener is bound to (useful with port 0).
    public var linkAddress: SocketAddress? {
        links.withLockedValue { $0.listener?.localAddress }
    }

    /// Names of the servers currently linked to this one.
    public var linkedServers: [String] { hub.linkedPeers }

    private func startLinks(_ federation: FederationConfiguration) async throws {
        let admission = self.admission
        let listener = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptErrorHandler(admission: admission))
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(shouldForwardIOErrorCaught: false))
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.addLinkHandlers(to: channel, role: .acceptor, federation: federation)
                }
            }
            .bind(host: federation.linkListen.host, port: federation.linkListen.port)
            .get()
        links.withLockedValue { $0.listener = listener }
        if let port = listener.localAddress?.port {
            // Gossip the real address (the configured port may be 0).
            hub.setLinkAddress(BindAddress(host: federation.linkListen.host, port: port).description)
        }
        logger.info("links listening", metadata: ["address": "\(listener.localAddress.map { "\($0)" } ?? "-")"])
        for peer in federation.peers {
            maintainLink(to: peer, federation: federation)
        }
    }

    private func addLinkHandlers(to channel: Channel, role: LinkHandshake.Role, federation: FederationConfiguration) throws {
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IRCLineDecoder(maximumLength: 80 * 1024)))
        try channel.pipeline.syncOperations.addHandler(LinkChannelHandler(
            hub: hub, role: role, local: origin!, secret: federation.secret, keepalive: federation.keepalive,
            logger: logger, onLearned: { [weak self] learned in self?.learned(learned, federation: federation) }))
    }

    /// Servers the network told us about: connect to those we are not linked with. To avoid
    /// two links per pair, the server with the smaller name connects.
    private func learned(_ servers: [String: String], federation: FederationConfiguration) {
        guard let origin else { return }
        for (name, address) in servers where name != origin.name && origin.name < name {
            if let peer = BindAddress.parse(address) { maintainLink(to: peer, federation: federation) }
        }
    }

    /// Keeps an outgoing link to `peer` up: connect, wait for it to close, retry with backoff.
    private func maintainLink(to peer: BindAddress, federation: FederationConfiguration) {
        let key = peer.description
        links.withLockedValue { links in
            guard !links.stopped, links.connectors[key] == nil else { return }
            links.connectors[key] = Task {
                var delay = federation.retryDelay
                while !Task.isCancelled {
                    let started = NIODeadline.now()
                    do {
                        let channel = try await ClientBootstrap(group: self.group)
                            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                            .connectTimeout(.seconds(5))
                            .channelInitializer { channel in
                                channel.eventLoop.makeCompletedFuture {
                                    try self.addLinkHandlers(to: channel, role: .initiator, federation: federation)
                                }
                            }
                            .connect(host: peer.host, port: peer.port)
                            .get()
                        try await withTaskCancellationHandler {
                            try await channel.closeFuture.get()
                        } onCancel: {
                            channel.close(promise: nil)
                        }
                    } catch {
                        self.logger.debug("link connect failed", metadata: ["peer": "\(key)", "error": "\(error)"])
                    }
                    if NIODeadline.now() - started > .seconds(10) { delay = federation.retryDelay }
                    try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                    delay = min(federation.maxRetryDelay, delay * 2)
                }
            }
        }
    }

    private func stopLinks() async {
        let (listener, tasks) = links.withLockedValue { links -> (Channel?, [Task<Void, Never>]) in
            links.stopped = true
            defer { links.connectors = [:] }
            return (links.listener, Array(links.connectors.values))
        }
        try? await listener?.close()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        hub.closeLinks()
    }

    /// Stops accepting, sends every client `ERROR :Server shutting down`, closes their
    /// connections once that line is written, and stops the event loops.
    public func shutdown() async {
        let (proceed, channel): (Bool, Channel?) = lifecycle.withLockedValue { state in
            switch state {
            case .running(let channel):
                state = .shuttingDown
                return (true, channel)
            case .initial:
                state = .shuttingDown
                return (true, nil)
            case .shuttingDown, .shutdown:
                return (false, nil)
            }
        }
        guard proceed else { return }
        logger.info("shutting down")
        try? await channel?.close()
        await stopLinks()
        hub.shutdown()
        // Give clients a moment to receive the ERROR line, without waiting forever on dead peers.
        let deadline = NIODeadline.now() + .seconds(2)
        while hub.connectionCount > 0, NIODeadline.now() < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
        try? await group.shutdownGracefully()
        lifecycle.withLockedValue { $0 = .shutdown }
    }

    /// Serves until a graceful shutdown is triggered (SIGINT/SIGTERM in a `ServiceGroup`).
    public func run() async throws {
        try await start()
        await withGracefulShutdownHandler {
            await waitUntilClosed()
        } onGracefulShutdown: {
            Task { await self.shutdown() }
        }
        await shutdown()
    }

    private func waitUntilClosed() async {
        let channel: Channel? = lifecycle.withLockedValue { state in
            if case .running(let channel) = state { return channel }
            return nil
        }
        try? await channel?.closeFuture.get()
    }

    /// A snapshot of the protocol state (tests, diagnostics).
    public var state: ServerState { hub.serverState }
}
