/// One line of chat history as the view layer receives it, independent of
/// any protocol types.
struct ChatLine: Equatable, Sendable {
    /// What the line represents; decides its prefix and styling.
    enum Kind: Hashable, Sendable {
        /// `PRIVMSG` to a channel (or own message).
        case message
        /// CTCP ACTION (`/me`); `text` is the action without the nick.
        case action
        /// `NOTICE`; shown as `-nick-`.
        case notice
        /// `PRIVMSG` addressed to me; shown distinctly as `*nick*`.
        case privateMessage
        /// Someone joined; `text` is the full description ("alice (a@host) has joined #swift").
        case join
        /// Someone left the channel; `text` is the full description.
        case part
        /// Someone quit IRC; `text` is the full description.
        case quit
        /// Nick change; `text` is the full description.
        case nick
        /// Someone was kicked; `text` is the full description.
        case kick
        /// Topic change or topic notice; `text` is the full description.
        case topic
        /// Mode change; `text` is the full description.
        case mode
        /// Client or server information.
        case info
        /// An error to draw attention to.
        case error
    }

    /// Milliseconds since 1970-01-01 UTC.
    var timestamp: Int64
    var kind: Kind
    /// The sender (messages) or the subject (events). For event kinds, when
    /// `text` starts with `nick` that part is drawn in the nick's colour.
    var nick: String?
    /// Raw text as received; sanitized when drawn.
    var text: String
    /// Whether I sent it.
    var isOwn: Bool
    /// Whether it mentions my nick (drawn highlighted, counts as highlight activity).
    var mentionsMe: Bool
    /// The server's id of the message (`msgid`), for reactions, replies and redactions.
    var msgid: String?
    /// What this message answers (`+draft/reply`): `nick: the start of its text`.
    var replyContext: String?
    /// Reactions under the message (`+draft/react`), as `👍 bob`, in arrival order.
    var reactions: [String] = []
    /// Taken back by its author or an operator (`draft/message-redaction`): shown as deleted.
    var isRedacted = false
    /// Sent by a bot (the `bot` tag): marked as such.
    var isBot = false
    /// Replayed from the server's history on a first look at the conversation (shown as read).
    var isHistory = false
    /// The first line you had not read when you last came back: a marker row is drawn above it.
    var unreadMarker = false

    init(
        timestamp: Int64,
        kind: Kind = .message,
        nick: String? = nil,
        text: String,
        isOwn: Bool = false,
        mentionsMe: Bool = false
    ) {
        self.timestamp = timestamp
        self.kind = kind
        self.nick = nick
        self.text = text
        self.isOwn = isOwn
        self.mentionsMe = mentionsMe
    }

    /// Convenience for a line at a wall-clock time of day (UTC day 0).
    init(
        hour: Int,
        minute: Int,
        kind: Kind = .message,
        nick: String? = nil,
        text: String,
        isOwn: Bool = false,
        mentionsMe: Bool = false
    ) {
        self.init(
            timestamp: Int64(hour * 3600 + minute * 60) * 1000,
            kind: kind, nick: nick, text: text, isOwn: isOwn, mentionsMe: mentionsMe
        )
    }

    /// `HH:MM` for a UTC offset in seconds (``LocalClock/localTime``: the local time zone at that instant).
    func formattedTime(utcOffsetSeconds: Int) -> String {
        LocalClock.hourMinute(timestamp, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// The line as a log file keeps it: `<nick> text`, `* nick action`, `-nick- notice`, `-- event`
    /// (control characters made visible, as on screen).
    var logText: String {
        let nick = TerminalSanitizer.plain(self.nick ?? "")
        let text = TerminalSanitizer.plain(self.text)
        switch kind {
        case .message, .privateMessage: return "<\(nick)> \(text)"
        case .action: return "* \(nick) \(text)"
        case .notice: return "-\(nick)- \(text)"
        case .join, .part, .quit, .nick, .kick, .topic, .mode, .info, .error: return "-- \(text)"
        }
    }

    /// Whether the line is conversation (as opposed to a join/part/... event).
    var isConversation: Bool {
        switch kind {
        case .message, .action, .notice, .privateMessage:
            return true
        case .join, .part, .quit, .nick, .kick, .topic, .mode, .info, .error:
            return false
        }
    }
}
