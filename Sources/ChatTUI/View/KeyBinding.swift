/// A key bound to a command line (`--bind "alt-x /close"`, `bind alt-x /close` in client.conf,
/// `/bind alt-x /close` at run time), as irssi's `/bind` and WeeChat's `/key bind` do. A bound key
/// runs its command as if typed, in the buffer in view, and takes precedence over what the key
/// does by default (except while a paste waits, Ctrl-R searches or the help is shown).
struct KeyBinding: Sendable, Hashable {
    var key: Key
    /// The line typed when the key is pressed: a `/command`, or text to send.
    var command: String

    enum ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        case unknownKey(String)
        case missingCommand(String)

        var description: String {
            switch self {
            case .unknownKey(let name):
                return "unknown key \"\(name)\" (keys: ctrl-a…ctrl-z but ctrl-c, ctrl-h, ctrl-i, ctrl-m; alt-a…alt-z and other characters, f1–f12; "
                    + "ctrl- or alt- with left, right, up, down, home, end, pgup, pgdn; alt-enter, alt-backspace)"
            case .missingCommand(let name):
                return "\(name): a command must follow the key, e.g. \"\(name) /close\""
            }
        }
    }

    /// `KEY COMMAND…` (the command is the rest of the text).
    init(parsing text: String) throws {
        let trimmed = text.drop { $0 == " " }
        let name = String(trimmed.prefix { $0 != " " })
        let command = trimmed.dropFirst(name.count).drop { $0 == " " }
        guard let key = Self.key(named: name) else { throw ParseError.unknownKey(name) }
        guard !command.isEmpty else { throw ParseError.missingCommand(name) }
        self.key = key
        self.command = String(command)
    }

    init(key: Key, command: String) {
        self.key = key
        self.command = command
    }

    /// How it is written in client.conf and shown by `/bind`.
    var text: String { "\(Self.name(of: key)) \(command)" }

    private static let namedKeys: [(String, Key)] = [
        ("left", .left), ("right", .right), ("up", .up), ("down", .down), ("home", .home), ("end", .end),
        ("pgup", .pageUp), ("pgdn", .pageDown), ("enter", .enter), ("backspace", .backspace), ("delete", .delete),
        ("tab", .tab), ("backtab", .backTab),
    ]

    /// `ctrl-w`, `alt-x` (`alt-X` is Alt-Shift-x), `alt-left`, `ctrl-home`, `f5`; `nil` for anything
    /// the terminal cannot send or the client already needs (plain characters, Enter, Esc…).
    static func key(named name: String) -> Key? {
        let lower = name.lowercased()
        if lower.hasPrefix("f"), let number = Int(lower.dropFirst()), (1...12).contains(number) { return .function(number) }
        for (prefix, isAlt) in [("ctrl-", false), ("alt-", true), ("meta-", true)] where lower.hasPrefix(prefix) {
            // The character keeps its case with Alt (Alt-X is Alt-Shift-x); Ctrl has no case.
            let rest = String(name.dropFirst(prefix.count))
            if let named = namedKeys.first(where: { $0.0 == rest.lowercased() })?.1 {
                guard isAlt || [.left, .right, .up, .down, .home, .end, .pageUp, .pageDown].contains(named) else { return nil }
                return isAlt ? .withAlt(named) : .withCtrl(named)
            }
            guard rest.count == 1, let original = rest.first else { return nil }
            if isAlt { return original.isWhitespace ? nil : .alt(original) }
            let character = Character(original.lowercased())
            // Ctrl-M is Enter, Ctrl-I Tab, Ctrl-H Backspace to a terminal (not bindable apart); Ctrl-C always quits.
            guard character.isASCII, character.isLetter || "@\\]^_".contains(character), !"mihc".contains(character) else { return nil }
            return .ctrl(character)
        }
        return nil
    }

    /// The name `key(named:)` reads back.
    static func name(of key: Key) -> String {
        switch key {
        case .function(let number): return "f\(number)"
        case .ctrl(let character): return "ctrl-\(character)"
        case .alt(let character): return "alt-\(character)"
        case .withAlt(let inner): return "alt-" + (namedKeys.first { $0.1 == inner }?.0 ?? "?")
        case .withCtrl(let inner): return "ctrl-" + (namedKeys.first { $0.1 == inner }?.0 ?? "?")
        case .character(let character): return String(character)
        case .enter, .backspace, .delete, .left, .right, .up, .down, .home, .end, .pageUp, .pageDown, .tab, .backTab:
            return namedKeys.first { $0.1 == key }?.0 ?? "?"
        case .escape: return "esc"
        case .resize: return "resize"
        case .paste: return "paste"
        case .wheel: return "wheel"
        }
    }
}
