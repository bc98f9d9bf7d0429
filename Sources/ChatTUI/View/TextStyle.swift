/// Visual attributes of a run of text, independent of any terminal library.

/// One of the 16 standard terminal colours. The raw value is the curses /
/// ANSI colour number (0–7 normal, 8–15 bright).
enum TerminalColor: UInt8, CaseIterable, Hashable, Sendable {
    case black = 0
    case red
    case green
    case yellow
    case blue
    case magenta
    case cyan
    case white
    case brightBlack
    case brightRed
    case brightGreen
    case brightYellow
    case brightBlue
    case brightMagenta
    case brightCyan
    case brightWhite

    /// The terminal colour closest to mIRC colour `code` (0–15), or `nil`
    /// for "default" (99) and the extended 16–98 palette, which is ignored.
    static func mirc(_ code: Int) -> TerminalColor? {
        switch code {
        case 0: return .brightWhite
        case 1: return .black
        case 2: return .blue
        case 3: return .green
        case 4: return .brightRed
        case 5: return .red
        case 6: return .magenta
        case 7: return .yellow
        case 8: return .brightYellow
        case 9: return .brightGreen
        case 10: return .cyan
        case 11: return .brightCyan
        case 12: return .brightBlue
        case 13: return .brightMagenta
        case 14: return .brightBlack
        case 15: return .white
        default: return nil
        }
    }
}

/// Attributes of a run of text. `nil` colours mean the terminal default.
struct TextStyle: Hashable, Sendable {
    var bold = false
    var italic = false
    var underline = false
    var reverse = false
    var dim = false
    var foreground: TerminalColor?
    var background: TerminalColor?

    /// The default style: no attributes, default colours.
    static let plain = TextStyle()

    init(
        bold: Bool = false,
        italic: Bool = false,
        underline: Bool = false,
        reverse: Bool = false,
        dim: Bool = false,
        foreground: TerminalColor? = nil,
        background: TerminalColor? = nil
    ) {
        self.bold = bold
        self.italic = italic
        self.underline = underline
        self.reverse = reverse
        self.dim = dim
        self.foreground = foreground
        self.background = background
    }
}

/// A run of text drawn with one style. The text never contains control
/// characters once it has passed through `TerminalSanitizer`.
struct StyledSpan: Equatable, Sendable {
    var text: String
    var style: TextStyle

    init(_ text: String, style: TextStyle = .plain) {
        self.text = text
        self.style = style
    }

    init(text: String, style: TextStyle) {
        self.text = text
        self.style = style
    }
}

extension Array where Element == StyledSpan {
    /// The concatenated text of all spans.
    var plainText: String {
        var result = ""
        for span in self {
            result += span.text
        }
        return result
    }

    /// Appends `text`, merging it into the last span when the style matches.
    mutating func appendMerging(_ text: String, style: TextStyle) {
        guard !text.isEmpty else { return }
        if let lastIndex = indices.last, self[lastIndex].style == style {
            self[lastIndex].text += text
        } else {
            append(StyledSpan(text: text, style: style))
        }
    }
}
