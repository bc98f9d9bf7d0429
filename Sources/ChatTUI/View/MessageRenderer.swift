/// Lays out one `ChatLine` as rows of the message pane:
/// `HH:MM         nick │ text…` with wrapped rows hanging under the text.
///
/// Styling: stable per-nick colours (own nick bright white), highlighted
/// nick column and text for mentions, `*nick*` for private messages, dimmed
/// `-->`/`<--`/`--` event lines, red errors.
struct MessageRenderer: Sendable {
    let layout: MessageLayout
    let ownNick: String
    let utcOffsetSeconds: Int

    /// Style of the timestamp and separator.
    static let chromeStyle = TextStyle(dim: true)
    /// Style of the nick column for lines mentioning me.
    static let highlightPrefixStyle = TextStyle(bold: true, reverse: true, foreground: .brightYellow)
    /// Base style of text mentioning me.
    static let highlightTextStyle = TextStyle(bold: true, foreground: .brightYellow)

    /// The rows of `line`, with spans at absolute pane columns (pane starts at column 0).
    func rows(for line: ChatLine) -> [[Screen.Span]] {
        let (prefix, prefixStyle, body) = decorate(line)
        let wrapped = TextWrapper.wrap(body, width: layout.textWidth)
        var rows: [[Screen.Span]] = []
        rows.reserveCapacity(wrapped.count + 1)
        if line.unreadMarker {
            rows.append([Screen.Span(column: 0, text: Self.unreadMarkerText(width: layout.paneWidth),
                                     style: Self.unreadMarkerStyle)])
        }
        for (index, textRow) in wrapped.enumerated() {
            var spans: [Screen.Span] = []
            if index == 0 {
                if layout.showsTime {
                    spans.append(Screen.Span(
                        column: 0, text: line.formattedTime(utcOffsetSeconds: utcOffsetSeconds),
                        style: Self.chromeStyle
                    ))
                }
                let shown = prefix.truncated(toWidth: layout.nickWidth)
                let column = layout.timeWidth + layout.nickWidth - shown.displayWidth
                if !shown.isEmpty {
                    spans.append(Screen.Span(column: column, text: shown, style: prefixStyle))
                }
            }
            spans.append(Screen.Span(column: layout.separatorColumn, text: "│", style: Self.chromeStyle))
            var column = layout.textColumn
            for span in textRow where !span.text.isEmpty {
                spans.append(Screen.Span(column: column, text: span.text, style: span.style))
                column += span.text.displayWidth
            }
            rows.append(spans)
        }
        return rows
    }

    /// Number of rows `line` occupies (with the unread marker row above it, when it has one).
    func rowCount(for line: ChatLine) -> Int {
        let (_, _, body) = decorate(line)
        return TextWrapper.wrap(body, width: layout.textWidth).count + (line.unreadMarker ? 1 : 0)
    }

    static let unreadMarkerStyle = TextStyle(foreground: .brightRed)

    /// `──── new messages ────` across the pane.
    static func unreadMarkerText(width: Int) -> String {
        let label = " new messages "
        let side = max(0, (width - label.count) / 2)
        return String(repeating: "─", count: side) + label + String(repeating: "─", count: max(0, width - side - label.count))
    }

    // MARK: - Decoration

    private func nickColor(_ nick: String, isOwn: Bool) -> TerminalColor {
        isOwn ? NickColors.own : NickColors.color(for: nick, ownNick: ownNick)
    }

    /// Style of what the client adds to a message: reply context, reactions, "message deleted".
    static let annotationStyle = TextStyle(italic: true, dim: true)

    /// Prefix text, prefix style and body spans for a line, with its reply context before the
    /// text, its reactions after it, and a deleted message's text replaced.
    private func decorate(_ line: ChatLine) -> (String, TextStyle, [StyledSpan]) {
        var shown = line
        if line.isRedacted { shown.text = "" }
        var (prefix, style, body) = decorateKind(shown)
        if line.isRedacted {
            body = [StyledSpan(text: "(message deleted)", style: Self.annotationStyle)]
        }
        if line.isBot {
            body.insert(StyledSpan(text: "[bot] ", style: Self.annotationStyle), at: 0)
        }
        if let context = line.replyContext {
            body.insert(StyledSpan(text: "↪ " + TerminalSanitizer.plain(context) + " ", style: Self.annotationStyle), at: 0)
        }
        if !line.reactions.isEmpty {
            body.append(StyledSpan(text: "  [" + line.reactions.map(TerminalSanitizer.plain).joined(separator: ", ") + "]",
                                   style: Self.annotationStyle))
        }
        return (prefix, style, body)
    }

    /// Prefix text, prefix style and body spans for a line of its kind.
    private func decorateKind(_ line: ChatLine) -> (String, TextStyle, [StyledSpan]) {
        let nick = line.nick.map(TerminalSanitizer.plain) ?? ""
        let textStyle = line.mentionsMe && !line.isOwn ? Self.highlightTextStyle : TextStyle.plain
        func prefixStyle(_ normal: TextStyle) -> TextStyle {
            line.mentionsMe && !line.isOwn ? Self.highlightPrefixStyle : normal
        }
        let nickStyle = TextStyle(bold: line.isOwn, foreground: nickColor(nick, isOwn: line.isOwn))

        switch line.kind {
        case .message:
            return (nick, prefixStyle(nickStyle), TerminalSanitizer.sanitize(line.text, base: textStyle))
        case .action:
            var body = [StyledSpan(text: nick, style: TextStyle(bold: true, foreground: nickStyle.foreground))]
            body.append(StyledSpan(" "))
            body += TerminalSanitizer.sanitize(line.text, base: textStyle)
            return ("*", prefixStyle(TextStyle(bold: true, foreground: nickStyle.foreground)), body)
        case .notice:
            let prefix = nick.isEmpty ? "-!-" : "-" + nick + "-"
            return (prefix, prefixStyle(TextStyle(foreground: .magenta)), TerminalSanitizer.sanitize(line.text, base: textStyle))
        case .privateMessage:
            let prefix = "*" + nick + "*"
            let style = TextStyle(bold: true, foreground: line.isOwn ? NickColors.own : .brightMagenta)
            return (prefix, prefixStyle(style), TerminalSanitizer.sanitize(line.text, base: textStyle))
        case .join:
            return ("-->", TextStyle(foreground: .green), eventBody(line, nick: nick, dim: true))
        case .part, .quit:
            return ("<--", TextStyle(foreground: .red), eventBody(line, nick: nick, dim: true))
        case .kick:
            return ("<--", TextStyle(bold: true, foreground: .red), eventBody(line, nick: nick, dim: false))
        case .nick, .mode:
            return ("--", TextStyle(foreground: .cyan), eventBody(line, nick: nick, dim: true))
        case .topic, .info:
            return ("--", TextStyle(foreground: .cyan), eventBody(line, nick: nick, dim: false))
        case .error:
            return ("!!", TextStyle(bold: true, foreground: .brightRed),
                    TerminalSanitizer.sanitize(line.text, base: TextStyle(foreground: .brightRed)))
        }
    }

    /// Event text, dimmed or not, with the leading nick (if any) in its colour.
    private func eventBody(_ line: ChatLine, nick: String, dim: Bool) -> [StyledSpan] {
        let base = TextStyle(dim: dim)
        guard !nick.isEmpty, let rawNick = line.nick, line.text.hasPrefix(rawNick) else {
            return TerminalSanitizer.sanitize(line.text, base: base)
        }
        var body = [StyledSpan(text: nick, style: TextStyle(foreground: nickColor(nick, isOwn: line.isOwn)))]
        body += TerminalSanitizer.sanitize(String(line.text.dropFirst(rawNick.count)), base: base)
        return body
    }
}
