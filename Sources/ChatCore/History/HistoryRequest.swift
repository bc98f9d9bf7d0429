/// A `CHATHISTORY` request the server has checked (the client may read that conversation), for the
/// store to answer off the event loop. The answer goes back through ``HistoryReply``.
public struct HistoryRequest: Sendable, Hashable {
    public var client: ClientID
    /// The client's `uid`: the answer is dropped if the id was reused by another connection meanwhile.
    public var uid: String
    public var query: HistoryQuery
    /// The conversation key to read (``HistoryConversation``); empty for `TARGETS`.
    public var conversation: String
    /// For `TARGETS`: every conversation the client may list (its channels' keys and its own
    /// private conversations, which the store finds by ``nick``).
    public var channels: [String]
    /// The client's nick when it asked.
    public var nick: String
    /// The `label` tag of the request, when the client uses `labeled-response`.
    public var label: String?
    /// Whether the client gets channel events (`JOIN`, `PART`, …, and `TAGMSG`) in the replay
    /// (`draft/event-playback`); without it only `PRIVMSG` and `NOTICE` count towards the limit.
    public var eventPlayback: Bool

    public init(client: ClientID, uid: String, query: HistoryQuery, conversation: String, channels: [String], nick: String,
                label: String?, eventPlayback: Bool = false) {
        self.client = client
        self.uid = uid
        self.query = query
        self.conversation = conversation
        self.channels = channels
        self.nick = nick
        self.label = label
        self.eventPlayback = eventPlayback
    }
}
