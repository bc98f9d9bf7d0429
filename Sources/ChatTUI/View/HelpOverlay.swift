import ChatCore

/// The help overlay drawn over the message pane (F1, `/help`).
enum HelpOverlay {
    /// Key bindings: (keys, description).
    static let keys: [(keys: String, description: String)] = [
        ("Ctrl-Q (Ctrl-C) / Ctrl-X", "quit / leave the current channel"),
        ("Tab / Shift-Tab", "complete nick, /command or #channel; cycle forwards / backwards"),
        ("Up / Down", "input history"),
        ("Ctrl-A/E, Home/End", "start / end of the line"),
        ("Alt-B/F, Ctrl-Left/Right", "previous / next word"),
        ("Ctrl-W, Alt-Backspace", "delete the previous word"),
        ("Ctrl-U / Ctrl-K / Ctrl-Y", "delete to start / to end, paste deleted"),
        ("Alt-1..9, Alt-0", "go to buffer 1..10"),
        ("Alt-Left/Right, Ctrl-P/N", "previous / next buffer"),
        ("Alt-A", "go to the buffer with activity"),
        ("PgUp / PgDn", "scroll one page; past the oldest line, older history"),
        ("Alt-Up / Alt-Down", "scroll one line"),
        ("Alt-Home / Alt-End", "oldest / newest messages"),
        ("F1 / F2 / Ctrl-L", "this help / nick list / redraw"),
        ("F11 / F12", "scroll the nick list up / down"),
        ("wheel", "with --mouse: scroll messages, or members over the list"),
        ("Ctrl-R", "search this buffer (again: older; Enter stays, Esc back)"),
        ("//text", "send text starting with /"),
        ("Paste, then Enter / Esc", "send several pasted lines / join them into one line to edit"),
    ]

    /// Key bindings, then every command of the one command table.
    static let entries: [(keys: String, description: String)] = keys
        + UserInput.commands.map { ($0.usage, $0.summary) }

    static let borderStyle = TextStyle(foreground: .cyan)
    static let keyStyle = TextStyle(bold: true)
    static let title = " Help — PgUp/PgDn scroll, F1 or Esc close "

    /// The width of the key column in an overlay `width` columns wide.
    static func keyWidth(width: Int) -> Int {
        let longestKey = entries.map { $0.keys.displayWidth }.max() ?? 0
        return min(longestKey, max(0, (width - 4) / 2))
    }

    /// The width of the description column: inside the borders, after a space, the keys and two spaces.
    static func descriptionWidth(width: Int) -> Int {
        width - 2 - 2 - keyWidth(width: width) - 2
    }

    /// The overlay's rows at `width`: each entry's description wraps onto rows of its own (with no
    /// key) instead of being cut.
    static func rows(width: Int) -> [(keys: String, text: String)] {
        let descriptionWidth = descriptionWidth(width: width)
        guard descriptionWidth > 0 else { return entries.map { ($0.keys, "") } }
        return entries.flatMap { entry in
            TextWrapper.wrap(entry.description, width: descriptionWidth, indent: 0).enumerated().map { index, part in
                (index == 0 ? entry.keys : "", part)
            }
        }
    }

    /// Draws the overlay into rows `top..<top+height`, columns `0..<width`, from row `offset` on.
    static func draw(into screen: inout Screen, top: Int, height: Int, width: Int, offset: Int = 0) {
        guard height > 0, width >= 4 else { return }
        let inner = width - 2
        let titleText = title.prefix(fittingWidth: max(0, inner - 2))
        let topBorder = "┌─" + titleText + String(repeating: "─", count: max(0, inner - 1 - titleText.displayWidth)) + "┐"
        screen.put(topBorder, row: top, column: 0, style: borderStyle)
        guard height >= 2 else { return }
        let bodyRows = height - 2
        let keyWidth = keyWidth(width: width)
        let descriptionWidth = descriptionWidth(width: width)
        let all = rows(width: width)
        let shown = all.dropFirst(min(offset, all.count))
        for index in 0..<bodyRows {
            let row = top + 1 + index
            screen.put("│", row: row, column: 0, style: borderStyle)
            screen.put("│", row: row, column: width - 1, style: borderStyle)
            guard index < shown.count else { continue }
            let isLastVisible = index == bodyRows - 1 && shown.count > bodyRows
            if isLastVisible {
                let more = "… \(shown.count - index) more (PgDn)"
                screen.put(more.prefix(fittingWidth: inner - 2), row: row, column: 2, style: TextStyle(dim: true))
                continue
            }
            let entry = shown[shown.startIndex + index]
            screen.put(entry.keys.truncated(toWidth: keyWidth).padded(toWidth: keyWidth), row: row, column: 2, style: keyStyle)
            if descriptionWidth > 0 {
                screen.put(entry.text.truncated(toWidth: descriptionWidth), row: row, column: 2 + keyWidth + 2)
            }
        }
        let bottomBorder = "└" + String(repeating: "─", count: inner) + "┘"
        screen.put(bottomBorder, row: top + height - 1, column: 0, style: borderStyle)
    }
}
