/// A delivered message on its way to the history store, as the server hands it over: nothing is
/// serialised or copied on the event loop; the history thread makes a ``HistoryEntry`` of it.
public struct HistoryRecord: Sendable, Hashable {
    /// ``HistoryConversation``'s key.
    public var conversation: String
    public var time: Timestamp
    /// The message as delivered (with its `time` and `msgid` tags).
    public var message: IRCMessage

    public init(conversation: String, time: Timestamp, message: IRCMessage) {
        self.conversation = conversation
        self.time = time
        self.message = message
    }

    public var msgid: String { message.tag("msgid") ?? "" }
    public var command: String { message.command }

    /// The row to store (serialises the message: call it off the event loop).
    public var entry: HistoryEntry {
        // Without the CR LF (one Character in Swift, two bytes).
        let line = String(decoding: message.serialized().utf8.dropLast(2), as: UTF8.self)
        return HistoryEntry(conversation: conversation, msgid: msgid, time: time,
                            sender: message.sourceNick ?? message.source ?? "", command: message.command,
                            text: message.command == "TAGMSG" ? "" : message.parameters.last ?? "", line: line)
    }
}
