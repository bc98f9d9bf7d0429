import Synchronization

/// How the terminal in use advances the cursor over the grapheme clusters that terminals disagree
/// on — by the cluster (two cells) or by adding up each code point's `wcwidth` — for each kind:
/// emoji with a skin-tone modifier (`👍🏽`), ZWJ sequences (`👩‍💻`) and emoji presentation selectors
/// (`❤️`). tmux, for one, joins ZWJ sequences but adds up modifiers; kitty, WezTerm and foot join
/// all. Measured once at start-up (``NCursesTerminal/measureClusterWidths()``); every width the
/// view computes follows it, and ncurses is never handed a cluster it would count differently.
struct TerminalWidthModel: OptionSet, Sendable, Hashable {
    let rawValue: UInt8

    /// Kinds of cluster the terminal advances over by code point (the rest: by cluster).
    static let modifiersByCodePoint = TerminalWidthModel(rawValue: 1 << 0)
    static let joinedByCodePoint = TerminalWidthModel(rawValue: 1 << 1)
    static let selectorsByCodePoint = TerminalWidthModel(rawValue: 1 << 2)

    /// Every kind by cluster (the default, and kitty/WezTerm/foot).
    static let graphemes: TerminalWidthModel = []
    /// Every kind by code point (xterm, most VTE terminals, and what is assumed without an answer).
    static let codePoints: TerminalWidthModel = [.modifiersByCodePoint, .joinedByCodePoint, .selectorsByCodePoint]

    /// The probe's clusters, in order, with the kind each measures.
    static let probes: [(cluster: String, kind: TerminalWidthModel)] = [
        ("\u{1F44D}\u{1F3FD}", .modifiersByCodePoint),     // 👍🏽
        ("\u{1F469}\u{200D}\u{1F4BB}", .joinedByCodePoint), // 👩‍💻
        ("\u{2764}\u{FE0F}", .selectorsByCodePoint),        // ❤️
    ]

    /// The model the cursor reports say: for each probe, the 1-based column after writing it at
    /// column 1 (nil: no answer, taken as by code point).
    static func fromProbe(columns: [Int?]) -> TerminalWidthModel {
        var model = TerminalWidthModel()
        for (index, probe) in probes.enumerated() {
            let cluster = Character(probe.cluster)
            let answered = index < columns.count ? columns[index] : nil
            guard let column = answered else {
                model.insert(probe.kind)
                continue
            }
            if column - 1 != cluster.graphemeWidth { model.insert(probe.kind) }
        }
        return model
    }

    /// The model in use: set once when the terminal has been measured, read everywhere.
    static var current: TerminalWidthModel {
        TerminalWidthModel(rawValue: storage.load(ordering: .relaxed))
    }

    static func use(_ model: TerminalWidthModel) {
        storage.store(model.rawValue, ordering: .relaxed)
    }

    private static let storage = Atomic<UInt8>(0)

    /// Whether the terminal advances over `character` by its code points.
    func countsByCodePoint(_ character: Character) -> Bool {
        guard !isEmpty else { return false }
        var joined = false, modified = false, selected = false
        for scalar in character.unicodeScalars {
            switch scalar.value {
            case 0x200D: joined = true
            case 0x1F3FB...0x1F3FF: modified = true
            case 0xFE0F: selected = true
            default: break
            }
        }
        if joined { return contains(.joinedByCodePoint) }
        if modified { return contains(.modifiersByCodePoint) }
        if selected { return contains(.selectorsByCodePoint) }
        return false
    }

    /// Text as ncurses may be given it: ncurses counts each code point's `wcwidth`, so a cluster the
    /// terminal joins into fewer cells is replaced by its first code point (`👩‍💻` → `👩`) or, failing
    /// that, by `?`s of its width; everything else is unchanged.
    static func ncursesSafe(_ text: String, model: TerminalWidthModel = current) -> String {
        guard model != .codePoints, text.unicodeScalars.contains(where: { $0.value >= 0x300 }) else { return text }
        var result = ""
        for character in text {
            let scalars = character.unicodeScalars
            guard scalars.count > 1, !model.countsByCodePoint(character) else {
                result.append(character)
                continue
            }
            let cluster = character.graphemeWidth
            if character.codePointWidth == cluster {
                result.append(character)
            } else if let first = scalars.first, first.terminalWidth == cluster {
                result.unicodeScalars.append(first)
            } else {
                result += String(repeating: "?", count: cluster)
            }
        }
        return result
    }
}
