/// Liveness of one connection to a peer, the same rules for every kind of peer: a client of this
/// server, a linked server, and the server this client talks to.
///
/// - An optional registration deadline (a server's clients must register in time).
/// - After ``Configuration/pingInterval`` ms without any line from the peer, one `PING`.
/// - After ``Configuration/pingTimeout`` ms more without any line, the peer is gone.
/// - Any line (not only the `PONG`) proves the peer alive and restarts both periods; the matching
///   `PONG` also gives the round-trip time.
///
/// Time is milliseconds on one monotonic clock the I/O layer chooses; only differences matter.
public struct PeerKeepalive: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// Milliseconds a new connection may take to register; `nil` when there is no deadline.
        public var registrationTimeout: Int64?
        /// Milliseconds of silence after which to send `PING`.
        public var pingInterval: Int64
        /// Milliseconds to wait for any line after that `PING`.
        public var pingTimeout: Int64

        public init(registrationTimeout: Int64? = nil, pingInterval: Int64, pingTimeout: Int64) {
            precondition(pingInterval > 0 && pingTimeout > 0, "keepalive periods must be positive")
            self.registrationTimeout = registrationTimeout
            self.pingInterval = pingInterval
            self.pingTimeout = pingTimeout
        }

        /// A server's clients: 30 s to register, a `PING` after 90 s of silence, 60 s to answer.
        public static let serverClient = Configuration(registrationTimeout: 30_000, pingInterval: 90_000, pingTimeout: 60_000)

        /// A link declared dead after `silence` ms without a line, pinged at a third of that.
        public static func link(silence: Int64) -> Configuration {
            let interval = max(1, silence / 3)
            return Configuration(pingInterval: interval, pingTimeout: max(1, silence - interval))
        }
    }

    /// Why the peer is considered gone.
    public enum Timeout: Sendable, Hashable {
        case registration
        /// Nothing at all arrived for `silence` ms, a `PING` included.
        case ping(silence: Int64)

        /// The text for `ERROR` and the logs.
        public var reason: String {
            switch self {
            case .registration: "Registration timeout"
            case .ping(let silence): "Ping timeout: \(silence / 1000) seconds"
            }
        }
    }

    public enum Action: Sendable, Hashable {
        case none
        /// Send `PING token`.
        case sendPing(token: String)
        /// Close the connection; the peer is gone.
        case timedOut(Timeout)
    }

    enum State: Sendable, Hashable {
        case registering(deadline: Int64)
        /// No `PING` outstanding since the last line.
        case idle(lastLine: Int64)
        /// A `PING` went out at `pingSentAt`; waiting for any line.
        case pinged(lastLine: Int64, pingSentAt: Int64)
        case closed
    }

    struct PendingPing: Sendable, Hashable {
        var token: String
        var sentAt: Int64
    }

    public let configuration: Configuration
    private(set) var state: State
    /// The last `PING` whose `PONG` has not come yet (kept after other lines, for the lag).
    private(set) var pendingPing: PendingPing?

    /// - Parameter now: When the connection came up (counts as its last line).
    public init(configuration: Configuration, now: Int64) {
        self.configuration = configuration
        if let registrationTimeout = configuration.registrationTimeout {
            state = .registering(deadline: now + registrationTimeout)
        } else {
            state = .idle(lastLine: now)
        }
    }

    /// When the I/O layer should next call ``timerFired(now:)``; `nil` once timed out.
    public var nextDeadline: Int64? {
        switch state {
        case .registering(let deadline): deadline
        case .idle(let lastLine): lastLine + configuration.pingInterval
        case .pinged(_, let pingSentAt): pingSentAt + configuration.pingTimeout
        case .closed: nil
        }
    }

    public var isTimedOut: Bool { state == .closed }

    /// The peer completed registration; the ping periods start now.
    public mutating func registered(now: Int64) {
        switch state {
        case .registering, .idle, .pinged: state = .idle(lastLine: now)
        case .closed: break
        }
    }

    /// Any line arrived from the peer.
    public mutating func lineReceived(now: Int64) {
        switch state {
        case .registering, .closed: break
        case .idle(let lastLine), .pinged(let lastLine, _): state = .idle(lastLine: max(lastLine, now))
        }
    }

    /// A `PONG` arrived: the round-trip time in milliseconds when it answers our pending `PING`.
    public mutating func pongReceived(token: String, now: Int64) -> Int64? {
        guard let pendingPing, pendingPing.token == token else { return nil }
        self.pendingPing = nil
        return max(0, now - pendingPing.sentAt)
    }

    public mutating func timerFired(now: Int64) -> Action {
        switch state {
        case .registering(let deadline):
            guard now >= deadline else { return .none }
            state = .closed
            return .timedOut(.registration)
        case .idle(let lastLine):
            // Even a timer that fires very late pings first: the stall may have been ours, with
            // the peer's lines waiting unread in the socket.
            guard now >= lastLine + configuration.pingInterval else { return .none }
            let token = "chatty-\(now)"
            state = .pinged(lastLine: lastLine, pingSentAt: now)
            pendingPing = PendingPing(token: token, sentAt: now)
            return .sendPing(token: token)
        case .pinged(let lastLine, let pingSentAt):
            guard now >= pingSentAt + configuration.pingTimeout else { return .none }
            state = .closed
            return .timedOut(.ping(silence: now - lastLine))
        case .closed:
            return .none
        }
    }
}
