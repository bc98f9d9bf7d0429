/// The registration of one client connection: `CAP` negotiation, `PASS`, `NICK` and `USER`,
/// until the server may send the welcome burst.
///
/// Registration completes once a nick and a user have been given and capability negotiation,
/// if the client started it with `CAP LS`/`CAP REQ`, has been ended with `CAP END`.
public struct ServerRegistrationStateMachine: Sendable, Hashable {
    enum State: Sendable, Hashable {
        /// Boxed: the pending strings are needed only until registration completes, and the
        /// record of every registered client would otherwise keep 64 bytes of room for them.
        indirect case registering(Pending)
        case registered
    }

    struct Pending: Sendable, Hashable {
        var nick: String?
        var user: String?
        var realName: String?
        var password: String?
        var negotiatingCapabilities = false
    }

    public enum Action: Sendable, Hashable {
        /// Nothing to do yet.
        case wait
        /// All parts are there: welcome the client.
        case register(nick: String, user: String, realName: String, password: String?)
        /// The command is only valid before registration (`462`).
        case alreadyRegistered
    }

    private(set) var state: State = .registering(Pending())

    public init() {}

    public var isRegistered: Bool {
        switch state {
        case .registering: false
        case .registered: true
        }
    }

    public mutating func capabilityNegotiationStarted() -> Action {
        switch state {
        case .registering(var pending):
            pending.negotiatingCapabilities = true
            state = .registering(pending)
            return .wait
        case .registered:
            return .wait
        }
    }

    public mutating func capabilityNegotiationEnded() -> Action {
        switch state {
        case .registering(var pending):
            pending.negotiatingCapabilities = false
            return complete(pending)
        case .registered:
            return .wait
        }
    }

    public mutating func passwordReceived(_ password: String) -> Action {
        switch state {
        case .registering(var pending):
            pending.password = password
            state = .registering(pending)
            return .wait
        case .registered:
            return .alreadyRegistered
        }
    }

    /// A nick was accepted (valid and not in use) before registration.
    public mutating func nickAccepted(_ nick: String) -> Action {
        switch state {
        case .registering(var pending):
            pending.nick = nick
            return complete(pending)
        case .registered:
            preconditionFailure("nick changes after registration are not part of registration")
        }
    }

    public mutating func userReceived(user: String, realName: String) -> Action {
        switch state {
        case .registering(var pending):
            if pending.user != nil { return .alreadyRegistered }
            pending.user = user
            pending.realName = realName
            return complete(pending)
        case .registered:
            return .alreadyRegistered
        }
    }

    private mutating func complete(_ pending: Pending) -> Action {
        guard let nick = pending.nick, let user = pending.user, !pending.negotiatingCapabilities else {
            state = .registering(pending)
            return .wait
        }
        state = .registered
        return .register(nick: nick, user: user, realName: pending.realName ?? "", password: pending.password)
    }
}
