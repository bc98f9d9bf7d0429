/// The connection state as the UI shows it.
public enum ClientConnectionState: Sendable, Hashable {
    /// Not connected and not trying to; `reason` says why (`nil` before the first connect).
    case disconnected(reason: String?)
    /// A TCP connection is being opened.
    case connecting
    /// Connected; `CAP`/`NICK`/`USER` exchange in progress.
    case registering
    /// `001 RPL_WELCOME` received; `nick` is the nick the server gave us.
    case registered(nick: String)
    /// We closed the connection (user quit, ping timeout, registration timeout) and wait for it to end;
    /// ``disconnected(reason:)`` or ``reconnecting(at:)`` follows.
    case disconnecting
    /// The connection was lost; the next attempt starts at `at`.
    case reconnecting(at: Timestamp)
}

/// Which buffer (window) a message belongs to.
public enum Conversation: Sendable, Hashable {
    /// A channel, spelled as the server sent it.
    case channel(String)
    /// A private conversation with `nick` (the other party, also for our own messages).
    case privateChat(String)
    /// The server / status buffer (server notices, messages from services without a nick target).
    case server
}

/// A `PRIVMSG`, `NOTICE` or CTCP `ACTION` ready for display.
public struct ChatMessage: Sendable, Hashable {
    public var conversation: Conversation
    /// The sender's nick (or the server name for server notices).
    public var sender: String
    public var text: String
    /// From the `server-time` tag when present, otherwise the `now` of the event.
    public var time: Timestamp
    /// The IRCv3 `msgid` tag, when present.
    public var msgid: String?
    /// True for our own messages: echoed by the server (`echo-message`) or synthesised when sending.
    public var isOwn: Bool
    /// True for a message replayed from the server's history (`CHATHISTORY`), not received live.
    public var isHistory: Bool
    /// Sent by a bot (the IRCv3 `bot` tag).
    public var isBot = false
    /// The msgid of the message this one answers (`+draft/reply`), when it is a reply.
    public var replyTo: String?

    public init(
        conversation: Conversation, sender: String, text: String, time: Timestamp,
        msgid: String? = nil, isOwn: Bool = false, isHistory: Bool = false, replyTo: String? = nil
    ) {
        self.replyTo = replyTo
        self.conversation = conversation
        self.sender = sender
        self.text = text
        self.time = time
        self.msgid = msgid
        self.isOwn = isOwn
        self.isHistory = isHistory
    }
}

/// One member of a channel, with its status prefixes (`@`, `+`, … — several with `multi-prefix`).
public struct ChannelMember: Sendable, Hashable {
    public var nick: String
    /// Prefix symbols, highest rank first, e.g. `"@+"`.
    public var prefixes: String
    /// Marked away (`away-notify`, or `G` in a `WHO` reply).
    public var isAway: Bool

    public init(nick: String, prefixes: String = "", isAway: Bool = false) {
        self.nick = nick
        self.prefixes = prefixes
        self.isAway = isAway
    }

    /// The highest prefix and the nick, as a nick list shows it (`@alice`).
    public var displayName: String { (prefixes.first.map(String.init) ?? "") + nick }
}

/// What the UI learns from the client state machine.
public enum ClientEvent: Sendable, Hashable {
    /// The connection state changed; the UI shows it all the time.
    case stateChanged(ClientConnectionState)
    /// The connection was lost (or declared dead); a reconnect follows unless the user quit.
    case connectionLost(reason: String)
    /// A `PRIVMSG` to a channel or to us (or our own, see ``ChatMessage/isOwn``).
    case message(ChatMessage)
    /// A `NOTICE`.
    case notice(ChatMessage)
    /// A CTCP `ACTION` (`/me`).
    case action(ChatMessage)
    /// A CTCP request other than `ACTION` (already answered when it is `VERSION`, `PING`, `TIME` or `CLIENTINFO`).
    case ctcpRequest(from: String, command: String, argument: String)
    /// A CTCP reply (a `NOTICE` wrapped in `\u{01}`).
    case ctcpReply(from: String, command: String, argument: String)
    case joined(channel: String, nick: String, isOwn: Bool)
    case parted(channel: String, nick: String, reason: String?, isOwn: Bool)
    /// `channels` lists the channels the quitter shared with us (from the tracked member lists).
    case quit(nick: String, reason: String?, channels: [String])
    case kicked(channel: String, nick: String, by: String, reason: String?, isOwn: Bool)
    /// `channels` lists the channels in which the nick is a member (all our channels when `isOwn`).
    case nickChanged(old: String, new: String, isOwn: Bool, channels: [String])
    /// The complete member list, sent after `366 RPL_ENDOFNAMES` (the answer to a `NAMES`, also for
    /// channels we are not in).
    case names(channel: String, members: [ChannelMember])
    /// A joined channel's members changed (JOIN, PART, KICK, QUIT, NICK, a prefix MODE, NAMES), or the
    /// channel was left or the connection lost (empty): the client's roster, ranked by the server's
    /// `PREFIX`, for the UI to show as it is. The roster is the one source of truth for members.
    case members(channel: String, members: [ChannelMember])
    /// `332 RPL_TOPIC` (`isChange == false`, setter usually unknown), `331 RPL_NOTOPIC` (empty text) or a
    /// `TOPIC` change (`isChange == true`, `setBy` is the changer).
    case topic(channel: String, text: String, setBy: String?, isChange: Bool)
    /// `333 RPL_TOPICWHOTIME`: who set the current topic, and when.
    case topicSetBy(channel: String, setBy: String, at: Timestamp?)
    case mode(target: String, modes: String, parameters: [String], by: String?)
    case invited(channel: String, by: String)
    /// The server's `ERROR` line (sent before it closes the connection).
    case serverError(String)
    /// A 4xx/5xx numeric as readable text, e.g. `"bob: No such nick/channel"`.
    case numericError(code: Int, text: String)
    /// MOTD lines, welcome lines and other numerics or unhandled commands as text.
    case serverInfo(code: Int?, text: String)
    /// A local problem, e.g. sending while not connected or an invalid raw line.
    case error(String)
    /// Logged in to this account (SASL `900`, or `REGISTER` then `900`).
    case loggedIn(account: String)
    /// Round-trip time of our keepalive `PING`.
    case lag(milliseconds: Int64)
    /// Someone is typing in a conversation (`+typing=active`), or stopped (`paused`, `done`).
    case typing(conversation: Conversation, nick: String, active: Bool)
    /// A reaction (`+draft/react`) to the message `msgid` (`+draft/reply`).
    case reaction(conversation: Conversation, msgid: String, nick: String, reaction: String)
    /// A message was taken back (`draft/message-redaction`).
    case redacted(conversation: Conversation, msgid: String, by: String)
    /// A monitored nick came online or went offline (`MONITOR`, 730/731).
    case presence(nick: String, online: Bool)
    /// Someone went away (`message`) or came back (`nil`) (`away-notify`, `extended-monitor`).
    case awayChanged(nick: String, message: String?)
    /// Someone changed their real name (`setname`); `channels` are those we share.
    case realNameChanged(nick: String, realName: String, channels: [String])
    /// Someone's user and host changed (`chghost`); `channels` are those we share.
    case hostChanged(nick: String, user: String, host: String, channels: [String])
    /// Someone invited another user into a channel we are in (`invite-notify`).
    case invitedOther(channel: String, nick: String, by: String)
    /// A history replay for `target` ended: `count` messages were replayed; `resumed` when it
    /// caught up after a reconnect rather than showing the latest messages of a first join.
    case historyReplayed(target: String, count: Int, resumed: Bool)
    /// An older page of `target`'s history (scrolling back), oldest first, to show above what is
    /// there; empty when there is nothing older.
    case olderHistory(target: String, events: [ClientEvent])
    /// What a `/search` found on the server (oldest first); `nil` results when the server cannot
    /// search (`soju.im/search`), so that the front end searches what it shows.
    case searchResults(query: String, target: String?, results: [ChatMessage]?)
    /// The conversation around message `msgid` of `target` (``ClientStateMachine/context(of:in:)``),
    /// oldest first; empty when the server has nothing around it (any more).
    case historyContext(target: String, msgid: String, events: [ClientEvent])
    /// How far you have read `target` according to the server (`draft/read-marker`), e.g. on
    /// another client of yours; `nil` when nothing was marked yet.
    case readMarker(target: String, time: Timestamp?)
    /// The server's `005 RPL_ISUPPORT` values changed (case mapping, prefixes, limits).
    case serverSupport(ServerSupport)
    /// The server answered ``ClientStateMachine/syncWithServer(token:)``: it has processed every
    /// line sent before that call.
    case synced(token: String)
}

extension ClientEvent {
    /// The chat message a `message`, `notice` or `action` event carries; `nil` for other events.
    public var chatMessage: ChatMessage? {
        switch self {
        case .message(let message), .notice(let message), .action(let message):
            message
        case .stateChanged, .connectionLost, .ctcpRequest, .ctcpReply, .joined, .parted, .quit, .kicked, .nickChanged,
             .names, .members, .topic, .topicSetBy, .mode, .invited, .serverError, .numericError, .serverInfo, .error,
             .lag, .synced, .historyReplayed, .olderHistory, .searchResults, .historyContext, .readMarker, .serverSupport, .loggedIn,
             .typing, .reaction, .redacted, .presence, .awayChanged, .realNameChanged, .hostChanged, .invitedOther:
            nil
        }
    }

    /// The same kind of chat event carrying `message` instead (other events are returned as they are).
    public func replacingChatMessage(_ message: ChatMessage) -> ClientEvent {
        switch self {
        case .message: .message(message)
        case .notice: .notice(message)
        case .action: .action(message)
        case .stateChanged, .connectionLost, .ctcpRequest, .ctcpReply, .joined, .parted, .quit, .kicked, .nickChanged,
             .names, .members, .topic, .topicSetBy, .mode, .invited, .serverError, .numericError, .serverInfo, .error,
             .lag, .synced, .historyReplayed, .olderHistory, .searchResults, .historyContext, .readMarker, .serverSupport, .loggedIn,
             .typing, .reaction, .redacted, .presence, .awayChanged, .realNameChanged, .hostChanged, .invitedOther:
            self
        }
    }
}
