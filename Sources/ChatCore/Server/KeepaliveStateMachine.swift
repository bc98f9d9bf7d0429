/// Liveness of one server-side connection: the registration deadline, idle pings and the
/// ping timeout. Time is monotonic milliseconds passed in by the I/O layer.
public struct KeepaliveStateMachine: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// Milliseconds a connection may take to register.
        public var registrationTimeout: Int64
        /// Milliseconds of silence after which the server sends `PING`.
        public var pingInterval: Int64
        /// Milliseconds to wait for any line after that `PING` before dropping the client.
        public var pingTimeout: Int64

        public init(registrationTimeout: Int64 = 30_000, pingInterval: Int64 = 90_000, pingTimeout: Int64 = 60_000) {
            self.registrationTimeout = registrationTimeout
            self.pingInterval = pingInterval
            self.pingTimeout = pingTimeout
        }
    }

    enum State: Sendable, Hashable {
        case registering(deadline: Int64)
        case active(lastActivity: Int64)
        case awaitingPong(sentAt: Int64)
        case closed
    }

    public enum Action: Sendable, Hashable {
        case none
        case sendPing
        case close(reason: String)
    }

    public let configuration: Configuration
    private(set) var state: State

    public init(configuration: Configuration, now: Int64) {
        self.configuration = configuration
        self.state = .registering(deadline: now + configuration.registrationTimeout)
    }

    /// When the I/O layer should next call ``timerFired(now:)``.
    public var nextDeadline: Int64? {
        switch state {
        case .registering(let deadline): deadline
        case .active(let lastActivity): lastActivity + configuration.pingInterval
        case .awaitingPong(let sentAt): sentAt + configuration.pingTimeout
        case .closed: nil
        }
    }

    public mutating func registered(now: Int64) {
        switch state {
        case .registering, .active, .awaitingPong: state = .active(lastActivity: now)
        case .closed: break
        }
    }

    /// Any line from the client proves it is alive.
    public mutating func lineReceived(now: Int64) {
        switch state {
        case .registering, .closed: break
        case .active, .awaitingPong: state = .active(lastActivity: now)
        }
    }

    public mutating func timerFired(now: Int64) -> Action {
        switch state {
        case .registering(let deadline):
            guard now >= deadline else { return .none }
            state = .closed
            return .close(reason: "Registration timeout")
        case .active(let lastActivity):
            guard now >= lastActivity + configuration.pingInterval else { return .none }
            state = .awaitingPong(sentAt: now)
            return .sendPing
        case .awaitingPong(let sentAt):
            guard now >= sentAt + configuration.pingTimeout else { return .none }
            state = .closed
            return .close(reason: "Ping timeout: \(configuration.pingTimeout / 1000) seconds")
        case .closed:
            return .none
        }
    }
}
