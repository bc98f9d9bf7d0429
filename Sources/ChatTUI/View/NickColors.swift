/// Stable per-nick colours.
enum NickColors {
    /// Colours assigned to other people's nicks. The own-nick colour is not among them.
    static let palette: [TerminalColor] = [
        .red, .green, .yellow, .blue, .magenta, .cyan,
        .brightRed, .brightGreen, .brightYellow, .brightBlue, .brightMagenta, .brightCyan,
    ]

    /// Colour of my own nick.
    static let own: TerminalColor = .brightWhite

    /// The palette colour for `nick`: a stable (FNV-1a) hash of the lowercased
    /// nick, so the same person keeps the same colour across runs and case changes.
    static func color(for nick: String) -> TerminalColor {
        var hash: UInt32 = 2_166_136_261
        for byte in nick.lowercased().utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return palette[Int(hash % UInt32(palette.count))]
    }

    /// The colour for `nick`, using the own-nick colour when it is `ownNick`.
    static func color(for nick: String, ownNick: String) -> TerminalColor {
        nick.lowercased() == ownNick.lowercased() ? own : color(for: nick)
    }
}
