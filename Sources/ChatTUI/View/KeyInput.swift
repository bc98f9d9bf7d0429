/// Keyboard input: the `Key` events the view model understands and a pure
/// decoder turning raw ncurses `wget_wch` results into them.

/// A decoded key press (or paste / resize event).
indirect enum Key: Hashable, Sendable {
    /// A printable character.
    case character(Character)
    case enter
    case backspace
    case delete
    case left
    case right
    case up
    case down
    case home
    case end
    case pageUp
    case pageDown
    case tab
    /// Shift-Tab.
    case backTab
    /// Function key F1...F63.
    case function(Int)
    /// Ctrl plus a letter (lowercase `a`–`z`) or one of `@ \ ] ^ _`.
    case ctrl(Character)
    /// Alt (Meta) plus a printable character.
    case alt(Character)
    /// Alt plus a non-character key, e.g. `.withAlt(.left)`, `.withAlt(.backspace)`.
    case withAlt(Key)
    /// Ctrl plus a non-character key, e.g. `.withCtrl(.home)`.
    case withCtrl(Key)
    case escape
    /// The terminal was resized (ncurses `KEY_RESIZE`).
    case resize
    /// Bracketed paste content; CR, LF and CRLF are normalised to "\n".
    case paste(String)
    /// The mouse wheel turned (with `--mouse`) over screen column `column`.
    case wheel(up: Bool, column: Int)
}

/// One raw result of ncurses `wget_wch`.
enum RawInput: Hashable, Sendable {
    /// `OK`: a wide character (may be a control character such as 0x1B).
    case char(UInt32)
    /// `KEY_CODE_YES`: a `KEY_*` function key code.
    case function(Int32)
    /// `KEY_MOUSE` with a wheel event (read with `getmouse`).
    case wheel(up: Bool, column: Int)
}

/// Numeric values of the ncurses `KEY_*` codes the decoder understands.
enum NCursesKeyCode {
    static let down: Int32 = 0o402
    static let up: Int32 = 0o403
    static let left: Int32 = 0o404
    static let right: Int32 = 0o405
    static let home: Int32 = 0o406
    static let backspace: Int32 = 0o407
    /// `KEY_F0`; function key n is `f0 + n`.
    static let f0: Int32 = 0o410
    static let deleteCharacter: Int32 = 0o512
    static let nextPage: Int32 = 0o522
    static let previousPage: Int32 = 0o523
    static let enter: Int32 = 0o527
    static let backTab: Int32 = 0o541
    static let end: Int32 = 0o550
    static let resize: Int32 = 0o632

    /// Key sequences that ncurses reports with terminal-specific codes (`key_defined` returns them
    /// at runtime): the ncurses driver looks them up (``NCursesTerminal/extendedKeyCodes``) and the
    /// app registers them with its decoder.
    static let extendedSequences: [(sequence: String, key: Key)] = [
        ("\u{1B}[1;3D", .withAlt(.left)), ("\u{1B}[1;3C", .withAlt(.right)),
        ("\u{1B}[1;3A", .withAlt(.up)), ("\u{1B}[1;3B", .withAlt(.down)),
        ("\u{1B}[1;3H", .withAlt(.home)), ("\u{1B}[1;3F", .withAlt(.end)),
        ("\u{1B}[1;5D", .withCtrl(.left)), ("\u{1B}[1;5C", .withCtrl(.right)),
        ("\u{1B}[1;5A", .withCtrl(.up)), ("\u{1B}[1;5B", .withCtrl(.down)),
        ("\u{1B}[1;5H", .withCtrl(.home)), ("\u{1B}[1;5F", .withCtrl(.end)),
        ("\u{1B}[5;3~", .withAlt(.pageUp)), ("\u{1B}[6;3~", .withAlt(.pageDown)),
    ]
}

/// Pure decoder from raw `wget_wch` results to `Key`s.
///
/// Handles control characters, ESC-prefixed Alt keys, raw CSI/SS3 escape
/// sequences (arrows, Home/End, Page Up/Down, Delete, F-keys with Alt/Ctrl
/// modifiers) and bracketed paste (`ESC[200~` … `ESC[201~`), all of which may
/// arrive split across any number of `feed` calls. A lone ESC is only
/// reported once `timeout()` is called (the driver calls it when no input
/// arrived within a short delay while `isPending` is true).
struct KeyDecoder: Sendable {
    private enum State: Equatable, Sendable {
        case ground
        case escape
        case csi(String)
        case ss3
        case paste
    }

    private static let pasteEnd: [UInt32] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E] // ESC [ 2 0 1 ~
    private static let maxSequenceLength = 16

    private var state: State = .ground
    private var pasteBuffer = ""
    private var pasteEndMatched = 0
    private var pasteLastWasCR = false
    private var pasteIdleTimeouts = 0
    private var extraCodes: [Int32: Key] = [:]

    /// Maximum number of scalars kept from one paste; the rest is dropped.
    var maxPasteLength = 100_000
    /// Consecutive `timeout()` calls after which an unterminated paste is delivered.
    var pasteTimeoutLimit = 40

    init() {}

    /// Whether a partial sequence (ESC, CSI or paste) is waiting for more input.
    var isPending: Bool { state != .ground }

    /// Registers a terminal-specific ncurses key code (see `NCursesKeyCode.extendedSequences`).
    mutating func register(code: Int32, as key: Key) {
        extraCodes[code] = key
    }

    /// Feeds several raw inputs; returns the decoded keys in order.
    mutating func feed(_ inputs: [RawInput]) -> [Key] {
        var keys: [Key] = []
        for input in inputs {
            keys += feed(input)
        }
        return keys
    }

    /// Feeds one raw input; returns the keys it completes (possibly none).
    mutating func feed(_ input: RawInput) -> [Key] {
        // The wheel is no part of a key sequence: it passes whatever is pending.
        if case .wheel(let up, let column) = input { return [.wheel(up: up, column: column)] }
        switch state {
        case .ground:
            return ground(input)
        case .escape:
            return afterEscape(input)
        case .csi(let parameters):
            return inCSI(input, parameters: parameters)
        case .ss3:
            return inSS3(input)
        case .paste:
            return inPaste(input)
        }
    }

    /// Called when no input arrived for a short while: flushes a lone ESC as
    /// `.escape` and an incomplete sequence as Alt keys.
    mutating func timeout() -> [Key] {
        switch state {
        case .ground:
            return []
        case .escape:
            state = .ground
            return [.escape]
        case .csi(let parameters):
            state = .ground
            return [.alt("[")] + parameters.map { Key.character($0) }
        case .ss3:
            state = .ground
            return [.alt("O")]
        case .paste:
            pasteIdleTimeouts += 1
            guard pasteIdleTimeouts >= pasteTimeoutLimit else { return [] }
            return finishPaste()
        }
    }

    // MARK: - States

    private mutating func ground(_ input: RawInput) -> [Key] {
        switch input {
        case .char(0x1B):
            state = .escape
            return []
        case .char(let value):
            return Self.plainKey(value).map { [$0] } ?? []
        case .function(let code):
            return functionKey(code).map { [$0] } ?? []
        case .wheel(let up, let column):
            return [.wheel(up: up, column: column)]
        }
    }

    private mutating func afterEscape(_ input: RawInput) -> [Key] {
        switch input {
        case .char(0x5B):
            state = .csi("")
            return []
        case .char(0x4F):
            state = .ss3
            return []
        case .char(0x1B):
            return [.escape]
        case .char(let value):
            state = .ground
            guard let key = Self.plainKey(value) else { return [.escape] }
            if case .character(let character) = key {
                return [.alt(character)]
            }
            return [.withAlt(key)]
        case .function(let code):
            state = .ground
            guard let key = functionKey(code) else { return [.escape] }
            if key == .resize { return [.escape, .resize] }
            return [.withAlt(key)]
        case .wheel(let up, let column):
            return [.wheel(up: up, column: column)]
        }
    }

    private mutating func inCSI(_ input: RawInput, parameters: String) -> [Key] {
        guard case .char(let value) = input, value >= 0x20, value <= 0x7E else {
            // Not part of a sequence: abandon it and process the input afresh.
            state = .ground
            return [.alt("[")] + parameters.map { Key.character($0) } + feed(input)
        }
        let character = Character(Unicode.Scalar(UInt8(value)))
        if value <= 0x3F {
            guard parameters.count < Self.maxSequenceLength else {
                state = .ground
                return []
            }
            state = .csi(parameters + String(character))
            return []
        }
        state = .ground
        if character == "~", parameters == "200" {
            state = .paste
            pasteBuffer = ""
            pasteEndMatched = 0
            pasteLastWasCR = false
            pasteIdleTimeouts = 0
            return []
        }
        return Self.csiKey(parameters: parameters, final: character).map { [$0] } ?? []
    }

    private mutating func inSS3(_ input: RawInput) -> [Key] {
        state = .ground
        guard case .char(let value) = input, value >= 0x20, value <= 0x7E else {
            return [.alt("O")] + feed(input)
        }
        let final = Character(Unicode.Scalar(UInt8(value)))
        if final == "M" { return [.enter] }
        if let key = Self.csiKey(parameters: "", final: final) {
            return [key]
        }
        return [.alt("O"), .character(final)]
    }

    private mutating func inPaste(_ input: RawInput) -> [Key] {
        pasteIdleTimeouts = 0
        let value: UInt32
        switch input {
        case .char(let v):
            value = v
        case .function(NCursesKeyCode.enter):
            value = 0x0A
        case .function, .wheel:
            return []
        }
        let end = Self.pasteEnd
        if value == end[pasteEndMatched] {
            pasteEndMatched += 1
            if pasteEndMatched == end.count {
                return finishPaste()
            }
            return []
        }
        if pasteEndMatched > 0 {
            // A false start: keep what followed the ESC as text.
            for matched in end[1..<pasteEndMatched] {
                appendToPaste(matched)
            }
            pasteEndMatched = value == 0x1B ? 1 : 0
            if value == 0x1B { return [] }
        } else if value == 0x1B {
            pasteEndMatched = 1
            return []
        }
        appendToPaste(value)
        return []
    }

    private mutating func appendToPaste(_ value: UInt32) {
        defer { pasteLastWasCR = value == 0x0D }
        guard pasteBuffer.unicodeScalars.count < maxPasteLength else { return }
        switch value {
        case 0x0D:
            pasteBuffer.unicodeScalars.append("\n")
        case 0x0A:
            if !pasteLastWasCR { pasteBuffer.unicodeScalars.append("\n") }
        case 0x09:
            pasteBuffer.unicodeScalars.append("\t")
        case 0x00..<0x20, 0x7F...0x9F:
            break
        default:
            if let scalar = Unicode.Scalar(value) {
                pasteBuffer.unicodeScalars.append(scalar)
            }
        }
    }

    private mutating func finishPaste() -> [Key] {
        let text = pasteBuffer
        state = .ground
        pasteBuffer = ""
        pasteEndMatched = 0
        pasteIdleTimeouts = 0
        return text.isEmpty ? [] : [.paste(text)]
    }

    // MARK: - Tables

    private func functionKey(_ code: Int32) -> Key? {
        switch code {
        case NCursesKeyCode.up: return .up
        case NCursesKeyCode.down: return .down
        case NCursesKeyCode.left: return .left
        case NCursesKeyCode.right: return .right
        case NCursesKeyCode.home: return .home
        case NCursesKeyCode.end: return .end
        case NCursesKeyCode.backspace: return .backspace
        case NCursesKeyCode.deleteCharacter: return .delete
        case NCursesKeyCode.nextPage: return .pageDown
        case NCursesKeyCode.previousPage: return .pageUp
        case NCursesKeyCode.enter: return .enter
        case NCursesKeyCode.backTab: return .backTab
        case NCursesKeyCode.resize: return .resize
        case (NCursesKeyCode.f0 + 1)...(NCursesKeyCode.f0 + 63):
            return .function(Int(code - NCursesKeyCode.f0))
        default:
            return extraCodes[code]
        }
    }

    /// The key for a character received outside any sequence (never ESC).
    private static func plainKey(_ value: UInt32) -> Key? {
        switch value {
        case 0x0D, 0x0A: return .enter
        case 0x09: return .tab
        case 0x7F, 0x08: return .backspace
        case 0x00: return .ctrl("@")
        case 0x01...0x1A: return .ctrl(Character(Unicode.Scalar(UInt8(0x60 + value))))
        case 0x1C...0x1F: return .ctrl(Character(Unicode.Scalar(UInt8(0x40 + value))))
        case 0x80...0x9F: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }

    /// The key for `ESC [ parameters final` (also used for SS3 finals).
    private static func csiKey(parameters: String, final: Character) -> Key? {
        let fields = parameters.split(separator: ";", omittingEmptySubsequences: false)
        let number = fields.first.flatMap { Int($0) } ?? 0
        let modifier = fields.count > 1 ? Int(fields[1]) ?? 1 : 1
        let base: Key?
        switch final {
        case "A": base = .up
        case "B": base = .down
        case "C": base = .right
        case "D": base = .left
        case "H": base = .home
        case "F": base = .end
        case "P": base = .function(1)
        case "Q": base = .function(2)
        case "R": base = .function(3)
        case "S": base = .function(4)
        case "Z": base = .backTab
        case "~":
            switch number {
            case 1, 7: base = .home
            case 4, 8: base = .end
            case 3: base = .delete
            case 5: base = .pageUp
            case 6: base = .pageDown
            case 11...15: base = .function(number - 10)
            case 17...21: base = .function(number - 11)
            case 23, 24: base = .function(number - 12)
            default: base = nil
            }
        default:
            base = nil
        }
        guard let key = base else { return nil }
        switch modifier {
        case 3, 4, 7, 8: return .withAlt(key)
        case 5, 6: return .withCtrl(key)
        default: return key
        }
    }
}
