/// A notification for the person at the terminal: someone mentioned you or wrote to you privately
/// while you looked elsewhere.
struct TerminalAlert: Equatable, Sendable {
    /// Where (`#chatty`, a nick) and what, both from the network: sanitised before they reach the
    /// terminal (``escapeSequence(style:)``).
    var title: String
    var body: String

    /// How alerts reach the person (`--notify`).
    enum Style: String, CaseIterable, Sendable {
        /// The terminal bell (most terminals and tmux flag the window, many set the urgency hint).
        case bell
        /// The bell and a desktop notification with OSC 777 (foot, WezTerm, urxvt, VTE terminals).
        case osc777
        /// The bell and a desktop notification with OSC 9 (iTerm2, kitty, Windows Terminal).
        case osc9
        /// Nothing.
        case off
    }

    /// The bytes to write for `style`: the bell, then the notification with control characters
    /// removed (no escape can be smuggled in from a message) and OSC 777's `;` separators kept apart.
    func escapeSequence(style: Style) -> String {
        func clean(_ text: String, limit: Int) -> String {
            let plain = TerminalSanitizer.plain(text).unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }
            let cleaned = String(String.UnicodeScalarView(plain)).replacingOccurrences(of: ";", with: ",")
            return cleaned.count > limit ? String(cleaned.prefix(limit)) + "…" : cleaned
        }
        switch style {
        case .off: return ""
        case .bell: return "\u{07}"
        case .osc777: return "\u{07}\u{1B}]777;notify;\(clean(title, limit: 60));\(clean(body, limit: 200))\u{1B}\\"
        case .osc9: return "\u{07}\u{1B}]9;\(clean(title, limit: 60)): \(clean(body, limit: 200))\u{1B}\\"
        }
    }
}
