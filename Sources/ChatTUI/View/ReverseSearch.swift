/// Ctrl-R in the input line: a search of the buffer in view, newest first, that shows each hit in
/// its context (the pane scrolls to it, the line is marked). Ctrl-R again goes to the next older hit;
/// Enter stays there, Esc goes back to the newest line.
struct ReverseSearch: Equatable, Sendable {
    var query = ""
    /// The line shown, or nil when nothing matches (yet).
    var match: Int?
    /// The last search found nothing (shown as `failing`).
    var failed = false

    /// The prompt the input line shows instead of the draft.
    var prompt: String {
        (failed ? "(failing reverse-search) `" : "(reverse-search) `") + query + "`: "
    }
}

extension ChatBuffer {
    /// The newest line at or before `sequence` (the newest of all when nil) whose text or nick
    /// contains `query`, case-insensitively.
    func sequence(matching query: String, atOrBefore sequence: Int?) -> Int? {
        guard !query.isEmpty, let newest = lines.lastSequence else { return nil }
        let start = min(sequence ?? newest, newest)
        guard start >= lines.firstSequence else { return nil }
        for candidate in stride(from: start, through: lines.firstSequence, by: -1) {
            let line = lines[sequence: candidate]
            if line.text.range(of: query, options: .caseInsensitive) != nil
                || line.nick?.range(of: query, options: .caseInsensitive) != nil {
                return candidate
            }
        }
        return nil
    }

    /// Scrolls so that line `sequence` is in view with a third of the pane below it for context.
    mutating func reveal(_ sequence: Int, paneHeight: Int, rowCount: (ChatLine) -> Int) {
        guard lines.contains(sequence: sequence), let bottom = bottomPosition(rowCount: rowCount) else { return }
        let lastRow = max(0, rowCount(lines[sequence: sequence]) - 1)
        let anchor = move(ScrollAnchor(sequence: sequence, row: lastRow), by: max(0, paneHeight / 3), rowCount: rowCount)
        scrollAnchor = anchor >= bottom ? nil : anchor
    }
}
