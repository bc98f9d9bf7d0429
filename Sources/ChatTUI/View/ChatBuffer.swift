import ChatCore

/// Position of the bottom visible row of a scrolled message pane: row `row`
/// (0-based, after wrapping) of the line with sequence number `sequence`.
struct ScrollAnchor: Hashable, Comparable, Sendable {
    var sequence: Int
    var row: Int

    static func < (lhs: ScrollAnchor, rhs: ScrollAnchor) -> Bool {
        (lhs.sequence, lhs.row) < (rhs.sequence, rhs.row)
    }
}

/// One window of the client: the server buffer, a channel or a query, with
/// its bounded scrollback, members, topic, unread state and scroll position.
struct ChatBuffer: Sendable {
    /// What the buffer is for.
    enum Kind: Hashable, Sendable {
        case server
        case channel
        case query
    }

    /// How interesting the unread lines of a non-active buffer are.
    enum Activity: Int, Comparable, Sendable {
        case none
        /// Only joins, parts and other events.
        case events
        /// Conversation.
        case messages
        /// A mention of my nick or a private message.
        case highlight

        static func < (lhs: Activity, rhs: Activity) -> Bool {
            lhs.rawValue < rhs.rawValue
        }
    }

    /// The buffer name (channel name, nick for a query, server label).
    var name: String
    let kind: Kind
    /// Bounded scrollback; the oldest lines are dropped.
    private(set) var lines: Scrollback<ChatLine>
    /// Channel topic (raw; sanitized when drawn).
    var topic: String?
    /// Channel members.
    var members = MemberList()
    /// For a channel: whether we are in it now (false after a lost connection, a kick, before the
    /// rejoin); the top bar says so instead of showing stale members and topic.
    var isJoined = true
    /// The first member the sidebar shows (F11/F12 scroll it).
    var sidebarOffset = 0
    /// The line carrying the unread marker, if any.
    private(set) var markerSequence: Int?
    /// Conversation lines received while the buffer was not active.
    private(set) var unreadCount = 0
    /// Highest activity level since the buffer was last active.
    private(set) var activity: Activity = .none
    /// Scroll position; `nil` means following the newest line.
    var scrollAnchor: ScrollAnchor?
    /// Sequence number of the last conversation line per folded nick (for completion order).
    private(set) var lastSpoke: [String: Int] = [:]
    /// How the server compares nicks (ISUPPORT `CASEMAPPING`), set by the view model.
    var caseMapping: CaseMapping {
        didSet {
            guard caseMapping != oldValue else { return }
            lastSpoke = Dictionary(lastSpoke.map { (caseMapping.fold($0.key), $0.value) }, uniquingKeysWith: max)
        }
    }

    /// Creates an empty buffer keeping at most `scrollbackLimit` lines.
    init(caseMapping: CaseMapping = .rfc1459, name: String, kind: Kind, scrollbackLimit: Int = 10_000) {
        self.caseMapping = caseMapping
        self.name = name
        self.kind = kind
        self.lines = Scrollback(capacity: scrollbackLimit)
    }

    /// The kind implied by a target name: channels start with `#`, `&`, `+` or `!`.
    static func kind(forName name: String) -> Kind {
        guard let first = name.first else { return .query }
        return "#&+!".contains(first) ? .channel : .query
    }

    /// Whether the buffer is scrolled away from the newest line.
    var isScrolled: Bool { scrollAnchor != nil }

    // MARK: - Lines

    /// Appends a line (O(1)). Lines arriving while the buffer is not active
    /// raise its unread count and activity.
    mutating func append(_ line: ChatLine, isActive: Bool) {
        let sequence = lines.endSequence
        lines.append(line)
        if line.isConversation, !line.isOwn, let nick = line.nick {
            lastSpoke[caseMapping.fold(nick)] = sequence
            if lastSpoke.count > Self.maxTrackedSpeakers {
                pruneSpeakers()
            }
        }
        guard !isActive, !line.isOwn else { return }
        if line.isConversation {
            // The first message you have not seen carries the unread marker (one per buffer).
            if unreadCount == 0 { moveUnreadMarker(to: sequence) }
            unreadCount += 1
        }
        activity = max(activity, Self.activity(of: line, in: kind))
    }

    /// Puts the "new messages" marker before the line `sequence`, taking it from where it was.
    private mutating func moveUnreadMarker(to sequence: Int) {
        if let old = markerSequence, lines.contains(sequence: old) {
            lines.update(sequence: old) { $0.unreadMarker = false }
        }
        lines.update(sequence: sequence) { $0.unreadMarker = true }
        markerSequence = sequence
    }

    /// Speakers remembered for completion order before old ones are forgotten.
    static let maxTrackedSpeakers = 2048

    /// Forgets the speakers who spoke least recently, keeping half of the limit.
    private mutating func pruneSpeakers() {
        let keep = Self.maxTrackedSpeakers / 2
        let newest = lastSpoke.sorted { $0.value > $1.value }.prefix(keep)
        lastSpoke = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }

    /// Changes one kept line in place (reactions, redaction).
    mutating func updateLine(sequence: Int, _ change: (inout ChatLine) -> Void) {
        lines.update(sequence: sequence, change)
    }

    /// Clears unread count and activity (the buffer became active).
    mutating func markRead() {
        unreadCount = 0
        activity = .none
    }

    /// Whether the server said there is no older history (a `BEFORE` page came back empty).
    var historyExhausted = false
    /// Whether an older page was asked for and has not come back.
    var fetchingOlder = false

    /// Puts older lines (oldest first) above the oldest line; they raise no activity.
    /// A first look at a channel's history arrived after the lines of the join (`has joined`, topic,
    /// names) that began at `sequence`: the replayed lines move above them, then `marker`, so the
    /// buffer reads in time order (and older pages fetched later go above the history, not between
    /// it and the join). The unread marker stays on its line; a scroll position there is dropped.
    mutating func placeHistoryFirst(since sequence: Int, marker: ChatLine) {
        guard lines.contains(sequence: sequence) else { return append(marker, isActive: true) }
        let tail = (sequence..<lines.endSequence).map { lines[sequence: $0] }
        let ordered = tail.filter(\.isHistory) + [marker] + tail.filter { !$0.isHistory }
        for (offset, line) in ordered.dropLast().enumerated() {
            lines.update(sequence: sequence + offset) { $0 = line }
        }
        lines.append(ordered[ordered.count - 1])
        let start = lines.endSequence - ordered.count
        if let marked = markerSequence, marked >= sequence {
            markerSequence = ordered.firstIndex(where: \.unreadMarker).map { start + $0 }
        }
        if let anchor = scrollAnchor, anchor.sequence >= sequence { scrollAnchor = nil }
    }

    mutating func prepend(_ older: [ChatLine]) {
        lines.prepend(older)
    }

    /// Whether the view shows the oldest line (scrolled all the way up, or everything fits).
    func isAtTop(paneHeight: Int, rowCount: (ChatLine) -> Int) -> Bool {
        guard let top = topPosition(paneHeight: paneHeight, rowCount: rowCount) else { return true }
        guard let anchor = effectiveAnchor(paneHeight: paneHeight, rowCount: rowCount) else {
            return bottomPosition(rowCount: rowCount).map { $0 <= top } ?? true
        }
        return anchor <= top
    }

    /// Removes all lines (`/clear`).
    mutating func clear() {
        lines.removeAll()
        scrollAnchor = nil
    }

    /// Notes that `oldNick` is now `newNick` for completion ordering.
    mutating func renameSpeaker(_ oldNick: String, to newNick: String) {
        if let sequence = lastSpoke.removeValue(forKey: caseMapping.fold(oldNick)) {
            lastSpoke[caseMapping.fold(newNick)] = sequence
        }
    }

    private static func activity(of line: ChatLine, in kind: Kind) -> Activity {
        if line.mentionsMe || line.kind == .privateMessage { return .highlight }
        switch line.kind {
        case .message, .action, .notice:
            return kind == .query ? .highlight : .messages
        case .error:
            return .messages
        case .privateMessage, .join, .part, .quit, .nick, .kick, .topic, .mode, .info:
            return .events
        }
    }

    // MARK: - Completion

    /// Nicks to offer for Tab completion: members who spoke most recently
    /// first, then the rest in member-list order; never `ownNick`.
    func completionCandidates(ownNick: String) -> [String] {
        let own = caseMapping.fold(ownNick)
        var names: [String]
        switch kind {
        case .channel:
            names = members.members.map(\.nick)
        case .query:
            names = [name]
        case .server:
            names = []
        }
        names.removeAll { caseMapping.fold($0) == own }
        var order: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            order[name] = index
        }
        return names.sorted { lhs, rhs in
            let l = lastSpoke[caseMapping.fold(lhs)] ?? -1
            let r = lastSpoke[caseMapping.fold(rhs)] ?? -1
            if l != r { return l > r }
            return order[lhs, default: 0] < order[rhs, default: 0]
        }
    }

    // MARK: - Scrolling

    /// The position of the very last row, or `nil` when empty.
    func bottomPosition(rowCount: (ChatLine) -> Int) -> ScrollAnchor? {
        guard let last = lines.lastSequence else { return nil }
        return ScrollAnchor(sequence: last, row: max(0, rowCount(lines[sequence: last]) - 1))
    }

    /// Moves a position by `delta` rows (negative = up), clamped to the content.
    func move(_ position: ScrollAnchor, by delta: Int, rowCount: (ChatLine) -> Int) -> ScrollAnchor {
        guard !lines.isEmpty else { return position }
        var sequence = min(max(position.sequence, lines.firstSequence), lines.endSequence - 1)
        var row = max(0, min(position.row, rowCount(lines[sequence: sequence]) - 1))
        var remaining = abs(delta)
        if delta < 0 {
            while remaining > 0 {
                if row >= remaining {
                    row -= remaining
                    remaining = 0
                } else {
                    remaining -= row + 1
                    if sequence - 1 < lines.firstSequence {
                        row = 0
                        break
                    }
                    sequence -= 1
                    row = max(0, rowCount(lines[sequence: sequence]) - 1)
                }
            }
        } else {
            while remaining > 0 {
                let rows = max(1, rowCount(lines[sequence: sequence]))
                if row + remaining < rows {
                    row += remaining
                    remaining = 0
                } else {
                    remaining -= rows - row
                    if sequence + 1 >= lines.endSequence {
                        row = rows - 1
                        break
                    }
                    sequence += 1
                    row = 0
                }
            }
        }
        return ScrollAnchor(sequence: sequence, row: row)
    }

    /// The bottom-row position that shows the very first row at the top of a
    /// pane `paneHeight` rows high (the furthest one can scroll up).
    func topPosition(paneHeight: Int, rowCount: (ChatLine) -> Int) -> ScrollAnchor? {
        guard !lines.isEmpty else { return nil }
        let first = ScrollAnchor(sequence: lines.firstSequence, row: 0)
        return move(first, by: max(0, paneHeight - 1), rowCount: rowCount)
    }

    /// The anchor to draw with: `nil` when following, clamped to the content otherwise.
    func effectiveAnchor(paneHeight: Int, rowCount: (ChatLine) -> Int) -> ScrollAnchor? {
        guard let anchor = scrollAnchor,
              let bottom = bottomPosition(rowCount: rowCount),
              let top = topPosition(paneHeight: paneHeight, rowCount: rowCount) else { return nil }
        let clamped = anchor.sequence < lines.firstSequence ? top : max(anchor, top)
        return clamped >= bottom ? nil : move(clamped, by: 0, rowCount: rowCount)
    }

    /// Scrolls by `delta` rows (negative = towards older lines). Reaching the
    /// newest row resumes following.
    mutating func scroll(by delta: Int, paneHeight: Int, rowCount: (ChatLine) -> Int) {
        guard let bottom = bottomPosition(rowCount: rowCount),
              let top = topPosition(paneHeight: paneHeight, rowCount: rowCount) else { return }
        let start = effectiveAnchor(paneHeight: paneHeight, rowCount: rowCount) ?? bottom
        let moved = max(move(start, by: delta, rowCount: rowCount), top)
        scrollAnchor = moved >= bottom ? nil : moved
    }

    /// Scrolls to the oldest line.
    mutating func scrollToTop(paneHeight: Int, rowCount: (ChatLine) -> Int) {
        guard let bottom = bottomPosition(rowCount: rowCount),
              let top = topPosition(paneHeight: paneHeight, rowCount: rowCount) else { return }
        scrollAnchor = top >= bottom ? nil : top
    }

    /// Resumes following the newest line.
    mutating func scrollToBottom() {
        scrollAnchor = nil
    }

    /// Number of lines (partly) below the visible area while scrolled.
    func linesBelow(anchor: ScrollAnchor?, rowCount: (ChatLine) -> Int) -> Int {
        guard let anchor, let last = lines.lastSequence, lines.contains(sequence: anchor.sequence) else { return 0 }
        let anchorRows = rowCount(lines[sequence: anchor.sequence])
        return last - anchor.sequence + (anchor.row < anchorRows - 1 ? 1 : 0)
    }
}
