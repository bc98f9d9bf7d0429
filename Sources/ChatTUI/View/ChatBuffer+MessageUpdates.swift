/// Changes to messages already shown: reactions, redactions, and the context of replies, found
/// by the server's `msgid` among the buffer's newest lines.
extension ChatBuffer {
    /// How far back (in lines) a msgid is looked for.
    static let msgidSearchDepth = 2000

    /// The sequence number of the newest line with `msgid`.
    func sequence(ofMsgid msgid: String) -> Int? {
        guard let newest = lines.lastSequence else { return nil }
        let oldest = max(lines.firstSequence, newest - Self.msgidSearchDepth + 1)
        for sequence in stride(from: newest, through: oldest, by: -1) where lines[sequence: sequence].msgid == msgid {
            return sequence
        }
        return nil
    }

    /// Changes the line with `msgid`; false when it is not (or no longer) shown.
    @discardableResult
    mutating func updateLine(msgid: String, _ change: (inout ChatLine) -> Void) -> Bool {
        guard let sequence = sequence(ofMsgid: msgid) else { return false }
        updateLine(sequence: sequence, change)
        return true
    }

    /// `nick: the start of the text` of the message `msgid`, for a reply to it.
    func replyContext(for msgid: String) -> String? {
        guard let sequence = sequence(ofMsgid: msgid) else { return nil }
        let line = lines[sequence: sequence]
        let text = line.isRedacted ? "(message deleted)" : line.text
        let excerpt = text.count > 30 ? String(text.prefix(30)) + "…" : text
        return (line.nick.map { $0 + ": " } ?? "") + excerpt
    }
}
