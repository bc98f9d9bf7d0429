/// Turns untrusted text (from the network) into styled spans that are safe to
/// hand to the terminal.
///
/// Guarantees: the output never contains a C0 or C1 control character, DEL,
/// or an escape sequence, and never contains a Unicode bidi embedding,
/// override or isolate (U+202A–U+202E, U+2066–U+2069), so remote text cannot
/// move the cursor, change terminal modes or reorder the screen.
///
/// * mIRC formatting codes are interpreted: `^B` bold, `^]` italic,
///   `^_` underline, `^V` reverse, `^O` reset, `^C` colour with optional
///   `fg[,bg]` numbers (0–15 mapped, 99 = default, others ignored),
///   `^D` hex colour (digits consumed, colour ignored), `^Q` monospace and
///   `^^` strikethrough (ignored).
/// * Tabs become a single space; U+2028/U+2029 become a space.
/// * Every other control character is shown in caret notation (`^[` for ESC,
///   `^G` for BEL, `^?` for DEL) or as `<9B>` for C1 controls, in reverse video.
enum TerminalSanitizer {
    /// The visible replacement of a control scalar, e.g. `^[` for ESC.
    static func visibleForm(ofControl value: UInt32) -> String {
        switch value {
        case 0x00..<0x20:
            return "^" + String(Character(Unicode.Scalar(UInt8(value + 0x40))))
        case 0x7F:
            return "^?"
        default:
            let hex = String(value, radix: 16, uppercase: true)
            return "<" + (hex.count < 2 ? "0" + hex : hex) + ">"
        }
    }

    /// Whether the scalar is a bidi embedding, override or isolate control.
    static func isBidiControl(_ value: UInt32) -> Bool {
        (0x202A...0x202E).contains(value) || (0x2066...0x2069).contains(value)
    }

    /// Parses `text`, interpreting mIRC formatting relative to `base` (which
    /// `^O` returns to), and returns merged spans with no control characters.
    static func sanitize(_ text: String, base: TextStyle = .plain) -> [StyledSpan] {
        var builder = SpanBuilder(style: base)
        let scalars = Array(text.unicodeScalars)
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            let value = scalar.value
            index += 1
            switch value {
            case 0x02:
                builder.style.bold.toggle()
            case 0x1D:
                builder.style.italic.toggle()
            case 0x1F:
                builder.style.underline.toggle()
            case 0x16:
                builder.style.reverse.toggle()
            case 0x0F:
                builder.style = base
            case 0x11, 0x1E:
                break
            case 0x03:
                index = parseColor(scalars, from: index, style: &builder.style, base: base)
            case 0x04:
                index = skipHexColor(scalars, from: index)
            case 0x09:
                builder.append(" ")
            case 0x2028, 0x2029:
                builder.append(" ")
            case 0x00..<0x20, 0x7F...0x9F:
                builder.appendControl(visibleForm(ofControl: value))
            default:
                if isBidiControl(value) { continue }
                builder.append(scalar)
            }
        }
        return builder.finish()
    }

    /// The text with formatting codes removed and control characters shown in
    /// caret notation, unstyled. For the input line, sidebar and bars.
    static func plain(_ text: String) -> String {
        // Printable ASCII (most lines) needs nothing: checked byte by byte, no scalar decoding.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var needsWork = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                || isBidiControl(value) {
                needsWork = true
                break
            }
        }
        guard needsWork else { return text }
        return sanitize(text).plainText
    }

    /// Consumes `fg[,bg]` after a `^C`; returns the index after the consumed digits.
    private static func parseColor(
        _ scalars: [Unicode.Scalar], from start: Int, style: inout TextStyle, base: TextStyle
    ) -> Int {
        var index = start
        guard let foreground = readNumber(scalars, at: &index) else {
            style.foreground = base.foreground
            style.background = base.background
            return index
        }
        style.foreground = color(foreground, default: base.foreground, current: style.foreground)
        if index + 1 < scalars.count, scalars[index] == ",", isDigit(scalars[index + 1]) {
            index += 1
            if let background = readNumber(scalars, at: &index) {
                style.background = color(background, default: base.background, current: style.background)
            }
        }
        return index
    }

    private static func color(_ code: Int, default defaultColor: TerminalColor?, current: TerminalColor?) -> TerminalColor? {
        if code == 99 { return defaultColor }
        if let mapped = TerminalColor.mirc(code) { return mapped }
        return current
    }

    /// Reads one or two ASCII digits.
    private static func readNumber(_ scalars: [Unicode.Scalar], at index: inout Int) -> Int? {
        guard index < scalars.count, isDigit(scalars[index]) else { return nil }
        var number = Int(scalars[index].value - 0x30)
        index += 1
        if index < scalars.count, isDigit(scalars[index]) {
            number = number * 10 + Int(scalars[index].value - 0x30)
            index += 1
        }
        return number
    }

    /// Consumes `RRGGBB[,RRGGBB]` after a `^D`.
    private static func skipHexColor(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        guard hasHex(scalars, at: start) else { return start }
        var index = start + 6
        if index < scalars.count, scalars[index] == ",", hasHex(scalars, at: index + 1) {
            index += 7
        }
        return index
    }

    private static func hasHex(_ scalars: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + 6 <= scalars.count else { return false }
        for offset in 0..<6 where !scalars[start + offset].properties.isASCIIHexDigit {
            return false
        }
        return true
    }

    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x30 && scalar.value <= 0x39
    }
}

/// Accumulates scalars into spans, starting a new span whenever the style changes.
private struct SpanBuilder {
    var style: TextStyle
    private var spans: [StyledSpan] = []
    private var run = ""
    private var runStyle: TextStyle

    init(style: TextStyle) {
        self.style = style
        self.runStyle = style
    }

    mutating func append(_ scalar: Unicode.Scalar) {
        prepare(for: style)
        run.unicodeScalars.append(scalar)
    }

    mutating func append(_ text: String) {
        prepare(for: style)
        run += text
    }

    mutating func appendControl(_ text: String) {
        var controlStyle = style
        controlStyle.reverse.toggle()
        prepare(for: controlStyle)
        run += text
    }

    mutating func finish() -> [StyledSpan] {
        flush()
        return spans
    }

    private mutating func prepare(for newStyle: TextStyle) {
        if newStyle != runStyle {
            flush()
            runStyle = newStyle
        }
    }

    private mutating func flush() {
        guard !run.isEmpty else { return }
        spans.appendMerging(run, style: runStyle)
        run = ""
    }
}
