/// One event as the history store keeps it: the message exactly as it was delivered (with its
/// `time` and `msgid` tags), and the columns the store indexes it by.
public struct HistoryEntry: Sendable, Hashable {
    /// Whose history it is: the folded channel name, or for a private conversation the two folded
    /// nicks in order, separated by a space (see ``HistoryConversation``).
    public var conversation: String
    public var msgid: String
    public var time: Timestamp
    /// The sender's nick as it was.
    public var sender: String
    /// `PRIVMSG`, `NOTICE` or `TAGMSG`.
    public var command: String
    /// The text (empty for `TAGMSG`), for search.
    public var text: String
    /// The delivered message, serialised without the line ending.
    public var line: String

    public init(conversation: String, msgid: String, time: Timestamp, sender: String, command: String,
                text: String, line: String) {
        self.conversation = conversation
        self.msgid = msgid
        self.time = time
        self.sender = sender
        self.command = command
        self.text = text
        self.line = line
    }

    /// The entry for `message` (tagged with `msgid`) delivered in `conversation`; `nil` when the
    /// message carries no `msgid` (nothing to reference it by).
    public init?(_ message: IRCMessage, conversation: String, time: Timestamp) {
        guard message.tag("msgid") != nil else { return nil }
        self = HistoryRecord(conversation: conversation, time: time, message: message).entry
    }
}

/// The key a conversation's history is stored under.
public enum HistoryConversation {
    /// A channel's history: its folded name.
    public static func channel(_ name: String) -> String { CaseMapping.fold(name) }

    /// A private conversation between two nicks, the same key whoever asks.
    public static func between(_ lhs: String, _ rhs: String) -> String {
        let (a, b) = (CaseMapping.fold(lhs), CaseMapping.fold(rhs))
        return a <= b ? a + " " + b : b + " " + a
    }

    /// For a private conversation key, the participant who is not `nick` (folded).
    public static func peer(in conversation: String, of nick: String) -> String? {
        let parts = conversation.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        let own = CaseMapping.fold(nick)
        if parts[0] == own { return parts[1] }
        if parts[1] == own { return parts[0] }
        return nil
    }
}
