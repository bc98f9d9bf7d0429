/// Liveness of one server link. Time is monotonic milliseconds passed in by the I/O layer.
///
/// After ``Configuration/interval`` ms without any line from the peer, send one `PING`; after
/// ``Configuration/timeout`` ms without any line, the link is dead. Any line (not only a `PONG`)
/// proves the peer is alive and restarts both periods.
public struct LinkKeepalive: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// Milliseconds of silence after which to send `PING`.
        public var interval: Int64
        /// Milliseconds of silence after which the link is dead; greater than `interval`.
        public var timeout: Int64

        public init(interval: Int64 = 30_000, timeout: Int64 = 90_000) {
            self.interval = interval
            self.timeout = timeout
        }
    }

    enum State: Sendable, Hashable {
        /// No ping sent since the last line.
        case active(lastLine: Int64)
        /// A ping was sent; waiting for any line.
        case pinged(lastLine: Int64)
        case dead
    }

    public enum Action: Sendable, Hashable {
        case none
        case sendPing
        /// Close the link and treat the peer as gone.
        case dead
    }

    public let configuration: Configuration
    private(set) var state: State

    /// - Parameter now: When the link came up (counts as the last line).
    public init(configuration: Configuration, now: Int64) {
        precondition(configuration.interval > 0, "interval must be positive")
        precondition(configuration.timeout > configuration.interval, "timeout must be longer than interval")
        self.configuration = configuration
        self.state = .active(lastLine: now)
    }

    /// When the I/O layer should next call ``timerFired(now:)``; `nil` once dead.
    public var nextDeadline: Int64? {
        switch state {
        case .active(let lastLine): lastLine + configuration.interval
        case .pinged(let lastLine): lastLine + configuration.timeout
        case .dead: nil
        }
    }

    /// Any line arrived from the peer.
    public mutating func lineReceived(now: Int64) {
        switch state {
        case .active, .pinged: state = .active(lastLine: now)
        case .dead: break
        }
    }

    public mutating func timerFired(now: Int64) -> Action {
        switch state {
        case .active(let lastLine):
            if now >= lastLine + configuration.timeout {
                state = .dead
                return .dead
            }
            guard now >= lastLine + configuration.interval else { return .none }
            state = .pinged(lastLine: lastLine)
            return .sendPing
        case .pinged(let lastLine):
            guard now >= lastLine + configuration.timeout else { return .none }
            state = .dead
            return .dead
        case .dead:
            return .none
        }
    }
}
