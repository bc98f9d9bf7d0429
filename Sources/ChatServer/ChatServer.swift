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
        self.hub = ServerHub(configuration: configuration.core, loops: loops,
                             sendQueueLimit: configuration.sendQueueLimit, now: WallClock.now())
        self.lifecycle = NIOLockedValueBox(.initial)
    }

    /// Binds the listener and starts accepting clients. Returns the bound address (useful with port 0).
    @discardableResult
    public func start() async throws -> SocketAddress {
        let hub = self.hub
        let configuration = self.configuration
        let logger = self.logger
        let frameLimit = configuration.core.limits.maxFrameLength
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 256 * 1024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IRCLineDecoder(maximumLength: frameLimit)))
                    try channel.pipeline.syncOperations.addHandler(ClientChannelHandler(hub: hub, configuration: configuration, logger: logger))
                }
            }
            .bind(host: configuration.listen.host, port: configuration.listen.port)
            .get()
        lifecycle.withLockedValue { $0 = .running(channel) }
        let address = channel.localAddress!
        logger.info("listening", metadata: ["address": "\(address)", "name": "\(configuration.core.name)"])
        return address
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
