import Foundation
import CNcurses
import ChatCore

#if canImport(Glibc)
import Glibc
#endif

/// The thin ncurses driver: sets the terminal up, reads raw key input, draws a ``Screen`` and
/// always restores the terminal. All decisions are made by the pure view model.
final class NCursesTerminal: TerminalDriver {
    private var started = false
    /// Whether the terminal's title was pushed on its title stack (restored at stop).
    private var titleSaved = false
    /// Whether the mouse wheel is asked for (`--mouse`): the terminal then reports the mouse, and
    /// selecting text takes Shift in most terminals.
    private let mouse: Bool

    init(mouse: Bool = false) {
        self.mouse = mouse
    }
    private var pairs: [Int32: Int16] = [:]
    private var colorCount: Int32 = 0
    private var pairLimit: Int32 = 0
    private var hasColors = false

    /// Enters curses mode: UTF-8 locale, raw keys, keypad, bracketed paste, short ESC delay.
    func start() {
        guard !started else { return }
        setlocale(LC_ALL, "")
        // Grapheme clustering where the terminal offers it (mode 2027), then measure what it does.
        TerminalWidthModel.use(Self.measureClusterWidths())
        chatty_set_escdelay(25)
        initscr()
        raw()
        noecho()
        nonl()
        keypad(chatty_stdscr(), true)
        nodelay(chatty_stdscr(), true)
        if has_colors() {
            start_color()
            use_default_colors()
            hasColors = true
            colorCount = chatty_colors()
            pairLimit = chatty_color_pairs()
        }
        chatty_write_raw("\u{1B}[?2004h")
        if mouse { _ = chatty_enable_wheel(1) }
        started = true
    }

    /// The codes ncurses gives the modified keys this terminal's terminfo defines (`kLFT3`, `kRIT5`…);
    /// sequences it does not define arrive as raw escape sequences, which the decoder parses itself.
    var extendedKeyCodes: [(code: Int32, key: Key)] {
        guard started else { return [] }
        return NCursesKeyCode.extendedSequences.compactMap { entry in
            let code = key_defined(entry.sequence)
            return code > 0 ? (code, entry.key) : nil
        }
    }

    func setTitle(_ title: String) {
        guard started, Self.hasTitle(term: ProcessInfo.processInfo.environment["TERM"]) else { return }
        if !titleSaved {
            // xterm's title stack (tmux, VTE, kitty and foot keep it too): the old title comes back at stop.
            chatty_write_raw("\u{1B}[22;2t")
            titleSaved = true
        }
        chatty_write_raw("\u{1B}]2;" + title + "\u{07}")
    }

    /// Whether the terminal has a window title to set: the Linux console, serial terminals and
    /// `dumb` would show the sequence as text or garble the screen.
    static func hasTitle(term: String?) -> Bool {
        guard let term, !term.isEmpty else { return false }
        let without = ["dumb", "linux", "vt100", "vt102", "vt220", "vt52", "cons25", "ansi"]
        return !without.contains { term == $0 || term.hasPrefix($0 + "-") }
    }

    func alert(_ alert: TerminalAlert, style: TerminalAlert.Style) {
        guard started else { return }
        let bytes = alert.escapeSequence(style: style)
        if !bytes.isEmpty { chatty_write_raw(bytes) }
    }

    /// Writes each probe cluster (``TerminalWidthModel/probes``: `👍🏽`, `👩‍💻`, `❤️`) at the start of
    /// the line and asks the terminal where the cursor went (`CSI 6n`): two cells on terminals that
    /// join the cluster, more on those that add up its code points. Asks for mode 2027 (grapheme
    /// clustering) first, which terminals that have it turn on. No answer within 300 ms (not a
    /// terminal, or one that does not report) counts as by code point.
    static func measureClusterWidths() -> TerminalWidthModel {
        guard isatty(0) != 0, isatty(1) != 0 else { return .codePoints }
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { return .codePoints }
        var raw = saved
        cfmakeraw(&raw)
        guard tcsetattr(0, TCSANOW, &raw) == 0 else { return .codePoints }
        defer { tcsetattr(0, TCSANOW, &saved) }
        chatty_write_raw("\u{1B}[?2027h")
        var columns: [Int?] = []
        for probe in TerminalWidthModel.probes {
            chatty_write_raw("\r" + probe.cluster + "\u{1B}[6n")
            columns.append(readCursorColumn(timeoutMilliseconds: 300))
        }
        chatty_write_raw("\r\u{1B}[2K")
        return TerminalWidthModel.fromProbe(columns: columns)
    }

    /// Reads a cursor position report (`ESC [ row ; column R`) from the terminal; its column.
    private static func readCursorColumn(timeoutMilliseconds: Int64) -> Int? {
        var reply: [UInt8] = []
        let deadline = WallClock.monotonicMilliseconds() + timeoutMilliseconds
        while reply.last != UInt8(ascii: "R"), reply.count < 32 {
            let left = deadline - WallClock.monotonicMilliseconds()
            guard left > 0 else { return nil }
            var poller = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, Int32(left)) > 0 else { return nil }
            var byte: UInt8 = 0
            guard read(0, &byte, 1) == 1 else { return nil }
            reply.append(byte)
        }
        let text = String(decoding: reply, as: UTF8.self)
        guard text.hasSuffix("R"), let separator = text.lastIndex(of: ";") else { return nil }
        return Int(text[text.index(after: separator)..<text.index(before: text.endIndex)])
    }

    /// Leaves curses mode; safe to call more than once.
    func stop() {
        guard started else { return }
        started = false
        if mouse { _ = chatty_enable_wheel(0) }
        chatty_write_raw("\u{1B}[?2027l\u{1B}[?2004l" + (titleSaved ? "\u{1B}[23;2t" : ""))
        titleSaved = false
        curs_set(1)
        endwin()
    }

    var size: (width: Int, height: Int) {
        (Int(chatty_cols()), Int(chatty_lines()))
    }

    /// curses reads the keyboard from standard input.
    var inputDescriptor: Int32 { 0 }

    /// Every key waiting in the input queue (non-blocking).
    func readInput() -> [RawInput] {
        var inputs: [RawInput] = []
        var value: UInt32 = 0
        while true {
            let result = chatty_get_wch(&value)
            if result == chatty_err() { break }
            if result == chatty_key_code_yes(), Int32(bitPattern: value) == chatty_key_mouse() {
                var column: Int32 = 0
                var row: Int32 = 0
                let direction = chatty_read_wheel(&column, &row)
                if direction != 0 { inputs.append(.wheel(up: direction < 0, column: Int(column))) }
            } else if result == chatty_key_code_yes() {
                inputs.append(.function(Int32(bitPattern: value)))
            } else {
                inputs.append(.char(value))
            }
            if inputs.count > 65_536 { break }
        }
        return inputs
    }

    /// Draws a whole screen. ncurses itself sends only the cells that changed.
    func draw(_ screen: Screen) {
        for (row, spans) in screen.rows.enumerated() {
            chatty_clear_line(Int32(row))
            for span in spans where !span.text.isEmpty {
                let (attributes, pair) = attributes(for: span.style)
                chatty_draw(Int32(row), Int32(span.column), TerminalWidthModel.ncursesSafe(span.text), attributes, pair)
            }
        }
        if let cursor = screen.cursor {
            curs_set(1)
            wmove(chatty_stdscr(), Int32(cursor.row), Int32(cursor.column))
        } else {
            curs_set(0)
        }
        wnoutrefresh(chatty_stdscr())
        doupdate()
    }

    /// Forces a full repaint on the next draw (Ctrl-L).
    func invalidate() {
        clearok(chatty_stdscr(), true)
    }

    private func attributes(for style: TextStyle) -> (UInt32, Int16) {
        var attributes: Int32 = 0
        if style.bold { attributes |= chatty_a_bold() }
        if style.dim { attributes |= chatty_a_dim() }
        if style.reverse { attributes |= chatty_a_reverse() }
        if style.underline { attributes |= chatty_a_underline() }
        if style.italic { attributes |= chatty_a_italic() }
        guard hasColors else { return (UInt32(bitPattern: attributes), 0) }
        var foreground = style.foreground.map { Int32($0.rawValue) } ?? -1
        var background = style.background.map { Int32($0.rawValue) } ?? -1
        // Terminals with 8 colours show the bright ones as bold.
        if foreground >= colorCount { foreground -= 8; attributes |= chatty_a_bold() }
        if background >= colorCount { background -= 8 }
        return (UInt32(bitPattern: attributes), pair(foreground: foreground, background: background))
    }

    private func pair(foreground: Int32, background: Int32) -> Int16 {
        if foreground == -1, background == -1 { return 0 }
        let key = (foreground + 1) * 64 + (background + 1)
        if let existing = pairs[key] { return existing }
        let next = Int32(pairs.count + 1)
        guard next < pairLimit, next < Int32(Int16.max) else { return 0 }
        init_pair(Int16(next), Int16(foreground), Int16(background))
        pairs[key] = Int16(next)
        return Int16(next)
    }
}
