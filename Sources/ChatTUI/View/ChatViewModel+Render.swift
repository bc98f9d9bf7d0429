/// Rendering of the whole screen.
extension ChatViewModel {
    /// Style of the top bar and status line.
    static let barStyle = TextStyle(foreground: .brightWhite, background: .blue)
    /// Style of the input prompt.
    static let promptStyle = TextStyle(bold: true, foreground: .cyan)
    /// Style of the "more below" indicator.
    static let moreBelowStyle = TextStyle(bold: true, foreground: .brightYellow, background: .blue)
    /// Notice shown when the terminal is below the minimum size.
    static let tooSmallNotice = "terminal too small"

    /// Lays out a frame of `width` × `height` cells and remembers the size
    /// for paging. Only the visible lines are wrapped, so the cost does not
    /// depend on the scrollback length.
    mutating func render(width: Int, height: Int) -> Screen {
        resize(width: width, height: height)
        return draw(width: width, height: height)
    }

    /// Lays out a frame without recording the size.
    func draw(width: Int, height: Int) -> Screen {
        var screen = Screen(width: width, height: height)
        let layout = ScreenLayout(width: width, height: height, wantsSidebar: wantsSidebar)
        guard !layout.isTooSmall else {
            drawTooSmall(into: &screen)
            return screen
        }
        let renderer = messageRenderer(for: layout)
        let buffer = activeBuffer
        let anchor = buffer.effectiveAnchor(paneHeight: layout.paneHeight) { renderer.rowCount(for: $0) }

        drawTopBar(into: &screen, layout: layout)
        if isHelpVisible {
            HelpOverlay.draw(into: &screen, top: layout.paneTop, height: layout.paneHeight, width: layout.width, offset: helpOffset)
        } else {
            drawMessages(into: &screen, layout: layout, renderer: renderer, anchor: anchor)
            if layout.showsSidebar {
                drawSidebar(into: &screen, layout: layout)
            }
        }
        let below = buffer.linesBelow(anchor: anchor) { renderer.rowCount(for: $0) }
        drawStatus(into: &screen, layout: layout, linesBelow: below, isScrolled: anchor != nil)
        drawInput(into: &screen, layout: layout)
        return screen
    }

    // MARK: - Regions

    private func drawTooSmall(into screen: inout Screen) {
        guard screen.width > 0, screen.height > 0 else { return }
        let text = Self.tooSmallNotice.displayWidth <= screen.width ? Self.tooSmallNotice : "too small"
        let shown = text.prefix(fittingWidth: screen.width)
        let column = max(0, (screen.width - shown.displayWidth) / 2)
        screen.put(shown, row: (screen.height - 1) / 2, column: column, style: TextStyle(bold: true))
        screen.cursor = nil
    }

    private func drawTopBar(into screen: inout Screen, layout: ScreenLayout) {
        let buffer = activeBuffer
        let row = layout.topBarRow
        screen.fill(row: row, style: Self.barStyle)
        var title = " " + TerminalSanitizer.plain(buffer.name)
        var detail: [StyledSpan] = []
        switch buffer.kind {
        case .channel where !buffer.isJoined:
            // Disconnected, parted or kicked: the members and topic shown would be stale.
            title += " (not joined)"
        case .channel:
            let count = buffer.members.count
            title += " (\(count) \(count == 1 ? "user" : "users"))"
            if let topic = buffer.topic, !topic.isEmpty {
                detail = TerminalSanitizer.sanitize(topic, base: Self.barStyle)
            }
        case .query:
            detail = [StyledSpan(text: "private conversation", style: Self.barStyle)]
        case .server:
            let server = status.server.isEmpty ? status.connection : status.connection + " to " + status.server
            detail = [StyledSpan(text: TerminalSanitizer.plain(server), style: Self.barStyle)]
        }
        var column = screen.put(title, row: row, column: 0, style: TextStyle(bold: true, foreground: .brightWhite, background: .blue))
        if !detail.isEmpty {
            column = screen.put(" │ ", row: row, column: column, style: Self.barStyle)
            // Bar text keeps the bar background even where mIRC codes set colours.
            let spans = detail.map { span -> StyledSpan in
                var style = span.style
                if style.background == nil { style.background = Self.barStyle.background }
                if style.foreground == nil { style.foreground = Self.barStyle.foreground }
                return StyledSpan(text: span.text, style: style)
            }
            screen.put(spans, row: row, column: column)
        }
    }

    private func drawMessages(
        into screen: inout Screen, layout: ScreenLayout, renderer: MessageRenderer, anchor: ScrollAnchor?
    ) {
        let lines = activeBuffer.lines
        guard let last = lines.lastSequence else { return }
        let paneHeight = layout.paneHeight
        var collected: [[Screen.Span]] = []
        collected.reserveCapacity(paneHeight)
        var sequence = anchor?.sequence ?? last
        var lastRow = anchor?.row ?? Int.max
        let marked = reverseSearch?.match
        while collected.count < paneHeight, sequence >= lines.firstSequence {
            var rows = renderer.rows(for: lines[sequence: sequence])
            if sequence == marked {
                // The search's hit, shown in reverse video.
                rows = rows.map { row in row.map { span in
                    var span = span
                    if span.column >= renderer.layout.textColumn { span.style.reverse = true }
                    return span
                } }
            }
            var index = min(lastRow, rows.count - 1)
            while index >= 0, collected.count < paneHeight {
                collected.append(rows[index])
                index -= 1
            }
            sequence -= 1
            lastRow = Int.max
        }
        for (offset, spans) in collected.reversed().enumerated() {
            let row = layout.paneTop + offset
            for span in spans {
                let limit = layout.paneWidth - span.column
                guard limit > 0 else { continue }
                screen.put(span.text.prefix(fittingWidth: limit), row: row, column: span.column, style: span.style)
            }
        }
    }

    private func drawSidebar(into screen: inout Screen, layout: ScreenLayout) {
        let members = activeBuffer.members.members
        let separatorColumn = layout.sidebarColumn
        let contentColumn = separatorColumn + 1
        let contentWidth = ScreenLayout.sidebarWidth - 1
        for offset in 0..<layout.paneHeight {
            screen.put("│", row: layout.paneTop + offset, column: separatorColumn, style: TextStyle(dim: true))
        }
        let header = "\(members.count) \(members.count == 1 ? "nick" : "nicks")"
        screen.put(" " + header.truncated(toWidth: contentWidth - 1), row: layout.paneTop, column: contentColumn,
                   style: TextStyle(bold: true, underline: true))
        let available = layout.paneHeight - 1
        guard available > 0 else { return }
        // F11/F12 scroll the list; the first row says how many are above, the last how many below.
        let first = min(activeBuffer.sidebarOffset, max(0, members.count - 1))
        let above = first > 0 ? 1 : 0
        let remaining = members.count - first
        let overflow = remaining > available - above
        let shownCount = max(0, min(remaining, available - above - (overflow ? 1 : 0)))
        let own = caseMapping.fold(status.nick)
        if above > 0 {
            screen.put(" " + "↑\(first) more (F11)".truncated(toWidth: contentWidth - 1), row: layout.paneTop + 1,
                       column: contentColumn, style: TextStyle(dim: true))
        }
        for offset in 0..<shownCount {
            let member = members[first + offset]
            let row = layout.paneTop + 1 + above + offset
            if let prefix = member.highestPrefix {
                let color: TerminalColor = member.isOperator ? .brightGreen : (member.isVoiced ? .brightYellow : .cyan)
                screen.put(String(prefix), row: row, column: contentColumn, style: TextStyle(bold: true, foreground: color))
            }
            let isOwn = caseMapping.fold(member.nick) == own
            // Away members are greyed (away-notify keeps it current).
            let style = member.isAway ? TextStyle(dim: true, foreground: .brightBlack)
                : TextStyle(bold: isOwn, foreground: isOwn ? NickColors.own : NickColors.color(for: member.nick))
            let nick = TerminalSanitizer.plain(member.nick).truncated(toWidth: contentWidth - 1)
            screen.put(nick, row: row, column: contentColumn + 1, style: style)
        }
        if overflow {
            let more = "↓\(remaining - shownCount) more (F12)"
            screen.put(" " + more.truncated(toWidth: contentWidth - 1), row: layout.paneTop + available,
                       column: contentColumn, style: TextStyle(dim: true))
        }
    }

    private func drawStatus(into screen: inout Screen, layout: ScreenLayout, linesBelow: Int, isScrolled: Bool) {
        let row = layout.statusRow
        screen.fill(row: row, style: Self.barStyle)
        var right = ""
        if isScrolled {
            right = linesBelow > 0 ? "-- \(linesBelow) more below --" : "-- more below --"
        } else if layout.width >= 60 {
            right = "F1 help "
        }
        let rightWidth = right.displayWidth
        let leftLimit = right.isEmpty ? layout.width : max(0, layout.width - rightWidth - 1)

        var spans: [StyledSpan] = []
        func add(_ text: String, _ style: TextStyle = Self.barStyle) {
            spans.append(StyledSpan(text: text, style: style))
        }
        if !status.nick.isEmpty {
            add(" [")
            add(TerminalSanitizer.plain(status.nick), TextStyle(bold: true, foreground: .brightWhite, background: .blue))
            if let account = status.account {
                // The account logged in to ("alice@alice"): the server vouches for this identity.
                add("@" + TerminalSanitizer.plain(account), TextStyle(foreground: .brightGreen, background: .blue))
            }
            add("]")
        }
        if status.isAway { add(" [away]", TextStyle(bold: true, foreground: .brightYellow, background: .blue)) }
        add(" [\(activeIndex + 1):" + TerminalSanitizer.plain(activeBuffer.name) + "]")
        var connection = TerminalSanitizer.plain(status.connection)
        if let at = status.reconnectAt {
            connection = "reconnecting in \(max(0, (at - currentTimeMilliseconds + 999) / 1000))s"
        }
        if !status.server.isEmpty { connection += ": " + TerminalSanitizer.plain(status.server) }
        add(" [" + connection + "]")
        if let lag = status.lagMilliseconds {
            add(" [lag " + Self.formatLag(lag) + "]")
        }
        // Activity after the connection state and lag, which a narrow line must not lose.
        let active = buffers.indices.filter { $0 != activeIndex && buffers[$0].activity > .none }
        if !active.isEmpty {
            add(" [Act: ")
            for (position, index) in active.enumerated() {
                if position > 0 { add(",") }
                let style = Self.activityStyle(buffers[index].activity)
                // `2:#chatty(3)`: the buffer's number, name and unread messages.
                let count = buffers[index].unreadCount
                add("\(index + 1):" + TerminalSanitizer.plain(buffers[index].name).truncated(toWidth: 16)
                    + (count > 0 ? "(\(count))" : ""), style)
            }
            add("]")
        }
        // Other networks with something waiting: ` [libera(3)]`, in the colours of the buffers' activity.
        for network in otherNetworks where network.activity > .none {
            add(" [")
            add(TerminalSanitizer.plain(network.name).truncated(toWidth: 16) + (network.unread > 0 ? "(\(network.unread))" : ""),
                Self.activityStyle(network.activity))
            add("]")
        }
        let typers = typing.typing(in: activeBuffer.name, now: currentTimeMilliseconds, caseMapping: caseMapping)
        if let words = TypingIndicator.describe(typers.map(TerminalSanitizer.plain)) {
            add(" " + words, TextStyle(italic: true, foreground: .brightWhite, background: .blue))
        }
        if !isScrolled, spans.reduce(0, { $0 + $1.text.displayWidth }) > leftLimit {
            // The connection state and lag matter more than the hint: it gives way when they do not fit.
            right = ""
        }
        screen.put(spans, row: row, column: 0, limit: right.isEmpty ? layout.width : leftLimit)
        if !right.isEmpty {
            screen.put(right, row: row, column: max(0, layout.width - rightWidth),
                       style: isScrolled ? Self.moreBelowStyle : Self.barStyle)
        }
    }

    private func drawInput(into screen: inout Screen, layout: ScreenLayout) {
        let row = layout.inputRow
        let maxPromptName = max(1, layout.width / 3 - 3)
        let name = TerminalSanitizer.plain(activeBuffer.name).truncated(toWidth: maxPromptName)
        let prompt = "[" + name + "] "
        let promptEnd = screen.put(prompt, row: row, column: 0, style: Self.promptStyle)
        let fieldWidth = max(1, layout.width - promptEnd)
        if let search = reverseSearch {
            let text = TerminalSanitizer.plain(search.prompt)
            let end = screen.put(text.truncated(toWidth: fieldWidth), row: row, column: promptEnd,
                                 style: TextStyle(bold: true, foreground: search.failed ? .brightRed : .brightCyan))
            screen.cursor = Screen.Cursor(row: row, column: min(layout.width - 1, end))
            return
        }
        if let lines = pendingPaste {
            let question = "Paste \(lines.count) lines? Enter sends them, Esc edits them as one line"
            screen.put(question.truncated(toWidth: fieldWidth), row: row, column: promptEnd,
                       style: TextStyle(bold: true, foreground: .brightYellow))
            screen.cursor = Screen.Cursor(row: row, column: min(layout.width - 1, promptEnd))
            return
        }
        let slice = editor.visibleSlice(width: fieldWidth)
        screen.put(slice.text, row: row, column: promptEnd)
        screen.cursor = Screen.Cursor(row: row, column: min(layout.width - 1, promptEnd + slice.cursorColumn))
    }

    /// `850ms`, `1.2s`, `12s`.
    static func formatLag(_ milliseconds: Int) -> String {
        if milliseconds < 1000 { return "\(max(0, milliseconds))ms" }
        if milliseconds < 10_000 { return "\(milliseconds / 1000).\(milliseconds % 1000 / 100)s" }
        return "\(milliseconds / 1000)s"
    }
}

extension ChatViewModel {
    /// The window title: the buffer in view, led by how many other buffers hold a mention or a
    /// private message not seen yet (`(2) #chatty — chatty`), so a glance at the taskbar tells.
    /// How the status line shows a buffer's (or another network's) activity.
    static func activityStyle(_ activity: ChatBuffer.Activity) -> TextStyle {
        switch activity {
        case .highlight: return TextStyle(bold: true, foreground: .brightYellow, background: .blue)
        case .messages: return TextStyle(bold: true, foreground: .brightWhite, background: .blue)
        case .events, .none: return TextStyle(foreground: .white, background: .blue)
        }
    }

    var terminalTitle: String {
        let waiting = buffers.indices.filter { $0 != activeIndex && buffers[$0].activity == .highlight }.count
            + otherNetworks.map(\.mentions).reduce(0, +)
        return (waiting > 0 ? "(\(waiting)) " : "") + TerminalSanitizer.plain(activeBuffer.name) + " — chatty"
    }
}
