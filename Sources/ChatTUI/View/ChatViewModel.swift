import ChatCore
/// Connection details shown in the status line, supplied by the caller.
struct StatusInfo: Equatable, Sendable {
    /// Free text such as "connected", "connecting", "disconnected".
    var connection: String
    /// Server host name.
    var server: String
    /// My current nick.
    var nick: String
    /// Last measured lag, if known.
    var lagMilliseconds: Int?
    /// The account logged in to, if any.
    var account: String?
    /// While waiting to reconnect: when the next attempt starts (the status line counts down).
    var reconnectAt: Int64?
    /// Marked away (`/away`): the status line says so.
    var isAway = false

    init(connection: String = "disconnected", server: String = "", nick: String = "", lagMilliseconds: Int? = nil) {
        self.connection = connection
        self.server = server
        self.nick = nick
        self.lagMilliseconds = lagMilliseconds
    }
}

/// Something the user asked for that the view layer cannot do by itself.
enum InputAction: Equatable, Sendable {
    /// A line as typed (text for the buffer in view, or a `/command`), for the one command
    /// table (``UserInput``), which also decides where text goes. The view model does not echo it.
    case submit(String)
    /// Scrolled past the oldest line of this channel or private buffer: fetch the page before it.
    case fetchOlder(String)
    /// Redraw the whole terminal (Ctrl-L, resize).
    case redraw
    /// A multi-line paste the user confirmed: its lines, for the conversation in view.
    case submitLines([String])
}

/// The whole screen state of the client as a value: buffers with bounded
/// scrollback, members, topics, unread activity, scroll positions, the input
/// line and the help overlay. Feed it lines/events and keys, and call
/// `render(width:height:)` to get a `Screen` to draw.
struct ChatViewModel: Sendable {
    /// All buffers; index 0 is the server buffer.
    private(set) var buffers: [ChatBuffer]
    /// Index of the buffer shown.
    private(set) var activeIndex = 0
    /// Status line fields.
    var status: StatusInfo
    /// The input line.
    var editor = LineEditor()
    /// Lines kept per buffer.
    let scrollbackLimit: Int
    /// How the server compares nicks and channel names (from its ISUPPORT); every buffer uses it.
    var caseMapping: CaseMapping = .rfc1459 {
        didSet {
            for index in buffers.indices { buffers[index].caseMapping = caseMapping }
        }
    }
    /// Offset from UTC, in seconds, for timestamps.
    var utcOffsetSeconds: Int
    /// Whether the help overlay covers the message pane.
    private(set) var isHelpVisible = false
    /// First help entry shown (PgUp/PgDn scroll the overlay while it is open).
    private(set) var helpOffset = 0
    /// Whether channels show the member sidebar (when the terminal is wide enough).
    var isSidebarEnabled = true
    /// Wall-clock time (ms since 1970 UTC) for lines the view model creates
    /// itself, such as local error messages; the driver keeps it current.
    var currentTimeMilliseconds: Int64 = 0
    /// Who is typing where (shown in the status line).
    var typing = TypingIndicator()
    /// The network the logs are filed under; nil turns logging off.
    var logNetwork: String?
    /// Lines waiting for the disk log (``takeLogEntries()``).
    private(set) var logOutbox: [ChatLogWriter.Entry] = []
    /// Whether this network is the one on the screen (a client may hold several): when it is not,
    /// even the buffer in view collects unread lines, and mentions there alert.
    var isOnScreen = true
    /// What waits in the client's other networks (status line, window title).
    var otherNetworks: [NetworkActivity] = []
    /// Ctrl-R under way in the buffer in view.
    var reverseSearch: ReverseSearch?
    /// A multi-line paste waiting for Enter (send) or Esc (edit as one line).
    var pendingPaste: [String]?
    /// Size of the last rendered frame; scrolling pages by its pane height.
    private(set) var lastWidth = 80
    private(set) var lastHeight = 24

    /// Creates a view model with an empty server buffer named `serverBufferName`.
    init(
        serverBufferName: String = "server",
        status: StatusInfo = StatusInfo(),
        scrollbackLimit: Int = 10_000,
        utcOffsetSeconds: Int = 0
    ) {
        self.scrollbackLimit = max(1, scrollbackLimit)
        self.status = status
        self.utcOffsetSeconds = utcOffsetSeconds
        self.buffers = [ChatBuffer(name: serverBufferName, kind: .server, scrollbackLimit: self.scrollbackLimit)]
        self.networkName = serverBufferName
    }

    // MARK: - Buffers

    /// The buffer shown.
    var activeBuffer: ChatBuffer { buffers[activeIndex] }

    /// Index of the buffer named `name` (compared with the server's case mapping).
    func bufferIndex(named name: String) -> Int? {
        // Names are unique under the case mapping, so the exact name (nearly every incoming line)
        // needs no folding.
        for index in buffers.indices where buffers[index].name == name { return index }
        let wanted = caseMapping.fold(name)
        for index in buffers.indices where caseMapping.fold(buffers[index].name) == wanted { return index }
        return nil
    }

    /// The buffer named `name` (compared with the server's case mapping).
    func buffer(named name: String) -> ChatBuffer? {
        bufferIndex(named: name).map { buffers[$0] }
    }

    /// Opens (or finds) a buffer; the kind defaults to channel for `#&+!` names, else query.
    @discardableResult
    mutating func openBuffer(_ name: String, kind: ChatBuffer.Kind? = nil, activate: Bool = false) -> Int {
        let index: Int
        if let existing = bufferIndex(named: name) {
            index = existing
        } else {
            buffers.append(ChatBuffer(caseMapping: caseMapping,
                name: name, kind: kind ?? ChatBuffer.kind(forName: name), scrollbackLimit: scrollbackLimit
            ))
            index = buffers.count - 1
        }
        if activate { switchTo(index: index) }
        return index
    }

    /// Closes a buffer (never the server buffer); the previous buffer becomes active if needed.
    mutating func closeBuffer(_ name: String) {
        guard let index = bufferIndex(named: name), index != 0 else { return }
        buffers.remove(at: index)
        if activeIndex == index {
            switchTo(index: index - 1)
        } else if activeIndex > index {
            activeIndex -= 1
        }
    }

    /// Shows buffer `index` (0-based) and marks it read.
    mutating func switchTo(index: Int) {
        guard buffers.indices.contains(index) else { return }
        activeIndex = index
        buffers[index].markRead()
    }

    /// Clears a buffer's unread count and activity (read on another client).
    mutating func markBufferRead(at index: Int) {
        guard buffers.indices.contains(index) else { return }
        buffers[index].markRead()
    }

    /// Shows the buffer named `name`, if any.
    mutating func switchTo(name: String) {
        if let index = bufferIndex(named: name) { switchTo(index: index) }
    }

    /// Shows the next buffer, wrapping around (Ctrl-N, Alt-Right).
    mutating func nextBuffer() {
        switchTo(index: (activeIndex + 1) % buffers.count)
    }

    /// Shows the previous buffer, wrapping around (Ctrl-P, Alt-Left).
    mutating func previousBuffer() {
        switchTo(index: (activeIndex + buffers.count - 1) % buffers.count)
    }

    /// Shows the buffer with the most important activity (Alt-A); the first
    /// such buffer after the active one wins ties.
    mutating func jumpToActivity() {
        var best: Int?
        for offset in 1..<max(1, buffers.count) {
            let index = (activeIndex + offset) % buffers.count
            let activity = buffers[index].activity
            if activity > .none, activity > (best.map { buffers[$0].activity } ?? .none) {
                best = index
            }
        }
        if let best { switchTo(index: best) }
    }

    // MARK: - Lines

    /// Appends a line to buffer `name` (opened if needed), or to the server
    /// buffer when `name` is `nil`. O(1); the oldest line is dropped when the
    /// scrollback is full.
    /// A `quiet` line (old history) raises no unread count or activity.
    mutating func append(_ line: ChatLine, to name: String? = nil, quiet: Bool = false, log: Bool? = nil) {
        let index = name.map { openBuffer($0) } ?? 0
        buffers[index].append(line, isActive: quiet || (index == activeIndex && isOnScreen))
        // Old history (quiet) is the server's, not new: it is not logged again.
        if let network = logNetwork, log ?? !quiet {
            logOutbox.append(ChatLogWriter.Entry(network: network, buffer: index == 0 ? "server" : buffers[index].name,
                                                 time: line.timestamp, text: line.logText))
        }
    }

    /// The network's name (`/network`, the status line, the logs): a further network's section
    /// name, the first network's host; its server buffer's name until told.
    var networkName: String

    /// What waits in this network's buffers that are not on the screen.
    var networkActivity: NetworkActivity {
        let unseen = buffers.indices.filter { $0 != activeIndex || !isOnScreen }.map { buffers[$0] }
        return NetworkActivity(name: networkName, unread: unseen.map(\.unreadCount).reduce(0, +),
                               mentions: unseen.filter { $0.activity == .highlight }.count,
                               activity: unseen.map(\.activity).max() ?? .none)
    }

    /// Lines appended since the last call, for the disk log.
    mutating func takeLogEntries() -> [ChatLogWriter.Entry] {
        defer { logOutbox = [] }
        return logOutbox
    }

    /// The history of a first look at `name` arrived after its join lines (from `sequence`): it goes
    /// above them, ended by `marker` (see ``ChatBuffer/placeHistoryFirst(since:marker:)``). Not logged:
    /// the history is the server's.
    mutating func placeHistoryFirst(in name: String, since sequence: Int, marker: ChatLine) {
        guard let index = bufferIndex(named: name) else { return }
        buffers[index].placeHistoryFirst(since: sequence, marker: marker)
    }

    /// An older page of history arrived for `name` (scrolling back): shown above its oldest line;
    /// an empty page means there is nothing older.
    mutating func prependHistory(_ lines: [ChatLine], to name: String, exhausted: Bool, now: Int64) {
        guard let index = bufferIndex(named: name) else { return }
        buffers[index].fetchingOlder = false
        if exhausted {
            guard !buffers[index].historyExhausted else { return }
            buffers[index].historyExhausted = true
            buffers[index].prepend([ChatLine(timestamp: now, kind: .info, text: "—— beginning of history ——")])
        } else {
            buffers[index].prepend(lines)
        }
    }

    /// A new connection: pages asked for on the old one will not come.
    mutating func resetHistoryFetches() {
        for index in buffers.indices { buffers[index].fetchingOlder = false }
    }

    /// After scrolling up: whether the active buffer shows its oldest line and may have older
    /// history on the server to fetch (once at a time).
    mutating func olderHistoryWanted() -> [InputAction] {
        let buffer = activeBuffer
        guard buffer.kind != .server, !buffer.historyExhausted, !buffer.fetchingOlder else { return [] }
        let layout = currentLayout
        let renderer = messageRenderer(for: layout)
        guard buffer.isAtTop(paneHeight: layout.paneHeight, rowCount: { renderer.rowCount(for: $0) }) else { return [] }
        buffers[activeIndex].fetchingOlder = true
        return [.fetchOlder(buffer.name)]
    }

    /// Removes all lines of the active buffer (`/clear`).
    mutating func clearActiveBuffer() {
        buffers[activeIndex].clear()
    }

    // MARK: - Channels

    /// Sets a channel's topic (`nil` for none).
    mutating func setTopic(_ topic: String?, in channel: String) {
        let index = openBuffer(channel, kind: .channel)
        buffers[index].topic = topic
    }

    /// Shows a channel's members as the client's roster has them (an open channel buffer only).
    mutating func setMembers(_ members: [ChannelMember], in channel: String) {
        guard let index = bufferIndex(named: channel), buffers[index].kind == .channel else { return }
        buffers[index].members.set(members)
    }

    /// Scrolls the member sidebar of the active buffer by a page (`direction` -1 up, 1 down).
    mutating func scrollSidebar(by direction: Int) {
        scrollSidebar(rows: direction * max(1, sidebarRows - 1))
    }

    /// Scrolls the member sidebar of the active buffer by `rows` (negative: up); the last page
    /// ends with the last member.
    mutating func scrollSidebar(rows: Int) {
        let count = activeBuffer.members.count
        let offset = activeBuffer.sidebarOffset + rows
        buffers[activeIndex].sidebarOffset = max(0, min(offset, max(0, count - sidebarRows)))
    }

    /// Member rows the sidebar shows: below the header, the "↑ more" row and the members.
    private var sidebarRows: Int { max(1, currentLayout.paneHeight - 2) }

    /// Scrolls the buffer in view to line `sequence`, with context below it (Ctrl-R's hits).
    mutating func revealInActiveBuffer(_ sequence: Int) {
        let layout = currentLayout
        let renderer = messageRenderer(for: layout)
        buffers[activeIndex].reveal(sequence, paneHeight: layout.paneHeight, rowCount: { renderer.rowCount(for: $0) })
    }

    /// Marks a channel buffer as joined or not (see ``ChatBuffer/isJoined``).
    mutating func setJoined(_ joined: Bool, channel: String) {
        guard let index = bufferIndex(named: channel) else { return }
        buffers[index].isJoined = joined
    }

    /// Marks every channel buffer as not joined (the connection is gone).
    mutating func leaveAllChannels() {
        for index in buffers.indices where buffers[index].kind == .channel { buffers[index].isJoined = false }
    }

    /// Changes the message `msgid` shown in buffer `name` (a reaction, a redaction); false when it
    /// is not shown there.
    @discardableResult
    mutating func updateMessage(msgid: String, in name: String, _ change: (inout ChatLine) -> Void) -> Bool {
        guard let index = bufferIndex(named: name) else { return false }
        return buffers[index].updateLine(msgid: msgid, change)
    }

    /// A nick change: earlier lines keep their speaker, and a query follows the nick.
    mutating func renameSpeaker(from oldNick: String, to newNick: String) {
        for index in buffers.indices {
            buffers[index].renameSpeaker(oldNick, to: newNick)
        }
        if let query = bufferIndex(named: oldNick), buffers[query].kind == .query {
            let target = bufferIndex(named: newNick)
            if target == nil || target == query { buffers[query].name = newNick }
        }
    }

    /// Records the terminal size used for paging (also done by `render`).
    mutating func resize(width: Int, height: Int) {
        lastWidth = max(1, width)
        lastHeight = max(1, height)
    }

    // MARK: - Help

    /// Shows or hides the help overlay (F1, `/help`).
    mutating func toggleHelp() {
        setHelpVisible(!isHelpVisible)
    }

    /// Shows or hides the help overlay (it opens at the top).
    mutating func setHelpVisible(_ visible: Bool) {
        isHelpVisible = visible
        helpOffset = 0
    }

    /// Scrolls the open help overlay by `rows` (kept within its rows).
    mutating func scrollHelp(by rows: Int) {
        let visible = max(1, currentLayout.paneHeight - 2)
        helpOffset = max(0, min(HelpOverlay.rows(width: currentLayout.width).count - visible, helpOffset + rows))
    }

    // MARK: - Scrolling

    /// Geometry used by scrolling: that of the last rendered frame.
    var currentLayout: ScreenLayout {
        ScreenLayout(width: lastWidth, height: lastHeight, wantsSidebar: wantsSidebar)
    }

    /// Whether the active buffer would show the sidebar on a wide terminal.
    var wantsSidebar: Bool {
        isSidebarEnabled && activeBuffer.kind == .channel
    }

    /// The message renderer for a layout.
    func messageRenderer(for layout: ScreenLayout) -> MessageRenderer {
        MessageRenderer(layout: layout.message, ownNick: status.nick, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// Scrolls the active buffer by `lines` rows (negative = up / older).
    mutating func scroll(lines: Int) {
        let layout = currentLayout
        let renderer = messageRenderer(for: layout)
        buffers[activeIndex].scroll(by: lines, paneHeight: layout.paneHeight) { renderer.rowCount(for: $0) }
    }

    /// Scrolls up by a page (the pane height minus one row of context).
    mutating func scrollPageUp() {
        scroll(lines: -max(1, currentLayout.paneHeight - 1))
    }

    /// Scrolls down by a page; reaching the bottom resumes following new lines.
    mutating func scrollPageDown() {
        scroll(lines: max(1, currentLayout.paneHeight - 1))
    }

    /// Scrolls to the oldest line.
    mutating func scrollToTop() {
        let layout = currentLayout
        let renderer = messageRenderer(for: layout)
        buffers[activeIndex].scrollToTop(paneHeight: layout.paneHeight) { renderer.rowCount(for: $0) }
    }

    /// Scrolls to the newest line and follows new lines again.
    mutating func scrollToBottom() {
        buffers[activeIndex].scrollToBottom()
    }

    /// Lines below the visible area of the active buffer (0 when following).
    var linesBelow: Int {
        let layout = currentLayout
        let renderer = messageRenderer(for: layout)
        let buffer = activeBuffer
        let anchor = buffer.effectiveAnchor(paneHeight: layout.paneHeight) { renderer.rowCount(for: $0) }
        return buffer.linesBelow(anchor: anchor) { renderer.rowCount(for: $0) }
    }
}
