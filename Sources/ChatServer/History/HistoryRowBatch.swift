import ChatCore

/// History rows waiting for the disk, encoded as they are queued: every column's bytes in one
/// buffer and, per row, where they are. The history thread binds them straight from the buffer,
/// so a queued message costs a few copies and no objects to count or free.
struct HistoryRowBatch {
    struct Row {
        var conversation: Range<Int>
        var msgid: Range<Int>
        var sender: Range<Int>
        var command: Range<Int>
        var text: Range<Int>
        /// ``StoredMessage``'s body (without the text).
        var body: Range<Int>
        var time: Int64
    }

    private(set) var bytes: [UInt8] = []
    private(set) var rows: [Row] = []

    var count: Int { rows.count }
    var isEmpty: Bool { rows.isEmpty }

    init() {}

    init<Records: Sequence<HistoryRecord>>(_ records: Records) {
        for record in records { append(record) }
    }

    /// Encodes `record`'s row: the columns of ``HistoryEntry`` (the sender is the nick of the source,
    /// the text the last parameter, empty for `TAGMSG`) and the message's body.
    mutating func append(_ record: HistoryRecord) {
        let message = record.message
        let conversation = appendText(record.conversation)
        let msgid = appendText(message.tag("msgid") ?? "")
        // The same nick ``HistoryEntry`` names (``IRCMessage/sourceNick``).
        let sender = appendText(message.sourceNick ?? "")
        let command = appendText(message.command)
        let keepsText = message.command != "TAGMSG"
        let text = keepsText ? appendText(message.parameters.last ?? "") : bytes.count..<bytes.count
        let bodyStart = bytes.count
        StoredMessage.encode(message, omittingText: keepsText, into: &bytes)
        rows.append(Row(conversation: conversation, msgid: msgid, sender: sender, command: command, text: text,
                        body: bodyStart..<bytes.count, time: record.time.millisecondsSinceEpoch))
    }

    private mutating func appendText(_ string: String) -> Range<Int> {
        var string = string
        let start = bytes.count
        string.withUTF8 { bytes.append(contentsOf: $0) }
        return start..<bytes.count
    }
}
