/// The input line as a value type: text as grapheme clusters, a cursor,
/// readline-style editing, a kill buffer, bounded history and Tab completion.
struct LineEditor: Equatable, Sendable {
    /// The text being edited, one element per grapheme cluster.
    private(set) var characters: [Character] = []
    /// Cursor position as an index into `characters` (0...characters.count).
    private(set) var cursor = 0
    /// Submitted lines, oldest first, at most `historyLimit` entries.
    private(set) var history: [String] = []
    /// Maximum number of history entries kept.
    let historyLimit: Int
    /// Text removed by the last kill command (Ctrl-U/K/W), inserted again by Ctrl-Y.
    private(set) var killBuffer: [Character] = []

    /// Index into `history` while browsing it; `nil` while editing the draft.
    private var historyIndex: Int?
    /// The unsent line saved when history browsing started.
    private var draft: [Character] = []
    /// In-progress Tab completion, reset by any other edit.
    private var completion: Completion?

    private struct Completion: Equatable, Sendable {
        var wordStart: Int
        var candidates: [String]
        var index: Int
        /// Number of characters the current candidate (with suffix) occupies.
        var insertedLength: Int
        var suffix: String
    }

    /// Creates an empty editor keeping at most `historyLimit` history entries.
    init(historyLimit: Int = 500) {
        self.historyLimit = max(1, historyLimit)
    }

    /// The current text.
    var text: String { String(characters) }

    /// Whether the line is empty.
    var isEmpty: Bool { characters.isEmpty }

    /// Replaces the whole text and puts the cursor at the end.
    mutating func setText(_ text: String) {
        characters = Array(Self.clean(text))
        cursor = characters.count
        completion = nil
    }

    // MARK: - Insertion

    /// Inserts text at the cursor (typed or pasted). Newlines and tabs become
    /// spaces; other control characters are dropped.
    mutating func insert(_ text: String) {
        let cleaned = Self.clean(text)
        guard !cleaned.isEmpty else { return }
        completion = nil
        let before = characters[..<cursor]
        let after = characters[cursor...]
        // Re-segment around the insertion point so a combining mark typed
        // after a base character joins it into one cluster.
        let prefix = String(before) + cleaned
        let merged = Array(prefix + String(after))
        let newCursor = prefix.count
        characters = merged
        cursor = min(newCursor, merged.count)
    }

    /// Inserts one character at the cursor.
    mutating func insert(_ character: Character) {
        insert(String(character))
    }

    // MARK: - Cursor movement

    /// Moves the cursor one character left.
    mutating func moveLeft() {
        completion = nil
        if cursor > 0 { cursor -= 1 }
    }

    /// Moves the cursor one character right.
    mutating func moveRight() {
        completion = nil
        if cursor < characters.count { cursor += 1 }
    }

    /// Moves the cursor to the start of the line (Home, Ctrl-A).
    mutating func moveHome() {
        completion = nil
        cursor = 0
    }

    /// Moves the cursor to the end of the line (End, Ctrl-E).
    mutating func moveEnd() {
        completion = nil
        cursor = characters.count
    }

    /// Moves the cursor to the start of the previous word (Alt-B, Ctrl-Left).
    mutating func moveWordLeft() {
        completion = nil
        cursor = previousWordStart(from: cursor, isWord: Self.isWordCharacter)
    }

    /// Moves the cursor past the end of the next word (Alt-F, Ctrl-Right).
    mutating func moveWordRight() {
        completion = nil
        cursor = nextWordEnd(from: cursor)
    }

    // MARK: - Deletion

    /// Deletes the character before the cursor (Backspace).
    mutating func backspace() {
        completion = nil
        guard cursor > 0 else { return }
        characters.remove(at: cursor - 1)
        cursor -= 1
    }

    /// Deletes the character under the cursor (Delete, Ctrl-D).
    mutating func deleteForward() {
        completion = nil
        guard cursor < characters.count else { return }
        characters.remove(at: cursor)
    }

    /// Deletes from the start of the line to the cursor (Ctrl-U).
    mutating func killToStart() {
        kill(0..<cursor)
    }

    /// Deletes from the cursor to the end of the line (Ctrl-K).
    mutating func killToEnd() {
        kill(cursor..<characters.count)
    }

    /// Deletes the whitespace-delimited word before the cursor (Ctrl-W).
    mutating func killPreviousWord() {
        let start = previousWordStart(from: cursor) { !$0.isWhitespace }
        kill(start..<cursor)
    }

    /// Deletes the alphanumeric word before the cursor (Alt-Backspace).
    mutating func killPreviousAlphanumericWord() {
        let start = previousWordStart(from: cursor, isWord: Self.isWordCharacter)
        kill(start..<cursor)
    }

    /// Deletes from the cursor to the end of the next word (Alt-D).
    mutating func killNextWord() {
        kill(cursor..<nextWordEnd(from: cursor))
    }

    /// Inserts the kill buffer at the cursor (Ctrl-Y).
    mutating func yank() {
        insert(String(killBuffer))
    }

    /// Swaps the two characters around the cursor (Ctrl-T).
    mutating func transpose() {
        completion = nil
        guard characters.count >= 2, cursor > 0 else { return }
        let right = cursor == characters.count ? cursor - 1 : cursor
        characters.swapAt(right - 1, right)
        cursor = right + 1
    }

    // MARK: - History

    /// Recalls the previous (older) history entry (Up). The line being edited
    /// is kept as a draft and restored by coming back down.
    mutating func historyPrevious() {
        completion = nil
        guard !history.isEmpty else { return }
        let index: Int
        if let current = historyIndex {
            guard current > 0 else { return }
            index = current - 1
        } else {
            draft = characters
            index = history.count - 1
        }
        historyIndex = index
        characters = Array(history[index])
        cursor = characters.count
    }

    /// Recalls the next (newer) history entry, or the draft after the newest (Down).
    mutating func historyNext() {
        completion = nil
        guard let current = historyIndex else { return }
        if current + 1 < history.count {
            historyIndex = current + 1
            characters = Array(history[current + 1])
        } else {
            historyIndex = nil
            characters = draft
            draft = []
        }
        cursor = characters.count
    }

    /// Returns the line, clears the editor and records the line in history
    /// (unless blank or equal to the newest entry).
    mutating func submit() -> String {
        let line = text
        if !line.allSatisfy(\.isWhitespace), history.last != line {
            history.append(line)
            if history.count > historyLimit {
                history.removeFirst(history.count - historyLimit)
            }
        }
        characters = []
        cursor = 0
        historyIndex = nil
        draft = []
        completion = nil
        return line
    }

    // MARK: - Completion

    /// Tab completion of the word before the cursor.
    ///
    /// The first Tab collects candidates matching the word case-insensitively
    /// (nick mode prefixes such as `@` and `+` are ignored), keeping the
    /// order given, and inserts the first one: `nick: ` at the start of the
    /// line, `nick ` elsewhere. A word starting with `/` at the start of the
    /// line completes from `commands` instead (`/join `). Repeated Tabs cycle
    /// through the candidates, wrapping around.
    mutating func complete(nicks: [String], commands: [String] = [], channels: [String] = [], backwards: Bool = false) {
        if var state = completion, !state.candidates.isEmpty {
            let count = state.candidates.count
            state.index = (state.index + (backwards ? count - 1 : 1)) % count
            replaceCompletion(&state)
            completion = state
            return
        }
        var wordStart = cursor
        while wordStart > 0, !characters[wordStart - 1].isWhitespace { wordStart -= 1 }
        let word = String(characters[wordStart..<cursor])
        guard !word.isEmpty else { return }
        let isCommand = wordStart == 0 && word.hasPrefix("/")
        let candidates: [String]
        let suffix: String
        if isCommand {
            let needle = word.dropFirst().lowercased()
            candidates = Self.uniqueMatches(commands, prefix: needle).map { "/" + $0 }
            suffix = " "
        } else if word.hasPrefix("#") || word.hasPrefix("&") {
            candidates = Self.uniqueMatches(channels, prefix: word.lowercased())
            suffix = " "
        } else {
            let needle = word.lowercased()
            let names = nicks.map { MemberList.stripPrefixes($0).nick }
            candidates = Self.uniqueMatches(names, prefix: needle)
            suffix = wordStart == 0 ? ": " : " "
        }
        guard !candidates.isEmpty else { return }
        var state = Completion(
            wordStart: wordStart, candidates: candidates, index: backwards ? candidates.count - 1 : 0,
            insertedLength: cursor - wordStart, suffix: suffix
        )
        replaceCompletion(&state)
        completion = state
    }

    private mutating func replaceCompletion(_ state: inout Completion) {
        let replacement = Array(state.candidates[state.index] + state.suffix)
        let end = state.wordStart + state.insertedLength
        characters.replaceSubrange(state.wordStart..<end, with: replacement)
        state.insertedLength = replacement.count
        cursor = state.wordStart + replacement.count
    }

    private static func uniqueMatches(_ names: [String], prefix: String) -> [String] {
        var seen = Set<String>()
        var result: [String] = []
        for name in names where name.lowercased().hasPrefix(prefix) {
            if seen.insert(name.lowercased()).inserted {
                result.append(name)
            }
        }
        return result
    }

    // MARK: - Key handling

    /// Applies an editing key. Returns `false` for keys the editor does not
    /// handle (Enter, Tab, Page Up/Down, buffer switching...), which the
    /// caller should interpret.
    @discardableResult
    mutating func handle(_ key: Key) -> Bool {
        switch key {
        case .character(let character):
            insert(character)
        case .paste(let text):
            insert(text)
        case .left, .ctrl("b"):
            moveLeft()
        case .right, .ctrl("f"):
            moveRight()
        case .home, .ctrl("a"):
            moveHome()
        case .end, .ctrl("e"):
            moveEnd()
        case .withCtrl(.left), .alt("b"):
            moveWordLeft()
        case .withCtrl(.right), .alt("f"):
            moveWordRight()
        case .backspace, .ctrl("h"):
            backspace()
        case .delete, .ctrl("d"):
            deleteForward()
        case .ctrl("u"):
            killToStart()
        case .ctrl("k"):
            killToEnd()
        case .ctrl("w"):
            killPreviousWord()
        case .withAlt(.backspace):
            killPreviousAlphanumericWord()
        case .alt("d"):
            killNextWord()
        case .ctrl("y"):
            yank()
        case .ctrl("t"):
            transpose()
        case .up:
            historyPrevious()
        case .down:
            historyNext()
        case .enter, .tab, .backTab, .pageUp, .pageDown, .function, .ctrl, .alt, .withAlt, .withCtrl, .escape, .resize, .wheel:
            return false
        }
        return true
    }

    // MARK: - Horizontal scrolling

    /// What the input field shows at a given width.
    struct VisibleSlice: Equatable, Sendable {
        /// The visible text, at most `width` cells.
        var text: String
        /// The cursor's cell column within the field (0..<width).
        var cursorColumn: Int
        /// Whether text is hidden to the left of the field.
        var isClippedLeft: Bool
        /// Whether text is hidden to the right of the field.
        var isClippedRight: Bool
    }

    /// The part of the line visible in a field `width` cells wide.
    ///
    /// The field scrolls in steps of half its width so that the cursor is
    /// always visible (including the cell after the last character) and the
    /// view is stable while the cursor moves within it. Wide characters are
    /// never split.
    func visibleSlice(width: Int) -> VisibleSlice {
        guard width > 0 else {
            return VisibleSlice(text: "", cursorColumn: 0, isClippedLeft: false, isClippedRight: !characters.isEmpty)
        }
        var cursorCell = 0
        for index in 0..<cursor {
            cursorCell += characters[index].displayWidth
        }
        let step = max(1, width / 2)
        var startCell = 0
        if cursorCell > width - 1 {
            let overflow = cursorCell - (width - 1)
            startCell = (overflow + step - 1) / step * step
        }
        // Snap the start to the first character boundary at or after startCell.
        var startIndex = 0
        var cell = 0
        while startIndex < cursor, cell < startCell {
            cell += characters[startIndex].displayWidth
            startIndex += 1
        }
        var text = ""
        var used = 0
        var index = startIndex
        while index < characters.count {
            let w = characters[index].displayWidth
            if used + w > width { break }
            text.append(characters[index])
            used += w
            index += 1
        }
        return VisibleSlice(
            text: text,
            cursorColumn: min(cursorCell - cell, width - 1),
            isClippedLeft: startIndex > 0,
            isClippedRight: index < characters.count
        )
    }

    // MARK: - Helpers

    private static func clean(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            defer { previousWasCR = value == 0x0D }
            switch value {
            case 0x0A where previousWasCR:
                continue
            case 0x09, 0x0A, 0x0D, 0x2028, 0x2029:
                result.unicodeScalars.append(" ")
            case 0x00..<0x20, 0x7F...0x9F:
                continue
            default:
                if TerminalSanitizer.isBidiControl(value) { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_"
    }

    private func previousWordStart(from position: Int, isWord: (Character) -> Bool) -> Int {
        var index = position
        while index > 0, !isWord(characters[index - 1]) { index -= 1 }
        while index > 0, isWord(characters[index - 1]) { index -= 1 }
        return index
    }

    private func nextWordEnd(from position: Int) -> Int {
        var index = position
        while index < characters.count, !Self.isWordCharacter(characters[index]) { index += 1 }
        while index < characters.count, Self.isWordCharacter(characters[index]) { index += 1 }
        return index
    }

    private mutating func kill(_ range: Range<Int>) {
        completion = nil
        guard !range.isEmpty else { return }
        killBuffer = Array(characters[range])
        characters.removeSubrange(range)
        cursor = range.lowerBound
    }
}
