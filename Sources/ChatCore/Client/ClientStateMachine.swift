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
///
/// This file holds the states, the connection events and the transitions; the concepts on top of
/// them are in their own files: registration (`+Registration`), a registered session's roster and
/// capability changes (`+Session`), chat out (`+Chat`), and user commands (`+Commands`).
/// The sub-machines they use are values of their own: ``RegistrationStateMachine``,
/// ``ChannelRoster``, ``CapabilityTracker``, ``MessageTranslator`` (the way in), ``PeerKeepalive``,
/// ``NickFallback``, ``MessageSplitter``, ``ReconnectBackoff``.
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
        var capabilities: CapabilityTracker
        var roster = ChannelRoster()
        var keepalive: PeerKeepalive
        /// `/identify` sent `AUTHENTICATE PLAIN`; the payload follows the server's `AUTHENTICATE +`.
        var pendingLogin: SASLLogin?
        /// Channels (folded) whose members' away state we asked for with our own `WHO` (its replies
        /// are not shown).
        var pendingWho: Set<String> = []
        /// Channels (folded) asked about since we joined them.
        var whoAsked: Set<String> = []
        /// What one `draft/multiline` message may hold, when the server offers it (and we use it).
        var multiline: MultilineLimits?
        /// Numbers our multiline batches.
        var batchCounter = 0
        /// Registered under a fallback (`alice_`): the nick we want back as soon as it is free.
        var reclaimNick: String?
        /// Whether the server was asked to tell us when ``reclaimNick`` is free (`MONITOR`).
        var reclaimWatched = false

        /// When the keepalive wants the timer (the client's clock counts milliseconds since the epoch).
        var keepaliveDeadline: Timestamp {
            Timestamp(millisecondsSinceEpoch: keepalive.nextDeadline ?? Int64.max)
        }
    }

    enum AfterClose {
        case disconnect(reason: String)
        case reconnect
        case connectNow
    }

    public let configuration: ClientConfiguration
    var state: State = .disconnected(reason: nil)
    var random: Random
    var backoff: ReconnectBackoff
    /// The nick used for the next registration.
    public internal(set) var preferredNick: String
    /// Channels to (re)join after registration, in join order: joined channels plus those requested
    /// while offline; updated on our own JOIN/PART/KICK.
    public internal(set) var channelsToJoin: [String]
    var channelKeys: [String: String] = [:]
    /// Nicks watched with `MONITOR` (the open private conversations), asked again after a reconnect.
    public internal(set) var monitored: [String] = []
    /// The last `005 RPL_ISUPPORT` values (kept across reconnects until new ones arrive).
    public internal(set) var serverSupport = ServerSupport()
    /// Our `user@host`, learnt from our own echoed JOIN or messages; used to size split messages.
    public internal(set) var userHost: String?
    /// Catching up with the server's history (kept across reconnects: the last message seen).
    var history: HistorySync
    /// The newest read marker sent or received per conversation key (`draft/read-marker`).
    var readMarkers: [String: Timestamp] = [:]
    /// Messages sent with `echo-message` and not echoed yet, oldest first: a refusal (401, 404, …)
    /// says which text was not sent, and a lost connection which were not confirmed.
    var unechoed: [UnechoedMessage] = []
    /// Open `labeled-response` batches answering our typing notifications (dropped unread).
    var typingReplyBatches: Set<String> = []
    /// The label our typing notifications carry where the server offers `labeled-response`: what it
    /// answers them (an ACK, the echo, a refusal such as 404 in a moderated channel) is no news to the
    /// user, and without the label a refusal could not be told from one of a message.
    static var typingLabel: String { "chatty-typing" }

    public init(configuration: ClientConfiguration, random: Random) {
        self.configuration = configuration
        self.random = random
        self.backoff = ReconnectBackoff(
            base: configuration.reconnectBase, max: configuration.reconnectMax, jitter: configuration.reconnectJitter
        )
        self.preferredNick = configuration.nick
        self.history = HistorySync(configuration: .init(latestOnJoin: configuration.historyOnJoin,
                                                        pageSize: max(1, configuration.historyPageSize)))
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
        if case .registered(let session) = state { return session.capabilities.enabled }
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

    /// The TCP connection is open (`secure`: with TLS): start registration.
    public mutating func connected(now: Timestamp, secure: Bool = false) -> [ClientAction] {
        switch state {
        case .connecting:
            let registration = RegistrationStateMachine(
                configuration: configuration, nick: preferredNick, nickLength: serverSupport.nickLength, secure: secure
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
            return scheduleReconnect(now: now) { delay in
                .error("Connection failed: \(error); retrying in \(Self.seconds(delay))")
            }
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
            return sessionEnded(session) + scheduleReconnect(now: now, event: .connectionLost(reason: reason))
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
            let action = session.keepalive.timerFired(now: now.millisecondsSinceEpoch)
            state = .registered(session)
            switch action {
            case .none:
                return [.scheduleTimer(at: session.keepaliveDeadline)]
            case .sendPing(let token):
                return [.send(IRCMessage("PING", token)), .scheduleTimer(at: session.keepaliveDeadline)]
            case .timedOut(let timeout):
                state = .closing(.reconnect)
                return sessionEnded(session) + [
                    .emit(.connectionLost(reason: timeout.reason)),
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
    /// The WHOX token of our own `WHO` of a joined channel (for away states); its replies are not shown.
    static var awayWhoToken: String { "742" }

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
            session.keepalive.lineReceived(now: now.millisecondsSinceEpoch)
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

    // MARK: - Transitions

    mutating func scheduleReconnect(now: Timestamp, event: ClientEvent?) -> [ClientAction] {
        scheduleReconnect(now: now) { _ in event }
    }

    /// Schedules the next attempt; `event` is told the delay (milliseconds) to say when it comes.
    mutating func scheduleReconnect(now: Timestamp, event: (Int64) -> ClientEvent?) -> [ClientAction] {
        let delay = backoff.nextDelay(random: nextRandomUnit())
        let at = now.offset(byMilliseconds: delay)
        state = .reconnecting(at: at)
        var actions: [ClientAction] = []
        if let event = event(delay) { actions.append(.emit(event)) }
        actions.append(.emit(.stateChanged(.reconnecting(at: at))))
        actions.append(.scheduleTimer(at: at))
        return actions
    }

    mutating func finishClose(_ after: AfterClose, now: Timestamp) -> [ClientAction] {
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

    /// `4 s`, `1.5 s` for a delay in milliseconds.
    static func seconds(_ milliseconds: Int64) -> String {
        milliseconds % 1000 == 0 || milliseconds >= 10_000 ? "\((milliseconds + 500) / 1000) s"
            : "\(milliseconds / 1000).\(milliseconds % 1000 / 100) s"
    }

    /// A value in `0..<1` from the injected generator (53 random bits).
    mutating func nextRandomUnit() -> Double {
        Double(random.next() >> 11) * 0x1p-53
    }

    // MARK: - Helpers

    /// The translation of messages that change no session state, for a session known as `ownNick`.
    func translator(ownNick: String) -> MessageTranslator {
        MessageTranslator(ownNick: ownNick, serverSupport: serverSupport, versionReply: configuration.versionReply)
    }

    /// `members` events for the given channels, as the roster has them now (empty for a channel we
    /// are no longer in).
    func membersChanged(_ channels: [String], _ session: Session) -> [ClientAction] {
        channels.map { .emit(.members(channel: $0, members: session.roster.members(of: $0, serverSupport))) }
    }

    /// The connection is gone: messages that waited for a history replay are shown, and every joined
    /// channel's member list empties until we are back in it.
    mutating func sessionEnded(_ session: Session) -> [ClientAction] {
        typingReplyBatches = []
        let unconfirmed = unechoed
        unechoed = []
        return unconfirmed.map { .emit(.error("Not confirmed by the server before the connection was lost: \($0.text) (to \($0.target))")) }
            + history.connectionLost().map { .emit($0) }
            + session.roster.channelNames.map { .emit(.members(channel: $0, members: [])) }
    }

    /// Whether the server replays history to us (`draft/chathistory` with `batch`).
    func historySupported(_ session: Session) -> Bool {
        session.capabilities.contains("draft/chathistory") && session.capabilities.contains("batch")
    }

    /// Whether `message` comes from the server's history (in a history batch), not live.
    func isReplayed(_ message: IRCMessage) -> Bool {
        message.tag("batch").map { history.isHistoryBatch($0) } ?? false
    }

    /// Chat events from the translator, through the history merge. A line the server replays from
    /// its history (in a history batch) is never acted on: a CTCP request in it was answered when it
    /// was new, so it gets no reply and no notice again.
    mutating func mergedWithHistory(_ actions: [ClientAction], _ message: IRCMessage) -> [ClientAction] {
        let replayed = isReplayed(message)
        return actions.flatMap { action -> [ClientAction] in
            if replayed {
                switch action {
                case .send, .emit(.ctcpRequest), .emit(.ctcpReply): return []
                default: break
                }
            }
            guard case .emit(let event) = action, let chat = event.chatMessage else { return [action] }
            return history.chat(event, key: HistorySync.key(chat.conversation, serverSupport.caseMapping),
                                msgid: chat.msgid, batch: message.tag("batch")).map { .emit($0) }
        }
    }

    func registeredOnly(_ actions: () -> [ClientAction]) -> [ClientAction] {
        switch state {
        case .registered:
            return actions()
        case .disconnected, .connecting, .registering, .closing, .reconnecting:
            return [.emit(.error("Not connected"))]
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    func isSameNick(_ lhs: String, _ rhs: String) -> Bool {
        serverSupport.caseMapping.fold(lhs) == serverSupport.caseMapping.fold(rhs)
    }

    func normalizedChannel(_ channel: String) -> String {
        serverSupport.isChannel(channel) || channel.isEmpty ? channel : "#" + channel
    }

    mutating func addChannelToJoin(_ channel: String) {
        let key = serverSupport.caseMapping.fold(channel)
        if !channelsToJoin.contains(where: { serverSupport.caseMapping.fold($0) == key }) {
            channelsToJoin.append(channel)
        }
    }

    mutating func removeChannelToJoin(_ channel: String) {
        let key = serverSupport.caseMapping.fold(channel)
        channelsToJoin.removeAll { serverSupport.caseMapping.fold($0) == key }
        channelKeys[key] = nil
    }

    static func isAboutCAP(_ message: IRCMessage) -> Bool {
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
