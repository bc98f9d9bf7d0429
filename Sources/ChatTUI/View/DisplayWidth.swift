/// Terminal cell widths of grapheme clusters.
///
/// A terminal draws text on a grid of cells. Most characters take one cell,
/// East Asian wide/fullwidth characters and emoji take two, and combining
/// marks or zero-width format characters take none (they attach to the
/// previous cell). Everything in the view layer measures text with these
/// helpers so that a wide character or an emoji sequence is never split and
/// rows never exceed the terminal width.

extension Unicode.Scalar {
    /// Code point ranges whose East Asian Width is Wide or Fullwidth and that
    /// are not already covered by `Emoji_Presentation`. Sorted, non-overlapping.
    private static let wideRanges: [ClosedRange<UInt32>] = [
        0x1100...0x115F,   // Hangul Jamo initial consonants
        0x2329...0x232A,   // angle brackets
        0x2E80...0x303E,   // CJK radicals, Kangxi, CJK symbols and punctuation
        0x3041...0x3247,   // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun
        0x3250...0x4DBF,   // enclosed CJK, CJK compatibility, CJK extension A
        0x4E00...0xA4CF,   // CJK unified ideographs, Yi
        0xA960...0xA97F,   // Hangul Jamo extended A
        0xAC00...0xD7A3,   // Hangul syllables
        0xF900...0xFAFF,   // CJK compatibility ideographs
        0xFE10...0xFE19,   // vertical forms
        0xFE30...0xFE6F,   // CJK compatibility forms, small form variants
        0xFF00...0xFF60,   // fullwidth forms
        0xFFE0...0xFFE6,   // fullwidth signs
        0x16FE0...0x16FE4, // ideographic symbols
        0x17000...0x18D08, // Tangut, Khitan
        0x1AFF0...0x1B2FF, // Kana supplement / extended
        0x1F200...0x1F265, // enclosed ideographic supplement
        0x1F900...0x1F9FF, // supplemental symbols and pictographs (future emoji)
        0x1FA70...0x1FAFF, // symbols and pictographs extended A (future emoji)
        0x20000...0x2FFFD, // CJK extension B and later
        0x30000...0x3FFFD, // CJK extension G and later
    ]

    /// Whether the scalar is East Asian Wide/Fullwidth or has default emoji presentation.
    var isWideInTerminal: Bool {
        let v = value
        if v < 0x1100 { return false }
        if properties.isEmojiPresentation { return true }
        var low = 0
        var high = Self.wideRanges.count - 1
        while low <= high {
            let mid = (low + high) / 2
            let range = Self.wideRanges[mid]
            if v < range.lowerBound {
                high = mid - 1
            } else if v > range.upperBound {
                low = mid + 1
            } else {
                return true
            }
        }
        return false
    }

    /// Whether the scalar occupies no cell of its own (combining marks,
    /// zero-width format characters, conjoining Hangul vowels/finals, controls).
    var isZeroWidthInTerminal: Bool {
        let v = value
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return true }
        if v < 0x300 { return false }
        if (0x1160...0x11FF).contains(v) || (0xD7B0...0xD7FF).contains(v) { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control,
             .lineSeparator, .paragraphSeparator:
            return true
        default:
            return false
        }
    }

    /// Cell width of this scalar when it stands alone: 0, 1 or 2.
    var terminalWidth: Int {
        let v = value
        if v < 0x7F { return v >= 0x20 ? 1 : 0 }
        if isZeroWidthInTerminal { return 0 }
        return isWideInTerminal ? 2 : 1
    }

    /// Whether the scalar is a regional indicator letter (half of a flag).
    var isRegionalIndicator: Bool {
        (0x1F1E6...0x1F1FF).contains(value)
    }
}

extension Character {
    /// Number of terminal cells this grapheme cluster occupies on the terminal in use
    /// (``TerminalWidthModel``): by the cluster (0, 1 or 2), or the sum of its code points' widths
    /// for the kinds of cluster the terminal does not join.
    var displayWidth: Int {
        if let ascii = asciiValue {
            return ascii >= 0x20 && ascii < 0x7F ? 1 : 0
        }
        return TerminalWidthModel.current.countsByCodePoint(self) ? codePointWidth : graphemeWidth
    }

    /// Cells of this cluster on a terminal (and in ncurses) that adds up its code points' widths.
    var codePointWidth: Int {
        var total = 0
        for scalar in unicodeScalars { total += scalar.terminalWidth }
        return total
    }

    /// Cells of this cluster on a terminal that advances by clusters (0, 1 or 2).
    ///
    /// Emoji sequences (skin tones, ZWJ sequences, flags, VS16 presentation)
    /// are two cells; otherwise the width of the cluster's first spacing scalar.
    var graphemeWidth: Int {
        if let ascii = asciiValue {
            return ascii >= 0x20 && ascii < 0x7F ? 1 : 0
        }
        let scalars = unicodeScalars
        var iterator = scalars.makeIterator()
        guard let first = iterator.next() else { return 0 }
        guard iterator.next() != nil else { return first.terminalWidth }

        if first.isRegionalIndicator {
            return 2
        }
        let firstIsEmoji = first.properties.isEmoji
        let firstIsEmojiPresentation = first.properties.isEmojiPresentation
        var hasZeroWidthJoiner = false
        for scalar in scalars.dropFirst() {
            switch scalar.value {
            case 0xFE0F where firstIsEmoji:
                return 2
            case 0x1F3FB...0x1F3FF where first.properties.isEmojiModifierBase:
                return 2
            case 0x200D:
                hasZeroWidthJoiner = true
            default:
                break
            }
        }
        if hasZeroWidthJoiner && firstIsEmojiPresentation {
            return 2
        }
        let firstWidth = first.terminalWidth
        if firstWidth > 0 { return firstWidth }
        for scalar in scalars {
            let width = scalar.terminalWidth
            if width > 0 { return width }
        }
        return 0
    }
}

/// Horizontal alignment used when padding text to a cell width.
enum CellAlignment: Sendable {
    case left
    case right
    case center
}

extension StringProtocol {
    /// Total number of terminal cells the text occupies.
    var displayWidth: Int {
        var total = 0
        for character in self {
            total += character.displayWidth
        }
        return total
    }
}

extension String {
    /// The longest prefix of whole grapheme clusters that fits in `width` cells.
    ///
    /// If a two-cell character straddles the limit it is dropped and replaced
    /// by a single space so the result is exactly `width` cells wide.
    func prefix(fittingWidth width: Int) -> String {
        guard width > 0 else { return "" }
        var used = 0
        var end = startIndex
        var index = startIndex
        while index < endIndex {
            let w = self[index].displayWidth
            if used + w > width {
                let head = String(self[startIndex..<end])
                return used < width ? head + String(repeating: " ", count: width - used) : head
            }
            used += w
            index = self.index(after: index)
            end = index
        }
        return self
    }

    /// The longest suffix of whole grapheme clusters that fits in `width` cells.
    ///
    /// If a two-cell character straddles the limit it is dropped and replaced
    /// by a leading space so the result is exactly `width` cells wide.
    func suffix(fittingWidth width: Int) -> String {
        guard width > 0 else { return "" }
        var used = 0
        var start = endIndex
        while start > startIndex {
            let previous = index(before: start)
            let w = self[previous].displayWidth
            if used + w > width {
                let tail = String(self[start...])
                return used < width ? String(repeating: " ", count: width - used) + tail : tail
            }
            used += w
            start = previous
        }
        return self
    }

    /// The text cut to `width` cells; when cut, the last cell shows `marker` (`…`, never `+`,
    /// which would read as a voiced nick) so the reader knows text is missing.
    func truncated(toWidth width: Int, marker: String = "…") -> String {
        guard width > 0 else { return "" }
        let total = displayWidth
        if total <= width { return self }
        let markerWidth = marker.displayWidth
        guard markerWidth < width else { return prefix(fittingWidth: width) }
        return prefix(fittingWidth: width - markerWidth) + marker
    }

    /// The text truncated (with `marker`) and padded with spaces to exactly `width` cells.
    func padded(toWidth width: Int, alignment: CellAlignment = .left, marker: String = "…") -> String {
        guard width > 0 else { return "" }
        let cut = truncated(toWidth: width, marker: marker)
        let missing = width - cut.displayWidth
        guard missing > 0 else { return cut }
        switch alignment {
        case .left:
            return cut + String(repeating: " ", count: missing)
        case .right:
            return String(repeating: " ", count: missing) + cut
        case .center:
            let left = missing / 2
            return String(repeating: " ", count: left) + cut + String(repeating: " ", count: missing - left)
        }
    }
}
