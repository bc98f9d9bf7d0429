import ChatCore
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
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
    private let historyWriter: HistoryWriter?
    private let admission: AdmissionControl
    /// The open-file limit after the server raised it at start.
    public let fileDescriptorLimit: FileDescriptorLimit
    /// This process's identity in a network of servers (nil when not federated).
    public let origin: OriginID?
    /// The link listener and the tasks keeping outgoing links up, by peer address.
    private let links = NIOLockedValueBox<Links>(Links())
    /// The TLS identity, when ``ChatServerConfiguration/tlsListen`` is set.
    public let tls: ServerTLS?
    private let tlsListener = NIOLockedValueBox<Channel?>(nil)

    struct Links {
        var listener: Channel?
        var connectors: [String: Task<Void, Never>] = [:]
        var stopped = false
    }

    /// initial → starting → running → shuttingDown → shutDown, as Hummingbird's server does.
    enum Lifecycle {
        case initial
        /// ``start()`` is binding the listener.
        case starting
        case running(Channel)
        /// A shutdown is under way; later callers of ``shutdown()`` wait here until it is done.
        case shuttingDown(waiters: [CheckedContinuation<Void, Never>])
        case shutDown
    }

    /// - Parameters:
    ///   - history: the opened history store, or `nil` to keep no history.
    ///   - tls: the certificate for ``ChatServerConfiguration/tlsListen`` (required with it).
    public init(configuration: ChatServerConfiguration, history: HistoryStore? = nil, tls: ServerTLS? = nil,
                logger: Logger = Logger(label: "chatty.server")) {
        precondition(configuration.tlsListen == nil || tls != nil, "a TLS listener needs a certificate")
        precondition(configuration.federation?.tls == nil || tls != nil, "TLS links need a certificate")
        self.configuration = configuration
        self.tls = tls
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
        var writer: HistoryWriter?
        if let history {
            writer = HistoryWriter(store: history, logger: logger)
            if core.historyLimit == nil { core.historyLimit = 100 }
            core.accounts = true
        } else {
            core.historyLimit = nil
            core.accounts = false
        }
        self.historyWriter = writer
        self.hub = ServerHub(configuration: core, loops: loops,
                             sendQueueLimit: configuration.sendQueueLimit, flushSlice: configuration.flushSlice,
                             now: WallClock.now(), federation: federation, history: writer,
                             credentials: core.accounts ? CredentialWorker(iterations: configuration.passwordIterations,
                                                                           logger: logger) : nil)
        if let history {
            do {
                let kept = try history.channels()
                let markers = try history.readMarkers()
                let accounts = try history.accounts()
                hub.run {
                    $0.server.restore(kept)
                    $0.server.restore(markers)
                    $0.server.restore(accounts)
                }
                if !accounts.isEmpty { logger.info("accounts loaded", metadata: ["count": "\(accounts.count)"]) }
                if !kept.isEmpty { logger.info("channels restored", metadata: ["count": "\(kept.count)"]) }
            } catch {
                logger.error("kept channels could not be read", metadata: ["error": "\(error)"])
            }
        }
        self.lifecycle = NIOLockedValueBox(.initial)
    }

    /// Binds the listener and starts accepting clients. Returns the bound address (useful with port 0).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let proceed = lifecycle.withLockedValue { state -> Bool in
            guard case .initial = state else { return false }
            state = .starting
            return true
        }
        guard proceed else { throw ChannelError.ioOnClosedChannel }
        let channel: Channel
        do {
            channel = try await bindListener()
        } catch {
            lifecycle.withLockedValue { if case .starting = $0 { $0 = .initial } }
            throw ListenError(address: configuration.listen, what: "clients", underlying: error)
        }
        if let tlsListen = configuration.tlsListen, let tls {
            do {
                let listener = try await bindListener(tls: tls, address: tlsListen)
                tlsListener.withLockedValue { $0 = listener }
                if let port = listener.localAddress?.port {
                    hub.run { $0.server.tlsListenerBound(port: port) }
                }
                logger.info("TLS listening", metadata: [
                    "address": "\(listener.localAddress.map { "\($0)" } ?? "-")",
                    "certificate": "\(tls.files.certificate)", "sha256": "\(tls.fingerprint)",
                ])
            } catch {
                lifecycle.withLockedValue { if case .starting = $0 { $0 = .initial } }
                try? await channel.close()
                throw ListenError(address: tlsListen, what: "TLS clients", underlying: error)
            }
        }
        let running = lifecycle.withLockedValue { state -> Bool in
            guard case .starting = state else { return false }
            state = .running(channel)
            return true
        }
        guard running else {
            // A shutdown came while binding: it found no listener to close.
            try? await channel.close()
            throw ChannelError.ioOnClosedChannel
        }
        let address = channel.localAddress!
        logger.info("listening", metadata: ["address": "\(address)", "name": "\(configuration.core.name)"])
        let limit = fileDescriptorLimit
        logger.info("capacity", metadata: [
            "clients": "\(admission.capacity)", "open-file-limit": "\(limit.soft)",
            "raised-from": "\(limit.before)", "hard-limit": "\(limit.hard)",
        ])
        if let historyWriter {
            logger.info("history", metadata: ["database": "\(historyWriter.path)",
                                              "retention": "\(configuration.historyRetention.map { "\($0)" } ?? "unlimited")"])
            if let retention = configuration.historyRetention {
                let milliseconds = retention.components.seconds * 1000 + retention.components.attoseconds / 1_000_000_000_000_000
                // Pruned in the background (on the history thread), hourly.
                group.next().scheduleRepeatedTask(initialDelay: .zero, delay: .hours(1)) { _ in
                    let cutoff = WallClock.now().millisecondsSinceEpoch - milliseconds
                    historyWriter.prune(olderThan: Timestamp(millisecondsSinceEpoch: cutoff))
                }
            }
        }
        if historyWriter != nil {  // accounts (and so owned nicks) exist only with the store
            // Owned nicks whose grace period ended are taken back.
            let hub = self.hub
            group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in hub.tick() }
        }
        if let federation = configuration.federation {
            try await startLinks(federation)
        }
        return address
    }

    /// The address of the TLS listener (useful with port 0).
    public var tlsAddress: SocketAddress? {
        tlsListener.withLockedValue { $0?.localAddress }
    }

    /// Binds the plaintext listener, or with `tls` the TLS one (each connection takes the
    /// certificate current when it is accepted).
    private func bindListener(tls: ServerTLS? = nil, address: BindAddress? = nil) async throws -> Channel {
        let hub = self.hub
        let configuration = self.configuration
        let logger = self.logger
        let admission = self.admission
        let address = address ?? configuration.listen
        let settings = ClientConnectionSettings(hub: hub, configuration: configuration, sweepers: sweepers,
                                                admission: admission, logger: logger, secure: tls != nil)
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { Self.addAcceptHandlers(to: $0, admission: admission) }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 256 * 1024))
            // NIO keeps each channel's last read buffer for reuse: start it small so idle
            // connections stay cheap (it grows while a client sends a lot).
            .childChannelOption(.recvAllocator, value: CompactRecvAllocator())
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(
                            context: tls.context, customVerificationCallback: ServerTLS.acceptAnyClientCertificate))
                    }
                    try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(settings: settings))
                }
            }
            .bind(host: address.host, port: address.port)
            .get()
    }

    /// A listener's own handlers. Out of descriptors, accept fails while the socket stays readable:
    /// the failure is logged (rate-limited) and accepting pauses instead of retrying in a busy loop.
    private static func addAcceptHandlers(to channel: Channel, admission: AdmissionControl) -> EventLoopFuture<Void> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(AcceptErrorHandler(admission: admission))
            try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(shouldForwardIOErrorCaught: false))
        }
    }

    /// The address the link listener is bound to (useful with port 0).
    public var linkAddress: SocketAddress? {
        links.withLockedValue { $0.listener?.localAddress }
    }

    /// Names of the servers currently linked to this one.
    public var linkedServers: [String] { hub.linkedPeers }

    private func startLinks(_ federation: FederationConfiguration) async throws {
        let admission = self.admission
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { Self.addAcceptHandlers(to: $0, admission: admission) }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try self.addLinkHandlers(to: channel, role: .acceptor, federation: federation)
                }
            }
        let listener: Channel
        do {
            listener = try await bootstrap.bind(host: federation.linkListen.host, port: federation.linkListen.port).get()
        } catch {
            throw ListenError(address: federation.linkListen, what: "server links", underlying: error)
        }
        links.withLockedValue { $0.listener = listener }
        if let port = listener.localAddress?.port {
            // Gossip the real address (the configured port may be 0).
            hub.setLinkAddress(BindAddress(host: federation.linkListen.host, port: port).description)
        }
        logger.info("links listening", metadata: ["address": "\(listener.localAddress.map { "\($0)" } ?? "-")",
                                                  "tls": "\(federation.tls == nil ? "off" : "on, sha256=\(tls?.fingerprint.description ?? "-")")"])
        for peer in federation.peers {
            maintainLink(to: peer, federation: federation)
        }
    }

    private func addLinkHandlers(to channel: Channel, role: LinkHandshake.Role, federation: FederationConfiguration,
                                 peer: String = "") throws {
        if let linkTLS = federation.tls, let tls {
            switch role {
            case .acceptor:
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context))
            case .initiator:
                try channel.pipeline.syncOperations.addHandler(linkTLS.clientHandler(peer: peer, logger: logger))
            }
        }
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
                // The client's backoff (with jitter, so servers restarted together do not retry in step).
                var backoff = ReconnectBackoff(baseMilliseconds: Int64(federation.retryDelay * 1000),
                                               maxMilliseconds: Int64(federation.maxRetryDelay * 1000))
                var generator = SystemRandomNumberGenerator()
                while !Task.isCancelled {
                    let started = NIODeadline.now()
                    do {
                        let channel = try await ClientBootstrap(group: self.group)
                            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                            .connectTimeout(.seconds(5))
                            .channelInitializer { channel in
                                channel.eventLoop.makeCompletedFuture {
                                    try self.addLinkHandlers(to: channel, role: .initiator, federation: federation, peer: key)
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
                    // A link that lasted starts the backoff over.
                    if NIODeadline.now() - started > .seconds(10) { backoff.reset() }
                    let delay = backoff.nextDelay(random: Double.random(in: 0..<1, using: &generator))
                    try? await Task.sleep(for: .milliseconds(delay))
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
    /// connections once that line is written (waiting at most `drainTimeout` for slow peers), and
    /// stops the event loops. A second call waits until the first has finished.
    public func shutdown() async {
        enum Step {
            case perform(Channel?)
            case wait
            case done
        }
        let step = lifecycle.withLockedValue { state -> Step in
            switch state {
            case .initial, .starting:
                state = .shuttingDown(waiters: [])
                return .perform(nil)
            case .running(let channel):
                state = .shuttingDown(waiters: [])
                return .perform(channel)
            case .shuttingDown:
                return .wait
            case .shutDown:
                return .done
            }
        }
        if case .wait = step {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let finished = lifecycle.withLockedValue { state -> Bool in
                    guard case .shuttingDown(var waiters) = state else { return true }
                    waiters.append(continuation)
                    state = .shuttingDown(waiters: waiters)
                    return false
                }
                if finished { continuation.resume() }
            }
            return
        }
        guard case .perform(let channel) = step else { return }
        logger.info("shutting down")
        try? await channel?.close()
        try? await tlsListener.withLockedValue { $0 }?.close()
        await stopLinks()
        // Every client gets ERROR; `drained` completes when the last connection has closed, or
        // after the drain timeout for peers that never read it.
        let loop = group.next()
        let drained = loop.makePromise(of: Void.self)
        let timeout = loop.scheduleTask(in: drainTimeout) { drained.succeed() }
        hub.shutdown(drained: drained)
        try? await drained.futureResult.get()
        timeout.cancel()
        try? await group.shutdownGracefully()
        if let historyWriter {
            // Everything delivered is written before the process may exit.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Thread {
                    historyWriter.stop()
                    continuation.resume()
                }.start()
            }
        }
        let waiters = lifecycle.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            defer { state = .shutDown }
            if case .shuttingDown(let waiters) = state { return waiters }
            return []
        }
        for waiter in waiters { waiter.resume() }
    }

    /// How long a shutdown waits for clients to take their `ERROR` line before closing anyway.
    public var drainTimeout: TimeAmount { .seconds(2) }

    /// Serves until a graceful shutdown is triggered (SIGINT/SIGTERM in a `ServiceGroup`).
    public func run() async throws {
        // `--host` starts the server first (its client needs the bound port), then runs it here.
        if lifecycle.withLockedValue({ if case .initial = $0 { true } else { false } }) {
            try await start()
        }
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

    /// The lifecycle state's name (tests, diagnostics).
    var lifecycleName: String {
        lifecycle.withLockedValue { state in
            switch state {
            case .initial: "initial"
            case .starting: "starting"
            case .running: "running"
            case .shuttingDown: "shuttingDown"
            case .shutDown: "shutDown"
            }
        }
    }

    /// Open client connections.
    var connectionCount: Int { hub.connectionCount }

    /// A snapshot of the protocol state (tests, diagnostics).
    public var state: ServerState { hub.serverState }
}
