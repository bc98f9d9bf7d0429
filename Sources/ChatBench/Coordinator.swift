import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Opens the connections with bounded concurrency and tracks how far each one got.
///
/// A new connection is started whenever an earlier one settles (ready, or failed), so at most
/// `maxInFlight` registrations are pending at once. All mutable state sits behind one lock;
/// it is touched a few times per connection, never per message.
final class Coordinator: Sendable {
    struct Progress: Sendable {
        var launched = 0
        var inFlight = 0
        var connected = 0
        var registered = 0
        var joined = 0
        var failed = 0
        var settled = 0
        var firstConnectAt: UInt64 = 0
        var lastRegisteredAt: UInt64 = 0
        var lastReadyAt: UInt64 = 0
        var failures: [String: Int] = [:]
    }

    private struct State {
        var progress = Progress()
        var ready: [Int: NIOLoopBound<BenchClientHandler>] = [:]
        var channels: [Channel] = []
        var shuttingDown = false
        var launchingStopped = false
    }

    let config: BenchConfiguration
    let loops: [any EventLoop]
    let stats: [NIOLoopBound<LoopStats>]
    /// One resolved address per server port. Connecting by host name would run a resolver and
    /// a Happy Eyeballs race for every connection, which cost the generator more CPU than the
    /// server spent registering the client.
    private let addresses: [SocketAddress]
    /// Local addresses the connections are spread over when the server is on IPv4 loopback
    /// (127.0.0.2 to 127.0.0.65), or empty. With every connection from 127.0.0.1 to one server
    /// port, the kernel's search for a free ephemeral port grows with each open connection:
    /// `perf` showed three quarters of the generator's CPU in `__inet_check_established` while
    /// opening 19,000 connections. Spread over 64 source addresses, each port search is short.
    private let sourceAddresses: [SocketAddress]
    private let state = NIOLockedValueBox(State())
    /// With `--tls`: one client context for every connection (the certificate is not checked).
    private let tlsContext: NIOSSLContext?

    init(config: BenchConfiguration, loops: [any EventLoop], stats: [NIOLoopBound<LoopStats>]) throws {
        self.config = config
        if config.tls {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            self.tlsContext = try NIOSSLContext(configuration: tls)
        } else {
            self.tlsContext = nil
        }
        self.loops = loops
        self.stats = stats
        self.addresses = try config.ports.map { try SocketAddress.makeAddressResolvingHost(config.host, port: $0) }
        if config.host.hasPrefix("127.") {
            self.sourceAddresses = try (2...65).map { try SocketAddress(ipAddress: "127.0.0.\($0)", port: 0) }
        } else {
            self.sourceAddresses = []
        }
    }

    var progress: Progress { state.withLockedValue { $0.progress } }
    var isShuttingDown: Bool { state.withLockedValue { $0.shuttingDown } }
    var readyHandlers: [Int: NIOLoopBound<BenchClientHandler>] { state.withLockedValue { $0.ready } }

    func beginShutdown() -> [Channel] {
        state.withLockedValue {
            $0.shuttingDown = true
            return $0.channels
        }
    }

    /// No further connections are started (the setup phase timed out).
    func stopLaunching() {
        state.withLockedValue { $0.launchingStopped = true }
    }

    /// Starts the first `maxInFlight` connections; the rest follow as these settle.
    func launch() {
        let first = state.withLockedValue { state -> Range<Int> in
            state.progress.firstConnectAt = monotonicNanos()
            let count = min(config.maxInFlight, config.clients)
            state.progress.launched = count
            state.progress.inFlight = count
            return 0..<count
        }
        for index in first { connect(index) }
    }

    private func connect(_ index: Int) {
        let loop = loops[index % loops.count]
        let stats = self.stats[index % loops.count]
        let config = self.config
        var bootstrap = ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(15))
        if !sourceAddresses.isEmpty {
            // IP_BIND_ADDRESS_NO_PORT (24): the port is chosen at connect time, per 4-tuple.
            bootstrap = bootstrap
                .channelOption(ChannelOptions.Types.SocketOption(level: .init(IPPROTO_IP), name: .init(24)), value: 1)
                .bind(to: sourceAddresses[index % sourceAddresses.count])
        }
        bootstrap
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tlsContext = self.tlsContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: nil))
                    }
                    let handler = BenchClientHandler(
                        index: index, config: config, stats: stats.value, coordinator: self)
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(to: addresses[index % addresses.count])
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    state.withLockedValue {
                        $0.progress.connected += 1
                        $0.channels.append(channel)
                    }
                case .failure(let error):
                    settle(index, failure: "connect: \(error)")
                }
            }
    }

    func noteRegistered() {
        state.withLockedValue {
            $0.progress.registered += 1
            $0.progress.lastRegisteredAt = monotonicNanos()
        }
    }

    /// A connection finished setup (registered, and joined if the mode uses channels).
    func settleReady(_ index: Int, handler: NIOLoopBound<BenchClientHandler>) {
        let next = state.withLockedValue { state -> Int? in
            if config.joinsChannels { state.progress.joined += 1 }
            state.progress.lastReadyAt = monotonicNanos()
            state.ready[index] = handler
            return takeNext(&state)
        }
        if let next { connect(next) }
    }

    /// A connection failed before it was ready; `failure` is a short reason for the report.
    func settle(_ index: Int, failure: String) {
        let next = state.withLockedValue { state -> Int? in
            state.progress.failed += 1
            let key = String(failure.prefix(120))
            state.progress.failures[key, default: 0] += 1
            return takeNext(&state)
        }
        if let next { connect(next) }
    }

    private func takeNext(_ state: inout State) -> Int? {
        state.progress.settled += 1
        state.progress.inFlight -= 1
        guard !state.shuttingDown, !state.launchingStopped, state.progress.launched < config.clients else { return nil }
        let next = state.progress.launched
        state.progress.launched += 1
        state.progress.inFlight += 1
        return next
    }
}
