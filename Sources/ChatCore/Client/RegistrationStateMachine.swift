/// The registration sub-protocol: IRCv3 capability negotiation (`CAP LS 302` / `REQ` / `END`),
/// `PASS`/`NICK`/`USER`, and nick fallback, up to `001 RPL_WELCOME`.
///
/// The parent ``ClientStateMachine`` feeds it the registration-relevant messages and maps its
/// ``Action`` to client actions.
struct RegistrationStateMachine: Sendable, Hashable {
    enum State: Sendable, Hashable {
        /// `CAP LS 302` sent; collecting the (possibly multi-line) list. Values are CAP 302 `key=value`s.
        case listingCapabilities(offered: [String: String])
        /// `CAP REQ` sent; waiting for `ACK` / `NAK` (an `ACK` may also span lines).
        case requestingCapabilities(requested: [String], acknowledged: [String])
        /// `AUTHENTICATE PLAIN` sent (after `sasl` was acknowledged); waiting for the outcome.
        case authenticating
        /// `CAP END` sent (or the server does not do CAP); waiting for `001`.
        case awaitingWelcome
        /// `001` received.
        case registered
    }

    enum Action: Sendable, Hashable {
        case none
        case send([IRCMessage])
        /// Registration is complete with this nick and these capabilities enabled.
        case registered(nick: String, capabilities: [String], offered: [String: String])
        /// Our nick was rejected; `send` carries the `NICK` retry.
        case nickRejected(rejected: String, retry: IRCMessage, reason: String)
        /// No acceptable nick found: give up.
        case fail(reason: String)
        /// A plaintext connection to a server with an `sts` policy: stop and reconnect over TLS to `port`.
        case upgrade(port: Int)
        /// Logged in to this account (`900`).
        case loggedIn(account: String, send: [IRCMessage])
        /// SASL did not log in; registration goes on without an account.
        case loginFailed(reason: String, send: [IRCMessage])
    }

    private(set) var state: State = .listingCapabilities(offered: [:])
    private(set) var nick: String
    private(set) var offered: [String: String] = [:]
    private(set) var enabled: [String] = []
    /// The account `900` named.
    private(set) var loggedInAccount: String?

    /// The `sts` policy this TLS connection announced (for the client to keep), if any.
    var announcedPolicy: STSPolicy? {
        guard secure, let value = offered["sts"], let policy = STSPolicy.parse(value), policy.duration != nil else { return nil }
        return policy
    }
    private var fallback: NickFallback
    private let configuration: ClientConfiguration
    /// The connection is TLS.
    let secure: Bool

    init(configuration: ClientConfiguration, nick: String, nickLength: Int?, secure: Bool = false) {
        self.configuration = configuration
        self.secure = secure
        self.nick = nick
        self.fallback = NickFallback(base: nick, nickLength: nickLength)
    }

    /// The opening lines: `CAP LS 302`, `PASS` (if configured), `NICK`, `USER`.
    func start() -> [IRCMessage] {
        var messages = [IRCMessage("CAP", "LS", "302")]
        if let password = configuration.password {
            messages.append(IRCMessage("PASS", password))
        }
        messages.append(IRCMessage("NICK", nick))
        messages.append(IRCMessage("USER", configuration.userName, "0", "*", configuration.realName))
        return messages
    }

    /// A `CAP` message: `CAP <target> <subcommand> [*] :<list>`.
    mutating func capReceived(_ message: IRCMessage) -> Action {
        guard message.parameters.count >= 3 else { return .none }
        let subcommand = message.parameters[1].uppercased()
        let more = message.parameters.count >= 4 && message.parameters[2] == "*"
        let list = message.parameters[message.parameters.count - 1]
        let entries = list.split(separator: " ").map(String.init)

        switch state {
        case .listingCapabilities(var offered):
            guard subcommand == "LS" else { return .none }
            for entry in entries {
                let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                offered[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            if more {
                state = .listingCapabilities(offered: offered)
                return .none
            }
            self.offered = offered
            // IRCv3 sts: over plaintext a policy with a port means "go to TLS" before anything else.
            if !secure, let value = offered["sts"], let port = STSPolicy.parse(value)?.port {
                return .upgrade(port: port)
            }
            var wanted = configuration.requestedCapabilities.filter { offered[$0] != nil }
            if let sasl = configuration.sasl, let mechanisms = offered["sasl"],
               mechanisms.isEmpty || mechanisms.split(separator: ",").contains(Substring(sasl.mechanism)) {
                wanted.append("sasl")
            }
            if wanted.isEmpty {
                state = .awaitingWelcome
                return .send([IRCMessage("CAP", "END")])
            }
            state = .requestingCapabilities(requested: wanted, acknowledged: [])
            return .send([IRCMessage("CAP", "REQ", wanted.joined(separator: " "))])

        case .requestingCapabilities(let requested, var acknowledged):
            switch subcommand {
            case "ACK":
                acknowledged.append(contentsOf: entries.filter { !$0.hasPrefix("-") })
                if more {
                    state = .requestingCapabilities(requested: requested, acknowledged: acknowledged)
                    return .none
                }
                enabled = acknowledged
                if let sasl = configuration.sasl, acknowledged.contains("sasl") {
                    state = .authenticating
                    return .send([IRCMessage("AUTHENTICATE", sasl.mechanism)])
                }
                state = .awaitingWelcome
                return .send([IRCMessage("CAP", "END")])
            case "NAK":
                // The request is all-or-nothing: nothing was enabled.
                enabled = acknowledged
                state = .awaitingWelcome
                return .send([IRCMessage("CAP", "END")])
            default:
                return .none
            }

        case .authenticating, .awaitingWelcome, .registered:
            return .none
        }
    }

    /// `AUTHENTICATE +` (the server waits for our payload).
    func authenticateReceived(_ message: IRCMessage) -> Action {
        guard case .authenticating = state, message.parameters.first == "+", let sasl = configuration.sasl else { return .none }
        return .send(sasl.chunks.map { IRCMessage("AUTHENTICATE", $0) })
    }

    /// A SASL numeric (`900`, `902`–`908`) while authenticating.
    mutating func saslNumeric(_ message: IRCMessage) -> Action {
        guard case .authenticating = state else { return .none }
        switch message.command {
        case "900":
            loggedInAccount = message.parameters.count >= 3 ? message.parameters[2] : configuration.sasl?.account
            return .none
        case "903":
            state = .awaitingWelcome
            return .loggedIn(account: loggedInAccount ?? configuration.sasl?.account ?? "", send: [IRCMessage("CAP", "END")])
        case "907":
            state = .awaitingWelcome
            return .send([IRCMessage("CAP", "END")])
        default:
            state = .awaitingWelcome
            let reason = message.parameters.last ?? "SASL authentication failed"
            return .loginFailed(reason: reason, send: [IRCMessage("CAP", "END")])
        }
    }

    /// `421 ERR_UNKNOWNCOMMAND` (or `451`) for `CAP`: the server predates capabilities.
    mutating func capabilitiesUnsupported() -> Action {
        switch state {
        case .listingCapabilities, .requestingCapabilities, .authenticating:
            state = .awaitingWelcome
            return .none
        case .awaitingWelcome, .registered:
            return .none
        }
    }

    /// `001 RPL_WELCOME`: its first parameter is the nick the server gave us.
    mutating func welcomeReceived(_ message: IRCMessage) -> Action {
        switch state {
        case .listingCapabilities, .requestingCapabilities, .authenticating, .awaitingWelcome:
            if let given = message.parameters.first, !given.isEmpty, given != "*" {
                nick = given
            }
            state = .registered
            return .registered(nick: nick, capabilities: enabled, offered: offered)
        case .registered:
            return .none
        }
    }

    /// `433`/`436` (nick taken or collision) or `432` (erroneous) before `001`.
    mutating func nickRejected(_ message: IRCMessage, erroneous: Bool) -> Action {
        switch state {
        case .listingCapabilities, .requestingCapabilities, .authenticating, .awaitingWelcome:
            let rejected = message.parameters.count >= 2 ? message.parameters[1] : nick
            let reason = message.parameters.count >= 3 ? message.parameters[message.parameters.count - 1] : "Nickname rejected"
            guard let next = fallback.next(rejected: rejected, erroneous: erroneous) else {
                return .fail(reason: "No acceptable nickname (last tried \(rejected): \(reason))")
            }
            nick = next
            return .nickRejected(rejected: rejected, retry: IRCMessage("NICK", next), reason: reason)
        case .registered:
            return .none
        }
    }
}
