/// A fully laid out frame: what a terminal driver draws, row by row.
///
/// Each row is a list of spans placed at explicit cell columns; cells not
/// covered by any span are blank. No span extends past `width` and no text
/// contains control characters, so a driver can simply `move(row, column)`
/// and write each span with its style after clearing the row.
struct Screen: Equatable, Sendable {
    /// Text drawn at a fixed column of a row.
    struct Span: Equatable, Sendable {
        /// First cell column (0-based).
        var column: Int
        var text: String
        var style: TextStyle

        /// Width of the text in cells.
        var width: Int { text.displayWidth }
    }

    /// Where the terminal cursor goes.
    struct Cursor: Equatable, Sendable {
        var row: Int
        var column: Int
    }

    let width: Int
    let height: Int
    /// Exactly `height` rows.
    private(set) var rows: [[Span]]
    /// The cursor position, or `nil` to hide the cursor.
    var cursor: Cursor?

    /// Creates a blank screen.
    init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.rows = Array(repeating: [], count: max(0, height))
    }

    /// Places text at `column` of `row`, clipped to the screen width (a
    /// wide character cut at the edge becomes a space). Returns the column
    /// after the text.
    @discardableResult
    mutating func put(_ text: String, row: Int, column: Int, style: TextStyle = .plain) -> Int {
        guard row >= 0, row < height, column < width, column >= 0, !text.isEmpty else { return column }
        let clipped = text.prefix(fittingWidth: width - column)
        guard !clipped.isEmpty else { return column }
        rows[row].append(Span(column: column, text: clipped, style: style))
        return column + clipped.displayWidth
    }

    /// Places styled spans one after another starting at `column`, clipped at
    /// `limit` cells from the left edge (default: the screen width).
    @discardableResult
    mutating func put(_ spans: [StyledSpan], row: Int, column: Int, limit: Int? = nil) -> Int {
        let end = min(limit ?? width, width)
        var x = column
        for span in spans where x < end {
            let clipped = span.text.prefix(fittingWidth: end - x)
            x = put(clipped, row: row, column: x, style: span.style)
        }
        return x
    }

    /// Fills cells `column..<column+count` of `row` with spaces in `style` (bars).
    mutating func fill(row: Int, column: Int = 0, count: Int? = nil, style: TextStyle) {
        let n = min(count ?? (width - column), width - column)
        guard n > 0 else { return }
        put(String(repeating: " ", count: n), row: row, column: column, style: style)
    }

    /// Removes everything drawn on `row`.
    mutating func clear(row: Int) {
        guard row >= 0, row < height else { return }
        rows[row] = []
    }

    // MARK: - Text view (tests, debugging)

    /// The row as exactly `width` cells of text (later spans overwrite earlier
    /// ones, as on a terminal).
    func text(row: Int) -> String {
        guard row >= 0, row < height else { return "" }
        // nil marks the right half of a wide character.
        var cells: [String?] = Array(repeating: " ", count: width)
        for span in rows[row] {
            var x = span.column
            for character in span.text {
                let w = character.displayWidth
                if w == 0 {
                    if x > 0, let previous = cells[x - 1] { cells[x - 1] = previous + String(character) }
                    continue
                }
                guard x + w <= width else { break }
                if cells[x] == nil, x > 0 { cells[x - 1] = " " }
                if x + 1 < width, cells[x + 1] == nil, w == 1 { cells[x + 1] = " " }
                if w == 2, x + 2 < width, cells[x + 2] == nil { cells[x + 2] = " " }
                cells[x] = String(character)
                if w == 2 { cells[x + 1] = nil }
                x += w
            }
        }
        return cells.compactMap { $0 }.joined()
    }

    /// All rows as text, each exactly `width` cells.
    var lines: [String] {
        (0..<height).map { text(row: $0) }
    }

    /// The row text without trailing spaces.
    func trimmedText(row: Int) -> String {
        var line = text(row: row)
        while line.last == " " { line.removeLast() }
        return line
    }

    /// All rows joined by newlines, trailing spaces trimmed (for debugging).
    var debugDescription: String {
        (0..<height).map { trimmedText(row: $0) }.joined(separator: "\n")
    }
}
