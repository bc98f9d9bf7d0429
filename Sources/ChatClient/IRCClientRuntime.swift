import ChatCore
import NIOCore
import NIOPosix
import NIOSSL

/// Drives a ``ClientStateMachine`` over a NIO TCP connection: a thin interpreter of its actions.
///
/// All machine state lives on one event loop (in a `NIOLoopBoundBox`); the UI calls ``perform(_:)``
/// from any thread, and receives ``ClientEvent``s through `onEvents` (called on the event loop):
/// the events of one read from the socket together, so a flood hands the UI a batch, not a line.
/// The clock is injected (the wall clock by default): every `now` the machine sees comes from it.
public final class IRCClientRuntime: Sendable {
    public typealias Machine = ClientStateMachine<SystemRandomNumberGenerator>

    final class Inner {
        var machine: Machine
        var channel: Channel?
        var timer: Scheduled<Void>?
        /// Bumped for every connection so late callbacks of an old one are ignored.
        var generation = 0
        /// Which of the servers the next connection goes to; moves on after a failure (failover).
        var serverIndex = 0
        /// Where the current (or last) connection went.
        var endpoint: ServerEndpoint?
        /// Servers (by `host:port` as configured) that asked for TLS with `sts` during this run:
        /// their TLS port. They are never reached over plaintext again in this run.
        var upgrades: [String: Int] = [:]
        /// The next connection goes to the same server (an `sts` upgrade), not the next one.
        var stay = false
        /// Events not yet handed to `onEvents`: collected while a read is in progress.
        var pendingEvents: [ClientEvent] = []
        /// Between the first line of a read and the read's end (`channelReadComplete`).
        var reading = false

        init(machine: Machine) { self.machine = machine }
    }

    /// The servers to use, in order of preference; a lost or failed connection moves to the next.
    public let servers: [ServerEndpoint]
    /// Certificates, pins and `sts` policies for TLS connections.
    public let tls: ClientTLS?
    public let eventLoop: any EventLoop
    private let clock: @Sendable () -> Timestamp
    private let inner: NIOLoopBoundBox<Inner>
    private let onEvents: @Sendable ([ClientEvent]) -> Void
    private let onConnecting: @Sendable (String) -> Void
    private let limits = IRCLimits(maxLineLength: 8191, maxTagsLength: 8191)

    /// - Parameter tls: needed for `ircs://` servers and for hosts with an `sts` policy; without
    ///   it they cannot be reached.
    public init(servers: [ServerEndpoint], configuration: ClientConfiguration, eventLoop: any EventLoop,
                tls: ClientTLS? = nil,
                clock: @escaping @Sendable () -> Timestamp = { WallClock.now() },
                onConnecting: @escaping @Sendable (String) -> Void = { _ in },
                onEvents: @escaping @Sendable ([ClientEvent]) -> Void) {
        precondition(!servers.isEmpty, "at least one server")
        self.servers = servers
        self.tls = tls
        self.clock = clock
        self.eventLoop = eventLoop
        self.onEvents = onEvents
        self.onConnecting = onConnecting
        self.inner = NIOLoopBoundBox.makeBoxSendingValue(Inner(machine: Machine(configuration: configuration)), eventLoop: eventLoop)
    }

    /// A runtime that hands over its events one at a time.
    public convenience init(servers: [ServerEndpoint], configuration: ClientConfiguration, eventLoop: any EventLoop,
                            tls: ClientTLS? = nil,
                            clock: @escaping @Sendable () -> Timestamp = { WallClock.now() },
                            onConnecting: @escaping @Sendable (String) -> Void = { _ in },
                            onEvent: @escaping @Sendable (ClientEvent) -> Void) {
        self.init(servers: servers, configuration: configuration, eventLoop: eventLoop, tls: tls, clock: clock,
                  onConnecting: onConnecting, onEvents: { events in events.forEach(onEvent) })
    }

    /// The injected clock's time.
    public func now() -> Timestamp {
        clock()
    }

    /// Starts connecting.
    public func start() {
        perform { machine, now in machine.connectRequested(now: now) }
    }

    /// Runs `body` against the machine on its event loop and carries out the returned actions.
    public func perform(_ body: @escaping @Sendable (inout Machine, Timestamp) -> [ClientAction]) {
        eventLoop.execute {
            let actions = body(&self.inner.value.machine, self.now())
            self.run(actions)
        }
    }

    /// Reads a value of the machine on its loop.
    public func read<T: Sendable>(_ body: @escaping @Sendable (Machine) -> T) async throws -> T {
        try await eventLoop.submit { body(self.inner.value.machine) }.get()
    }

    private func run(_ actions: [ClientAction]) {
        eventLoop.preconditionInEventLoop()
        var wrote = false
        for action in actions {
            switch action {
            case .connect:
                connect()
            case .send(let message):
                guard let channel = inner.value.channel else { continue }
                var buffer = channel.allocator.buffer(capacity: 256)
                message.serialize(into: &buffer)
                channel.write(buffer, promise: nil)
                wrote = true
            case .close:
                guard let channel = inner.value.channel else { continue }
                // Whatever was queued (a QUIT) goes out before the socket closes.
                channel.writeAndFlush(channel.allocator.buffer(capacity: 0)).whenComplete { _ in
                    channel.close(promise: nil)
                }
                wrote = false
            case .scheduleTimer(let at):
                inner.value.timer?.cancel()
                let delay = max(0, at.millisecondsSinceEpoch - self.now().millisecondsSinceEpoch)
                inner.value.timer = eventLoop.scheduleTask(in: .milliseconds(delay)) {
                    self.inner.value.timer = nil
                    self.run(self.inner.value.machine.timerFired(now: self.now()))
                }
            case .cancelTimer:
                inner.value.timer?.cancel()
                inner.value.timer = nil
            case .emit(let event):
                inner.value.pendingEvents.append(event)
            case .upgradeToTLS(let port):
                let configured = servers[inner.value.serverIndex % servers.count]
                inner.value.upgrades[configured.address] = port
                inner.value.stay = true
            case .rememberSTS(let policy):
                guard let tls, let endpoint = inner.value.endpoint else { continue }
                do {
                    try tls.policies.remember(host: endpoint.host, port: endpoint.port, duration: policy.duration ?? 0,
                                              now: now())
                } catch {
                    inner.value.pendingEvents.append(.error("Could not keep the server's TLS policy (sts): \(error)"))
                }
            }
        }
        if wrote { inner.value.channel?.flush() }
        if !inner.value.reading { deliverEvents() }
    }

    /// Hands the collected events over.
    private func deliverEvents() {
        guard !inner.value.pendingEvents.isEmpty else { return }
        let events = inner.value.pendingEvents
        inner.value.pendingEvents = []
        onEvents(events)
    }

    /// Where the next connection goes: the configured server, over TLS where this run's `sts`
    /// upgrade or a kept `sts` policy says so.
    func endpoint(for configured: ServerEndpoint) -> ServerEndpoint {
        guard !configured.tls else { return configured }
        if let port = inner.value.upgrades[configured.address] ?? tls?.policies.tlsPort(for: configured.host, now: now()) {
            return ServerEndpoint(host: configured.host, port: port, tls: true)
        }
        return configured
    }

    private func connect() {
        inner.value.generation += 1
        let generation = inner.value.generation
        let limits = self.limits
        let endpoint = endpoint(for: servers[inner.value.serverIndex % servers.count])
        inner.value.endpoint = endpoint
        deliverEvents()  // what happened before this attempt is told before it
        onConnecting(endpoint.description)
        let secure = endpoint.tls
        let tls = self.tls
        ClientBootstrap(group: eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if secure {
                        guard let tls else { throw ClientTLS.SetupError(description: "TLS is not set up") }
                        try channel.pipeline.syncOperations.addHandler(tls.makeHandler(host: endpoint.host, port: endpoint.port))
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IRCLineDecoder(maximumLength: limits.maxFrameLength)))
                    try channel.pipeline.syncOperations.addHandler(LineHandler(runtime: self, generation: generation))
                }
            }
            .connect(host: endpoint.host, port: endpoint.port)
            .whenComplete { result in
                guard self.inner.value.generation == generation else { return }
                switch result {
                case .success(let channel):
                    self.inner.value.channel = channel
                    self.run(self.inner.value.machine.connected(now: self.now(), secure: secure))
                case .failure(let error):
                    self.inner.value.serverIndex += 1
                    let failure = ConnectionFailure(error, host: endpoint.host, port: endpoint.port)
                    self.run(self.inner.value.machine.connectFailed(error: failure, now: self.now()))
                }
            }
    }

    fileprivate func lineReceived(_ frame: IRCLineFrame, generation: Int) {
        guard inner.value.generation == generation, inner.value.channel != nil else { return }
        guard case .line(let line) = frame, let message = try? IRCMessage.parse(line, limits: limits) else { return }
        inner.value.reading = true
        run(inner.value.machine.messageReceived(message, now: self.now()))
    }

    /// A read from the socket ended: its events go to the UI together.
    fileprivate func readComplete() {
        inner.value.reading = false
        deliverEvents()
    }

    fileprivate func closed(generation: Int, error: (any Error)?) {
        guard inner.value.generation == generation, inner.value.channel != nil else { return }
        inner.value.reading = false
        inner.value.channel = nil
        if inner.value.stay {
            inner.value.stay = false
        } else {
            inner.value.serverIndex += 1
        }
        run(inner.value.machine.connectionClosed(error: error, now: self.now()))
    }

    /// Feeds each received line to the runtime; reports the end of the connection once.
    private final class LineHandler: ChannelInboundHandler {
        typealias InboundIn = IRCLineFrame
        let runtime: IRCClientRuntime
        let generation: Int
        var error: (any Error)?

        init(runtime: IRCClientRuntime, generation: Int) {
            self.runtime = runtime
            self.generation = generation
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            runtime.lineReceived(unwrapInboundIn(data), generation: generation)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            runtime.readComplete()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            // The reason a TLS certificate was refused has been told already; NIOSSL's own text is noise.
            self.error = (error as? NIOSSLError).map { TLSFailure(underlying: $0) } ?? error
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            runtime.closed(generation: generation, error: error)
        }
    }
}
