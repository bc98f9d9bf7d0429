/// Word wrapping of styled text into rows of terminal cells.
///
/// Rows break at spaces when possible; a word longer than a whole row is
/// hard-broken between grapheme clusters (never inside one). Continuation
/// rows start with `indent` cells of spaces (a hanging indent) and do not
/// start with the spaces at which the previous row was broken. No row is ever
/// wider than `width` cells, including with wide characters and emoji.
enum TextWrapper {
    /// Wraps `spans` into rows of at most `width` cells.
    ///
    /// - Parameters:
    ///   - spans: Sanitized text (no control characters).
    ///   - width: Maximum row width in cells (at least 1).
    ///   - indent: Hanging indent, in cells, of every row after the first.
    ///     Clamped so at least one cell of text fits.
    /// - Returns: At least one row (an empty input gives one empty row). Each
    ///   continuation row begins with an unstyled span of `indent` spaces.
    static func wrap(_ spans: [StyledSpan], width: Int, indent: Int = 0) -> [[StyledSpan]] {
        let width = max(1, width)
        let indent = max(0, min(indent, width - 1))
        var layout = RowBuilder(width: width, indent: indent)
        var word: [(character: Character, width: Int, style: TextStyle)] = []
        var wordWidth = 0

        for span in spans {
            for character in span.text {
                if character == " " {
                    layout.place(word: word, width: wordWidth)
                    word.removeAll(keepingCapacity: true)
                    wordWidth = 0
                    layout.placeSpace(style: span.style)
                } else {
                    let cells = character.displayWidth
                    word.append((character, cells, span.style))
                    wordWidth += cells
                }
            }
        }
        layout.place(word: word, width: wordWidth)
        return layout.finish()
    }

    /// Wraps plain unstyled text; convenience for tests and simple callers.
    static func wrap(_ text: String, width: Int, indent: Int = 0) -> [String] {
        wrap([StyledSpan(text)], width: width, indent: indent).map { $0.plainText }
    }
}

/// Greedy row filler used by `TextWrapper`.
private struct RowBuilder {
    let width: Int
    let indent: Int
    private var rows: [[StyledSpan]] = []
    private var current: [StyledSpan] = []
    private var used = 0
    private var isContinuation = false
    /// Whether the current row holds anything other than its indent.
    private var hasContent = false

    init(width: Int, indent: Int) {
        self.width = width
        self.indent = indent
    }

    private var capacity: Int { isContinuation ? width - indent : width }

    mutating func placeSpace(style: TextStyle) {
        if isContinuation && !hasContent { return }
        if used + 1 <= capacity {
            current.appendMerging(" ", style: style)
            used += 1
            hasContent = true
        } else {
            newRow()
        }
    }

    mutating func place(word: [(character: Character, width: Int, style: TextStyle)], width wordWidth: Int) {
        guard !word.isEmpty else { return }
        if used + wordWidth <= capacity {
            append(word)
            return
        }
        if hasContent && wordWidth <= width - indent {
            newRow()
            append(word)
            return
        }
        for cluster in word {
            if used + cluster.width > capacity {
                if hasContent { newRow() }
                if cluster.width > capacity {
                    current.appendMerging(String(repeating: " ", count: capacity), style: cluster.style)
                    used = capacity
                    hasContent = true
                    continue
                }
            }
            current.appendMerging(String(cluster.character), style: cluster.style)
            used += cluster.width
            hasContent = true
        }
    }

    mutating func finish() -> [[StyledSpan]] {
        trimTrailingSpaces()
        rows.append(current)
        return rows
    }

    private mutating func append(_ word: [(character: Character, width: Int, style: TextStyle)]) {
        for cluster in word {
            current.appendMerging(String(cluster.character), style: cluster.style)
            used += cluster.width
        }
        hasContent = true
    }

    private mutating func newRow() {
        trimTrailingSpaces()
        rows.append(current)
        current = indent > 0 ? [StyledSpan(String(repeating: " ", count: indent))] : []
        used = 0
        isContinuation = true
        hasContent = false
    }

    private mutating func trimTrailingSpaces() {
        guard hasContent else { return }
        while let last = current.last, last.text.last == " " {
            let trimmed = String(last.text.dropLast())
            if trimmed.isEmpty {
                current.removeLast()
            } else {
                current[current.count - 1].text = trimmed
            }
        }
    }
}
