import NIOCore

/// The sans-IO IRC client connection: registration, keepalive, reconnect, channel tracking and the
/// translation between IRC messages and UI events.
///
/// The I/O layer owns the socket and one timer. It feeds every input into the matching `mutating`
/// method and runs the returned ``ClientAction``s in order. Time (`now`, wall-clock milliseconds since
/// the epoch) and randomness (`Random`, used only for reconnect jitter) are injected, so tests drive the
/// machine as a plain value.
///
/// States: `disconnected → connecting → registering → registered`, and on loss (not after a user quit)
/// `→ reconnecting → connecting → …` with exponential backoff.
public struct ClientStateMachine<Random: RandomNumberGenerator> {
    enum State {
        case disconnected(reason: String?)
        case connecting
        case registering(Registering)
        case registered(Session)
        /// We asked the I/O layer to close (or to cancel the connect); waiting for it to report.
        case closing(AfterClose)
        case reconnecting(at: Timestamp)
        /// Placeholder while a state's payload is mutated in place (avoids copy-on-write copies).
        case modifying
    }

    struct Registering {
        var registration: RegistrationStateMachine
        var deadline: Timestamp
    }

    struct Session {
        var nick: String
        var capabilities: Set<String>
        var roster = ChannelRoster()
        var keepalive: Keepalive
    }

    enum AfterClose {
        case disconnect(reason: String)
        case reconnect
        case connectNow
    }

    public let configuration: ClientConfiguration
    private var state: State = .disconnected(reason: nil)
    private var random: Random
    private var backoff: ReconnectBackoff
    /// The nick used for the next registration.
    public private(set) var preferredNick: String
    /// Channels to (re)join after registration, in join order: joined channels plus those requested
    /// while offline; updated on our own JOIN/PART/KICK.
    public private(set) var channelsToJoin: [String]
    private var channelKeys: [String: String] = [:]
    /// The last `005 RPL_ISUPPORT` values (kept across reconnects until new ones arrive).
    public private(set) var serverSupport = ServerSupport()
    /// Our `user@host`, learnt from our own echoed JOIN or messages; used to size split messages.
    public private(set) var userHost: String?

    public init(configuration: ClientConfiguration, random: Random) {
        self.configuration = configuration
        self.random = random
        self.backoff = ReconnectBackoff(
            base: configuration.reconnectBase, max: configuration.reconnectMax, jitter: configuration.reconnectJitter
        )
        self.preferredNick = configuration.nick
        self.channelsToJoin = []
        for channel in configuration.channels { addChannelToJoin(channel) }
    }

    // MARK: - Queries

    /// The state as the UI shows it.
    public var connectionState: ClientConnectionState {
        switch state {
        case .disconnected(let reason): .disconnected(reason: reason)
        case .connecting: .connecting
        case .registering: .registering
        case .registered(let session): .registered(nick: session.nick)
        case .closing: .disconnecting
        case .reconnecting(let at): .reconnecting(at: at)
        case .modifying: preconditionFailure("invalid state")
        }
    }

    /// Our current nick when registered, else the nick we will register with.
    public var nick: String {
        if case .registered(let session) = state { return session.nick }
        return preferredNick
    }

    /// Channels we are in, in join order (empty unless registered).
    public var joinedChannels: [String] {
        if case .registered(let session) = state { return session.roster.channelNames }
        return []
    }

    /// The tracked members of a joined channel, highest prefix first.
    public func members(of channel: String) -> [ChannelMember] {
        if case .registered(let session) = state { return session.roster.members(of: channel, serverSupport) }
        return []
    }

    /// The current topic of a joined channel, if known.
    public func topic(of channel: String) -> String? {
        if case .registered(let session) = state {
            return session.roster.channels[serverSupport.caseMapping.fold(channel)]?.topic
        }
        return nil
    }

    /// Capabilities the server acknowledged on this connection.
    public var enabledCapabilities: Set<String> {
        if case .registered(let session) = state { return session.capabilities }
        return []
    }

    /// Failed connection attempts since the last successful registration.
    public var reconnectAttempts: Int { backoff.attempts }

    // MARK: - Connection events

    /// The user wants to connect (or to reconnect now instead of waiting for the backoff).
    public mutating func connectRequested(now: Timestamp) -> [ClientAction] {
        switch state {
        case .disconnected:
            state = .connecting
            return [.emit(.stateChanged(.connecting)), .connect]
        case .reconnecting:
            state = .connecting
            return [.cancelTimer, .emit(.stateChanged(.connecting)), .connect]
        case .connecting, .registering, .registered:
            return []
        case .closing:
            state = .closing(.connectNow)
            return []
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// The TCP connection is open: start registration.
    public mutating func connected(now: Timestamp) -> [ClientAction] {
        switch state {
        case .connecting:
            let registration = RegistrationStateMachine(
                configuration: configuration, nick: preferredNick, nickLength: serverSupport.nickLength
            )
            let deadline = now.offset(by: configuration.registrationTimeout)
            state = .registering(Registering(registration: registration, deadline: deadline))
            return [.emit(.stateChanged(.registering))]
                + registration.start().map(ClientAction.send)
                + [.scheduleTimer(at: deadline)]
        case .closing:
            // The connect completed after we cancelled it.
            return [.close]
        case .disconnected, .registering, .registered, .reconnecting:
            preconditionFailure("connected() without a pending connect in \(state)")
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// Opening the TCP connection failed.
    public mutating func connectFailed(error: any Error, now: Timestamp) -> [ClientAction] {
        switch state {
        case .connecting:
            return scheduleReconnect(now: now, event: .error("Connection failed: \(error)"))
        case .closing(let after):
            return finishClose(after, now: now)
        case .disconnected, .registering, .registered, .reconnecting:
            preconditionFailure("connectFailed() without a pending connect in \(state)")
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// The connection closed (by the peer, by an error, or after our `.close`).
    public mutating func connectionClosed(error: (any Error)?, now: Timestamp) -> [ClientAction] {
        let reason = error.map { "Connection lost: \($0)" } ?? "Connection closed by the server"
        switch state {
        case .registered(let session):
            return membersCleared(session) + scheduleReconnect(now: now, event: .connectionLost(reason: reason))
        case .connecting, .registering:
            return scheduleReconnect(now: now, event: .connectionLost(reason: reason))
        case .closing(let after):
            return finishClose(after, now: now)
        case .disconnected, .reconnecting:
            preconditionFailure("connectionClosed() without a connection in \(state)")
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// The timer armed by ``ClientAction/scheduleTimer(at:)`` fired (early or late firing is harmless).
    public mutating func timerFired(now: Timestamp) -> [ClientAction] {
        switch state {
        case .registering(let registering):
            if now >= registering.deadline {
                state = .closing(.reconnect)
                return [
                    .emit(.connectionLost(reason: "Registration timed out")),
                    .emit(.stateChanged(.disconnecting)),
                    .close,
                ]
            }
            return [.scheduleTimer(at: registering.deadline)]

        case .registered(var session):
            state = .modifying
            let action = session.keepalive.timerFired(now: now)
            state = .registered(session)
            switch action {
            case .wait(let next):
                return [.scheduleTimer(at: next)]
            case .ping(let token, let next):
                return [.send(IRCMessage("PING", token)), .scheduleTimer(at: next)]
            case .dead(let silence):
                state = .closing(.reconnect)
                return membersCleared(session) + [
                    .emit(.connectionLost(reason: "Ping timeout: \(silence / 1000) seconds")),
                    .emit(.stateChanged(.disconnecting)),
                    .close,
                ]
            }

        case .reconnecting(let at):
            if now >= at {
                state = .connecting
                return [.emit(.stateChanged(.connecting)), .connect]
            }
            return [.scheduleTimer(at: at)]

        case .disconnected, .connecting, .closing:
            return []
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// Asks the server to confirm that it has processed everything sent so far: a `PING` whose
    /// `PONG` comes back as ``ClientEvent/synced(token:)`` with the same `token` (the server answers
    /// in order, after every earlier line). Only while registered; otherwise nothing is sent.
    public func syncWithServer(token: String) -> [ClientAction] {
        guard case .registered = state else { return [] }
        return [.send(IRCMessage("PING", Self.syncTokenPrefix + token))]
    }

    static var syncTokenPrefix: String { "chatty-sync-" }

    /// The user quits: no reconnect follows.
    public mutating func userQuit(reason: String?) -> [ClientAction] {
        switch state {
        case .registering, .registered:
            state = .closing(.disconnect(reason: "Quit"))
            let quit = reason.map { IRCMessage("QUIT", $0) } ?? IRCMessage("QUIT")
            return [.emit(.stateChanged(.disconnecting)), .cancelTimer, .send(quit), .close]
        case .connecting:
            state = .closing(.disconnect(reason: "Quit"))
            return [.emit(.stateChanged(.disconnecting)), .close]
        case .reconnecting:
            state = .disconnected(reason: "Quit")
            return [.cancelTimer, .emit(.stateChanged(.disconnected(reason: "Quit")))]
        case .closing:
            state = .closing(.disconnect(reason: "Quit"))
            return []
        case .disconnected:
            return []
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// One message from the server.
    public mutating func messageReceived(_ message: IRCMessage, now: Timestamp) -> [ClientAction] {
        switch state {
        case .registering(var registering):
            state = .modifying
            let actions = registeringMessage(message, registering: &registering, now: now)
            if case .modifying = state { state = .registering(registering) }
            return actions
        case .registered(var session):
            state = .modifying
            session.keepalive.received(now: now)
            let actions = registeredMessage(message, session: &session, now: now)
            if case .modifying = state { state = .registered(session) }
            return actions
        case .closing:
            if message.command == "ERROR" {
                return [.emit(.serverError(message.parameters.last ?? ""))]
            }
            return []
        case .disconnected, .connecting, .reconnecting:
            preconditionFailure("messageReceived() without a connection in \(state)")
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    // MARK: - User commands

    /// Sends `text` as `PRIVMSG`s to `target`, one per line and split to fit the 512-byte limit.
    /// Without `echo-message` the own lines are emitted as events right away.
    public mutating func sendMessage(target: String, text: String, now: Timestamp) -> [ClientAction] {
        sendChat(command: "PRIVMSG", target: target, text: text, ctcpAction: false, now: now)
    }

    /// Sends a CTCP `ACTION` (`/me`).
    public mutating func sendAction(target: String, text: String, now: Timestamp) -> [ClientAction] {
        sendChat(command: "PRIVMSG", target: target, text: text, ctcpAction: true, now: now)
    }

    /// Sends a `NOTICE`.
    public mutating func sendNotice(target: String, text: String, now: Timestamp) -> [ClientAction] {
        sendChat(command: "NOTICE", target: target, text: text, ctcpAction: false, now: now)
    }

    /// Joins `channel` (a `#` is added when the name has no channel prefix). Offline, the channel is
    /// remembered and joined after the next registration.
    public mutating func join(channel: String, key: String? = nil) -> [ClientAction] {
        let name = normalizedChannel(channel)
        guard Self.isValidParameter(name) else { return [.emit(.error("Invalid channel name: \(channel)"))] }
        if let key, !key.isEmpty {
            channelKeys[serverSupport.caseMapping.fold(name)] = key
        }
        switch state {
        case .registered:
            let keyParameter = channelKeys[serverSupport.caseMapping.fold(name)]
            return [.send(keyParameter.map { IRCMessage("JOIN", name, $0) } ?? IRCMessage("JOIN", name))]
        case .disconnected, .connecting, .registering, .closing, .reconnecting:
            for single in name.split(separator: ",") { addChannelToJoin(String(single)) }
            return [.emit(.serverInfo(code: nil, text: "\(name) will be joined once connected"))]
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// Leaves `channel`; it is no longer rejoined after a reconnect.
    public mutating func part(channel: String, reason: String? = nil) -> [ClientAction] {
        let name = normalizedChannel(channel)
        guard Self.isValidParameter(name) else { return [.emit(.error("Invalid channel name: \(channel)"))] }
        for single in name.split(separator: ",") { removeChannelToJoin(String(single)) }
        switch state {
        case .registered:
            return [.send(reason.map { IRCMessage("PART", name, $0) } ?? IRCMessage("PART", name))]
        case .disconnected, .connecting, .registering, .closing, .reconnecting:
            return []
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// Asks for a new nick; offline it becomes the nick for the next registration.
    public mutating func changeNick(_ newNick: String) -> [ClientAction] {
        guard Self.isValidParameter(newNick) else { return [.emit(.error("Invalid nickname: \(newNick)"))] }
        switch state {
        case .registered:
            return [.send(IRCMessage("NICK", newNick))]
        case .registering:
            preferredNick = newNick
            return [.send(IRCMessage("NICK", newNick))]
        case .disconnected, .connecting, .closing, .reconnecting:
            preferredNick = newNick
            return []
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// Sets the topic of `channel`.
    public func setTopic(channel: String, topic: String) -> [ClientAction] {
        registeredOnly { [.send(IRCMessage("TOPIC", normalizedChannel(channel), topic))] }
    }

    /// Asks for the topic of `channel` (answered with `332`/`331`).
    public func requestTopic(channel: String) -> [ClientAction] {
        registeredOnly { [.send(IRCMessage("TOPIC", normalizedChannel(channel)))] }
    }

    /// Asks for the member list of `channel` (answered with `353`… `366`, then a ``ClientEvent/names`` event).
    public func requestNames(channel: String) -> [ClientAction] {
        registeredOnly { [.send(IRCMessage("NAMES", normalizedChannel(channel)))] }
    }

    /// Sends one command built from what the user typed (`/away`, `/whois`, `/kick`…). Its
    /// parameters must be valid: only the last may contain spaces.
    public func sendCommand(_ message: IRCMessage) -> [ClientAction] {
        guard message.parameters.dropLast().allSatisfy(Self.isValidParameter),
              !(message.parameters.last ?? "").utf8.contains(where: { $0 == 0 || $0 == 13 || $0 == 10 }) else {
            return [.emit(.error("Invalid \(message.command): \(message.parameters.joined(separator: " "))"))]
        }
        return registeredOnly { [.send(message)] }
    }

    /// Sends a raw protocol line typed by the user (`/quote`).
    public func sendRaw(_ line: String) -> [ClientAction] {
        let message: IRCMessage
        do {
            message = try IRCMessage.parse(line)
        } catch {
            return [.emit(.error("Invalid raw line (\(error)): \(line)"))]
        }
        switch state {
        case .registering, .registered:
            return [.send(message)]
        case .disconnected, .connecting, .closing, .reconnecting:
            return [.emit(.error("Not connected"))]
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    // MARK: - Transitions

    private mutating func scheduleReconnect(now: Timestamp, event: ClientEvent?) -> [ClientAction] {
        let delay = backoff.nextDelay(random: nextRandomUnit())
        let at = now.offset(byMilliseconds: delay)
        state = .reconnecting(at: at)
        var actions: [ClientAction] = []
        if let event { actions.append(.emit(event)) }
        actions.append(.emit(.stateChanged(.reconnecting(at: at))))
        actions.append(.scheduleTimer(at: at))
        return actions
    }

    private mutating func finishClose(_ after: AfterClose, now: Timestamp) -> [ClientAction] {
        switch after {
        case .disconnect(let reason):
            state = .disconnected(reason: reason)
            return [.cancelTimer, .emit(.stateChanged(.disconnected(reason: reason)))]
        case .reconnect:
            return scheduleReconnect(now: now, event: nil)
        case .connectNow:
            state = .connecting
            return [.emit(.stateChanged(.connecting)), .connect]
        }
    }

    /// A value in `0..<1` from the injected generator (53 random bits).
    private mutating func nextRandomUnit() -> Double {
        Double(random.next() >> 11) * 0x1p-53
    }

    // MARK: - Registration

    private mutating func registeringMessage(
        _ message: IRCMessage, registering: inout Registering, now: Timestamp
    ) -> [ClientAction] {
        let action: RegistrationStateMachine.Action
        switch message.command {
        case "PING":
            return [.send(IRCMessage("PONG", message.parameters.last ?? ""))]
        case "CAP":
            action = registering.registration.capReceived(message)
        case "001":
            action = registering.registration.welcomeReceived(message)
        case "433", "436":
            action = registering.registration.nickRejected(message, erroneous: false)
        case "432":
            action = registering.registration.nickRejected(message, erroneous: true)
        case "421" where Self.isAboutCAP(message), "451" where Self.isAboutCAP(message):
            action = registering.registration.capabilitiesUnsupported()
        case "ERROR":
            return [.emit(.serverError(message.parameters.last ?? ""))]
        default:
            return displayGeneric(message, ownNick: registering.registration.nick, now: now)
        }

        switch action {
        case .none:
            return []
        case .send(let messages):
            return messages.map(ClientAction.send)
        case .nickRejected(let rejected, let retry, let reason):
            let code = Int(message.command) ?? 433
            return [
                .emit(.numericError(code: code, text: "\(rejected): \(reason)")),
                .send(retry),
            ]
        case .fail(let reason):
            state = .closing(.disconnect(reason: reason))
            return [
                .emit(.error(reason)), .emit(.stateChanged(.disconnecting)), .cancelTimer, .send(IRCMessage("QUIT")),
                .close,
            ]
        case .registered(let nick, let capabilities, _):
            backoff.reset()
            let session = Session(
                nick: nick,
                capabilities: Set(capabilities),
                keepalive: Keepalive(
                    interval: configuration.keepaliveInterval, timeout: configuration.keepaliveTimeout, now: now
                )
            )
            state = .registered(session)
            var actions: [ClientAction] = [
                .emit(.serverInfo(code: 1, text: Self.numericText(message))),
                .emit(.stateChanged(.registered(nick: nick))),
            ]
            for channel in channelsToJoin {
                if let key = channelKeys[serverSupport.caseMapping.fold(channel)] {
                    actions.append(.send(IRCMessage("JOIN", channel, key)))
                } else {
                    actions.append(.send(IRCMessage("JOIN", channel)))
                }
            }
            actions.append(.scheduleTimer(at: session.keepalive.deadline))
            return actions
        }
    }

    // MARK: - Registered

    private mutating func registeredMessage(
        _ message: IRCMessage, session: inout Session, now: Timestamp
    ) -> [ClientAction] {
        let parameters = message.parameters
        let sender = message.sourceNick ?? ""
        let isSelf = isSameNick(sender, session.nick)
        if isSelf, let source = message.source, let bang = source.firstIndex(of: "!") {
            userHost = String(source[source.index(after: bang)...])
        }

        switch message.command {
        case "PING":
            return [.send(IRCMessage("PONG", parameters.last ?? ""))]

        case "PONG":
            let token = parameters.last ?? ""
            if token.hasPrefix(Self.syncTokenPrefix) {
                return [.emit(.synced(token: String(token.dropFirst(Self.syncTokenPrefix.count))))]
            }
            guard let lag = session.keepalive.pongReceived(token: token, now: now) else { return [] }
            return [.emit(.lag(milliseconds: lag))]

        case "PRIVMSG", "NOTICE":
            guard parameters.count >= 2 else { return malformed(message) }
            return chatReceived(message, ownNick: session.nick, now: now)

        case "JOIN":
            guard let channel = parameters.first, !sender.isEmpty else { return malformed(message) }
            if isSelf {
                session.roster.selfJoined(channel, nick: session.nick, serverSupport)
                addChannelToJoin(channel)
            } else {
                session.roster.memberJoined(channel, nick: sender, serverSupport)
            }
            return [.emit(.joined(channel: channel, nick: sender, isOwn: isSelf))] + membersChanged([channel], session)

        case "PART":
            guard let channels = parameters.first, !sender.isEmpty else { return malformed(message) }
            let reason = parameters.count >= 2 ? parameters[1] : nil
            var actions: [ClientAction] = []
            for channel in channels.split(separator: ",").map(String.init) {
                if isSelf {
                    session.roster.selfLeft(channel, serverSupport)
                    removeChannelToJoin(channel)
                } else {
                    session.roster.memberLeft(channel, nick: sender, serverSupport)
                }
                actions.append(.emit(.parted(channel: channel, nick: sender, reason: reason, isOwn: isSelf)))
                actions += membersChanged([channel], session)
            }
            return actions

        case "KICK":
            guard parameters.count >= 2 else { return malformed(message) }
            let (channel, victim) = (parameters[0], parameters[1])
            let reason = parameters.count >= 3 ? parameters[2] : nil
            let ownKick = isSameNick(victim, session.nick)
            if ownKick {
                session.roster.selfLeft(channel, serverSupport)
                removeChannelToJoin(channel)
            } else {
                session.roster.memberLeft(channel, nick: victim, serverSupport)
            }
            return [.emit(.kicked(channel: channel, nick: victim, by: sender, reason: reason, isOwn: ownKick))]
                + membersChanged([channel], session)

        case "QUIT":
            guard !sender.isEmpty, !isSelf else { return [] }
            let channels = session.roster.memberQuit(nick: sender, serverSupport)
            return [.emit(.quit(nick: sender, reason: parameters.first, channels: channels))] + membersChanged(channels, session)

        case "NICK":
            guard let newNick = parameters.first, !sender.isEmpty else { return malformed(message) }
            let channels = session.roster.rename(sender, to: newNick, serverSupport)
            if isSelf {
                session.nick = newNick
                preferredNick = newNick
                return [
                    .emit(.nickChanged(old: sender, new: newNick, isOwn: true, channels: channels)),
                    .emit(.stateChanged(.registered(nick: newNick))),
                ] + membersChanged(channels, session)
            }
            return [.emit(.nickChanged(old: sender, new: newNick, isOwn: false, channels: channels))]
                + membersChanged(channels, session)

        case "TOPIC":
            guard parameters.count >= 2 else { return malformed(message) }
            session.roster.setTopic(parameters[0], parameters[1], serverSupport)
            return [.emit(.topic(channel: parameters[0], text: parameters[1], setBy: sender, isChange: true))]

        case "MODE":
            guard parameters.count >= 2 else { return malformed(message) }
            let arguments = Array(parameters.dropFirst(2))
            var changed: [String] = []
            if serverSupport.isChannel(parameters[0]) {
                session.roster.applyMode(parameters[0], modes: parameters[1], parameters: arguments, serverSupport)
                changed = [parameters[0]]
            }
            return [.emit(.mode(target: parameters[0], modes: parameters[1], parameters: arguments,
                                by: message.sourceNick))] + membersChanged(changed, session)

        case "INVITE":
            guard parameters.count >= 2 else { return malformed(message) }
            return [.emit(.invited(channel: parameters[1], by: sender))]

        case "CAP":
            return capabilityChange(message, session: &session)

        case "ERROR":
            return [.emit(.serverError(parameters.last ?? ""))]

        case "BATCH", "TAGMSG":
            return []

        case "005":
            serverSupport.apply(parameters.dropFirst().dropLast())
            return [.emit(.serverInfo(code: 5, text: Self.numericText(message)))]

        case "331", "332":
            guard parameters.count >= 3 else { return malformed(message) }
            let text = message.command == "332" ? parameters[2] : ""
            session.roster.setTopic(parameters[1], text.isEmpty ? nil : text, serverSupport)
            return [.emit(.topic(channel: parameters[1], text: text, setBy: nil, isChange: false))]

        case "333":
            guard parameters.count >= 3 else { return malformed(message) }
            let setter = parameters[2].split(separator: "!", maxSplits: 1).first.map(String.init) ?? parameters[2]
            let at = parameters.count >= 4 ? Int64(parameters[3]).map { Timestamp(millisecondsSinceEpoch: $0 * 1000) } : nil
            return [.emit(.topicSetBy(channel: parameters[1], setBy: setter, at: at))]

        case "353":
            guard parameters.count >= 3 else { return malformed(message) }
            session.roster.namesReceived(parameters[parameters.count - 2], entries: parameters[parameters.count - 1],
                                         serverSupport)
            return []

        case "366":
            guard parameters.count >= 2 else { return malformed(message) }
            let members = session.roster.namesEnded(parameters[1], serverSupport)
            return [.emit(.names(channel: parameters[1], members: members))] + membersChanged([parameters[1]], session)

        default:
            return displayGeneric(message, ownNick: session.nick, now: now)
        }
    }

    private func capabilityChange(_ message: IRCMessage, session: inout Session) -> [ClientAction] {
        guard message.parameters.count >= 3 else { return [] }
        let entries = message.parameters[message.parameters.count - 1].split(separator: " ").map(String.init)
        let names = entries.map { String($0.split(separator: "=", maxSplits: 1).first ?? "") }
        switch message.parameters[1].uppercased() {
        case "NEW":
            let wanted = configuration.requestedCapabilities.filter {
                names.contains($0) && !session.capabilities.contains($0)
            }
            return wanted.isEmpty ? [] : [.send(IRCMessage("CAP", "REQ", wanted.joined(separator: " ")))]
        case "DEL":
            for name in names { session.capabilities.remove(name) }
            return []
        case "ACK":
            for entry in entries {
                if entry.hasPrefix("-") {
                    session.capabilities.remove(String(entry.dropFirst()))
                } else {
                    session.capabilities.insert(entry)
                }
            }
            return []
        default:
            return []
        }
    }

    // MARK: - Chat

    private func chatReceived(_ message: IRCMessage, ownNick: String, now: Timestamp) -> [ClientAction] {
        let target = message.parameters[0]
        let text = message.parameters[1]
        let isNotice = message.command == "NOTICE"
        let sender = message.sourceNick ?? ""
        let isOwn = isSameNick(sender, ownNick)
        let time = message.tag("time").flatMap(ServerTime.parse) ?? now
        let msgid = message.tag("msgid")

        let conversation: Conversation
        if let channel = channelTarget(target) {
            conversation = .channel(channel)
        } else if isOwn {
            conversation = .privateChat(target)
        } else if message.source == nil || !(message.source ?? "").contains("!") || target == "*" {
            conversation = .server
        } else {
            conversation = .privateChat(sender)
        }

        func chat(_ text: String) -> ChatMessage {
            ChatMessage(conversation: conversation, sender: sender, text: text, time: time, msgid: msgid, isOwn: isOwn)
        }

        guard let ctcp = CTCP(text) else {
            return [.emit(isNotice ? .notice(chat(text)) : .message(chat(text)))]
        }
        if ctcp.command == "ACTION" && !isNotice {
            return [.emit(.action(chat(ctcp.argument)))]
        }
        if isOwn {
            // Our own CTCP requests and replies, echoed back by `echo-message`.
            return []
        }
        if isNotice {
            return [.emit(.ctcpReply(from: sender, command: ctcp.command, argument: ctcp.argument))]
        }
        var actions: [ClientAction] = [
            .emit(.ctcpRequest(from: sender, command: ctcp.command, argument: ctcp.argument))
        ]
        let reply: String?
        switch ctcp.command {
        case "VERSION": reply = configuration.versionReply
        case "PING": reply = ctcp.argument
        case "TIME": reply = now.iso8601
        case "CLIENTINFO": reply = "ACTION CLIENTINFO PING TIME VERSION"
        default: reply = nil
        }
        if let reply, !sender.isEmpty {
            let body = reply.isEmpty ? ctcp.command : "\(ctcp.command) \(reply)"
            actions.append(.send(IRCMessage("NOTICE", sender, "\u{01}\(body)\u{01}")))
        }
        return actions
    }

    private func sendChat(
        command: String, target: String, text: String, ctcpAction: Bool, now: Timestamp
    ) -> [ClientAction] {
        guard case .registered(let session) = state else {
            return [.emit(.error("Not connected: message to \(target) not sent"))]
        }
        guard Self.isValidParameter(target) else { return [.emit(.error("Invalid target: \(target)"))] }
        let wrapper = ctcpAction ? "\u{01}ACTION \u{01}".utf8.count : 0
        let budget = max(16, textBudget(command: command, target: target, nick: session.nick) - wrapper)
        let echoed = session.capabilities.contains("echo-message")
        let conversation: Conversation = channelTarget(target).map(Conversation.channel) ?? .privateChat(target)

        var actions: [ClientAction] = []
        for piece in MessageSplitter.split(text, maxBytes: budget) {
            let body = ctcpAction ? "\u{01}ACTION \(piece)\u{01}" : piece
            actions.append(.send(IRCMessage(command, target, body)))
            if !echoed {
                let own = ChatMessage(conversation: conversation, sender: session.nick, text: piece, time: now, isOwn: true)
                if ctcpAction {
                    actions.append(.emit(.action(own)))
                } else if command == "NOTICE" {
                    actions.append(.emit(.notice(own)))
                } else {
                    actions.append(.emit(.message(own)))
                }
            }
        }
        return actions
    }

    /// Bytes left for the text of `COMMAND target :text` once the server has added `:nick!user@host `.
    func textBudget(command: String, target: String, nick: String) -> Int {
        let userHostLength = userHost?.utf8.count ?? Self.estimatedUserHostLength
        let prefix = 1 + nick.utf8.count + 1 + userHostLength + 1  // ":nick!user@host "
        let fixed = command.utf8.count + 1 + target.utf8.count + 2 + 2  // "CMD target :" + CR LF
        return Self.maximumLineLength - prefix - fixed
    }

    static var maximumLineLength: Int { 512 }
    static var estimatedUserHostLength: Int { 64 }

    // MARK: - Helpers

    /// MOTD, welcome lines, other numerics and unknown commands, as text.
    private func displayGeneric(_ message: IRCMessage, ownNick: String, now: Timestamp) -> [ClientAction] {
        switch message.command {
        case "NOTICE" where message.parameters.count >= 2:
            return chatReceived(message, ownNick: ownNick, now: now)
        case "PRIVMSG" where message.parameters.count >= 2:
            return chatReceived(message, ownNick: ownNick, now: now)
        default:
            break
        }
        guard let code = Int(message.command), message.command.utf8.count == 3 else {
            return [.emit(.serverInfo(code: nil, text: message.description))]
        }
        let text = Self.numericText(message)
        if (400..<600).contains(code) {
            return [.emit(.numericError(code: code, text: text))]
        }
        return [.emit(.serverInfo(code: code, text: text))]
    }

    private func malformed(_ message: IRCMessage) -> [ClientAction] {
        [.emit(.serverInfo(code: nil, text: message.description))]
    }

    /// A numeric without its first parameter (our nick): middle parameters, then `: trailing`.
    static func numericText(_ message: IRCMessage) -> String {
        let rest = Array(message.parameters.dropFirst())
        guard let last = rest.last else { return "" }
        let middle = rest.dropLast()
        if middle.isEmpty { return last }
        return middle.joined(separator: " ") + ": " + last
    }

    /// `members` events for the given channels, as the roster has them now (empty for a channel we
    /// are no longer in).
    private func membersChanged(_ channels: [String], _ session: Session) -> [ClientAction] {
        channels.map { .emit(.members(channel: $0, members: session.roster.members(of: $0, serverSupport))) }
    }

    /// The connection is gone: every joined channel's member list empties until we are back in it.
    private func membersCleared(_ session: Session) -> [ClientAction] {
        session.roster.channelNames.map { .emit(.members(channel: $0, members: [])) }
    }

    private func registeredOnly(_ actions: () -> [ClientAction]) -> [ClientAction] {
        switch state {
        case .registered:
            return actions()
        case .disconnected, .connecting, .registering, .closing, .reconnecting:
            return [.emit(.error("Not connected"))]
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    private func isSameNick(_ lhs: String, _ rhs: String) -> Bool {
        serverSupport.caseMapping.fold(lhs) == serverSupport.caseMapping.fold(rhs)
    }

    /// The channel a message target refers to, also for `STATUSMSG` targets like `@#chan`.
    private func channelTarget(_ target: String) -> String? {
        if serverSupport.isChannel(target) { return target }
        if let first = target.first, serverSupport.prefixSymbols.contains(first) {
            let rest = String(target.dropFirst())
            if serverSupport.isChannel(rest) { return rest }
        }
        return nil
    }

    private func normalizedChannel(_ channel: String) -> String {
        serverSupport.isChannel(channel) || channel.isEmpty ? channel : "#" + channel
    }

    private mutating func addChannelToJoin(_ channel: String) {
        let key = serverSupport.caseMapping.fold(channel)
        if !channelsToJoin.contains(where: { serverSupport.caseMapping.fold($0) == key }) {
            channelsToJoin.append(channel)
        }
    }

    private mutating func removeChannelToJoin(_ channel: String) {
        let key = serverSupport.caseMapping.fold(channel)
        channelsToJoin.removeAll { serverSupport.caseMapping.fold($0) == key }
        channelKeys[key] = nil
    }

    private static func isAboutCAP(_ message: IRCMessage) -> Bool {
        message.parameters.count >= 2 && message.parameters[1].uppercased() == "CAP"
    }

    static func isValidParameter(_ value: String) -> Bool {
        !value.isEmpty && !value.hasPrefix(":")
            && !value.utf8.contains { $0 == UInt8(ascii: " ") || $0 == 0 || $0 == 13 || $0 == 10 }
    }
}

extension ClientStateMachine: Sendable where Random: Sendable {}

extension ClientStateMachine where Random == SystemRandomNumberGenerator {
    /// A machine using the system random generator for reconnect jitter.
    public init(configuration: ClientConfiguration) {
        self.init(configuration: configuration, random: SystemRandomNumberGenerator())
    }
}

/// A CTCP message: `\u{01}COMMAND argument\u{01}` inside a `PRIVMSG` (request) or `NOTICE` (reply).
struct CTCP: Sendable, Hashable {
    var command: String
    var argument: String

    init?(_ text: String) {
        guard text.first == "\u{01}" else { return nil }
        var body = text.dropFirst()
        if body.last == "\u{01}" { body = body.dropLast() }
        guard !body.isEmpty else { return nil }
        if let space = body.firstIndex(of: " ") {
            command = body[..<space].uppercased()
            argument = String(body[body.index(after: space)...])
        } else {
            command = body.uppercased()
            argument = ""
        }
    }
}
