import ChatCore
/// Key handling and command-line submission.
extension ChatViewModel {
    /// Applies a key press. Keys for buffers, scrolling, help and completion
    /// are handled here, editing keys go to the `LineEditor`, and whatever
    /// needs the network comes back as `InputAction`s.
    ///
    /// | Key | Effect |
    /// |---|---|
    /// | Enter | submit the input line |
    /// | Tab, Shift-Tab | complete nick / command / #channel (repeat to cycle, Shift-Tab backwards) |
    /// | Alt-1…9, Alt-0 | buffer 1…10 |
    /// | Alt-Left/Right, Ctrl-P/N | previous / next buffer |
    /// | Alt-A | buffer with the most important activity |
    /// | PgUp/PgDn | scroll a page |
    /// | Alt/Ctrl-Up/Down | scroll a line |
    /// | Alt/Ctrl-Home/End (or Home/End on an empty line) | oldest / newest line |
    /// | F1 | help (Esc closes) |
    /// | F2 | toggle the member sidebar |
    /// | F11/F12 | scroll the member sidebar up / down |
    /// | mouse wheel (`--mouse`) | scroll the messages, or the members over the sidebar, three rows |
    /// | Ctrl-R | search the buffer's lines, newest first (again: older; Enter stays, Esc back) |
    /// | Ctrl-L, resize | redraw |
    /// Rows one notch of the mouse wheel scrolls.
    static let wheelRows = 3

    /// Whether a key may run its binding now: not while a paste waits, Ctrl-R searches or the help is shown.
    var acceptsBoundKeys: Bool { pendingPaste == nil && reverseSearch == nil && !isHelpVisible }

    mutating func handle(_ key: Key) -> [InputAction] {
        if let lines = pendingPaste {
            // A multi-line paste waits for the user: Enter sends it, Esc edits it; nothing else.
            switch key {
            case .enter:
                pendingPaste = nil
                return [.submitLines(lines)]
            case .escape:
                pendingPaste = nil
                editor.insert(lines.joined(separator: " "))
                return []
            case .resize, .ctrl("l"):
                return [.redraw]
            case .character, .backspace, .delete, .left, .right, .up, .down, .home, .end, .pageUp, .pageDown, .tab, .backTab,
                 .function, .ctrl, .alt, .withAlt, .withCtrl, .paste, .wheel:
                return []
            }
        }
        if reverseSearch != nil {
            return searchKey(key)
        }
        if key == .ctrl("r") {
            reverseSearch = ReverseSearch()
            return []
        }
        if isHelpVisible {
            switch key {
            case .escape, .function(1):
                setHelpVisible(false)
                return []
            case .pageDown, .down:
                scrollHelp(by: key == .down ? 1 : max(1, currentLayout.paneHeight - 3))
                return []
            case .pageUp, .up:
                scrollHelp(by: key == .up ? -1 : -max(1, currentLayout.paneHeight - 3))
                return []
            case .wheel(let up, _):
                scrollHelp(by: up ? -Self.wheelRows : Self.wheelRows)
                return []
            case .character, .enter, .backspace, .delete, .left, .right, .home, .end, .tab, .backTab, .function,
                 .ctrl, .alt, .withAlt, .withCtrl, .resize, .paste:
                break
            }
        }
        switch key {
        case .enter:
            return submitInput()
        case .tab, .backTab:
            // Shift-Tab cycles backwards; a word starting with # completes a channel of ours.
            editor.complete(nicks: activeBuffer.completionCandidates(ownNick: status.nick), commands: UserInput.commandNames,
                            channels: buffers.filter { $0.kind == .channel }.map(\.name), backwards: key == .backTab)
        case .function(1):
            toggleHelp()
        case .function(2):
            isSidebarEnabled.toggle()
        case .function(11), .function(12):
            scrollSidebar(by: key == .function(11) ? -1 : 1)
        case .pageUp, .withAlt(.pageUp):
            scrollPageUp()
            return olderHistoryWanted()
        case .pageDown, .withAlt(.pageDown):
            scrollPageDown()
        case .withAlt(.up), .withCtrl(.up):
            scroll(lines: -1)
        case .withAlt(.down), .withCtrl(.down):
            scroll(lines: 1)
        case .withAlt(.home), .withCtrl(.home):
            scrollToTop()
        case .withAlt(.end), .withCtrl(.end):
            scrollToBottom()
        case .home where editor.isEmpty:
            scrollToTop()
        case .end where editor.isEmpty:
            scrollToBottom()
        case .withAlt(.left), .ctrl("p"):
            previousBuffer()
        case .withAlt(.right), .ctrl("n"):
            nextBuffer()
        case .alt("a"):
            jumpToActivity()
        case .alt(let character) where character.isASCII && character.isNumber:
            let digit = Int(character.asciiValue! - 0x30)
            switchTo(index: digit == 0 ? 9 : digit - 1)
        case .ctrl("l"), .resize:
            return [.redraw]
        case .paste(let text):
            return paste(text)
        case .wheel(let up, let column):
            // Over the member sidebar it scrolls the members, anywhere else the messages.
            let layout = currentLayout
            if layout.showsSidebar, column > layout.sidebarColumn, activeBuffer.kind == .channel {
                scrollSidebar(rows: up ? -Self.wheelRows : Self.wheelRows)
            } else {
                scroll(lines: up ? -Self.wheelRows : Self.wheelRows)
                if up { return olderHistoryWanted() }
            }
        case .character, .backspace, .delete, .left, .right, .up, .down, .home, .end, .function, .ctrl,
             .alt, .withAlt, .withCtrl, .escape:
            editor.handle(key)
        }
        return []
    }

    /// Submits the input line as typed; the controller parses it with the command table.
    mutating func submitInput() -> [InputAction] {
        let line = editor.submit()
        guard !line.allSatisfy(\.isWhitespace) else { return [] }
        return [.submit(line)]
    }

    /// A key while Ctrl-R searches: typing refines, Ctrl-R goes to an older hit, Ctrl-U empties the
    /// query and Ctrl-W drops its last word, Enter stays there, Esc goes back to the newest line.
    private mutating func searchKey(_ key: Key) -> [InputAction] {
        guard var search = reverseSearch else { return [] }
        var from: Int?? = nil
        switch key {
        case .character(let character):
            search.query.append(character)
            from = .some(search.match)
        case .backspace:
            guard !search.query.isEmpty else { return [] }
            search.query.removeLast()
            from = .some(nil)
        case .ctrl("r"):
            from = .some(search.match.map { $0 - 1 })
        case .ctrl("u"):
            // As in the input line: the query empties, the search stays open.
            search.query = ""
            search.failed = false
        case .ctrl("w"):
            while search.query.last == " " { search.query.removeLast() }
            while let last = search.query.last, last != " " { search.query.removeLast() }
            from = .some(nil)
        case .enter:
            reverseSearch = nil
            return []
        case .escape, .ctrl("g"), .ctrl("c"):
            reverseSearch = nil
            scrollToBottom()
            return []
        case .resize, .ctrl("l"):
            return [.redraw]
        case .delete, .left, .right, .up, .down, .home, .end, .pageUp, .pageDown, .tab, .backTab, .function, .ctrl, .alt,
             .withAlt, .withCtrl, .paste, .wheel:
            return []
        }
        if let start = from {
            if let hit = activeBuffer.sequence(matching: search.query, atOrBefore: start) {
                search.match = hit
                search.failed = false
                revealInActiveBuffer(hit)
            } else {
                search.failed = !search.query.isEmpty
            }
        }
        reverseSearch = search
        return []
    }

    /// A paste is never sent by itself. One line goes into the input line; several wait for Enter
    /// (sent as they are: one multiline message where the server can, else a message per line) or
    /// Esc (joined into the input line to edit). What was typed before the paste starts its first line.
    private mutating func paste(_ text: String) -> [InputAction] {
        var parts = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init)
        while parts.count > 1, parts.last!.isEmpty { parts.removeLast() }
        guard parts.count > 1 else {
            editor.insert(parts.first ?? "")
            return []
        }
        let typed = editor.submit()
        parts[0] = typed + parts[0]
        pendingPaste = parts
        return []
    }
}
