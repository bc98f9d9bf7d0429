import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// A terminal without a terminal: the app loop runs as with ncurses, keys come from ``feed(_:)``
/// and every frame drawn is kept. Used by tests of the whole client loop.
final class HeadlessTerminal: TerminalDriver, Sendable {
    private struct State {
        var pending: [RawInput] = []
        var frame: Screen?
        var frames = 0
        var started = false
        var alerts: [TerminalAlert] = []
        var titles: [String] = []
    }

    let size: (width: Int, height: Int)
    /// Tests feed escape sequences raw: no terminal-specific codes.
    var extendedKeyCodes: [(code: Int32, key: Key)] { [] }

    /// Alerts rung so far (for tests).
    var alerts: [TerminalAlert] { state.withLockedValue { $0.alerts } }

    func alert(_ alert: TerminalAlert, style: TerminalAlert.Style) {
        guard style != .off else { return }
        state.withLockedValue { $0.alerts.append(alert) }
    }

    /// Window titles set so far (for tests).
    var titles: [String] { state.withLockedValue { $0.titles } }

    func setTitle(_ title: String) {
        state.withLockedValue { $0.titles.append(title) }
    }
    private let state = NIOLockedValueBox(State())
    /// A pipe the loop polls: one byte per ``feed(_:)`` wakes it.
    private let readEnd: Int32
    private let writeEnd: Int32

    init(width: Int = 100, height: Int = 30) {
        self.size = (width, height)
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { fatalError("pipe() failed: \(errno)") }
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
        (readEnd, writeEnd) = (fds[0], fds[1])
    }

    deinit {
        close(readEnd)
        close(writeEnd)
    }

    var inputDescriptor: Int32 { readEnd }

    func start() { state.withLockedValue { $0.started = true } }

    func stop() { state.withLockedValue { $0.started = false } }

    var isStarted: Bool { state.withLockedValue { $0.started } }

    /// Queues keys as the terminal would deliver them (characters, or `KEY_*` codes).
    func feed(_ inputs: [RawInput]) {
        state.withLockedValue { $0.pending += inputs }
        var byte: UInt8 = 1
        _ = write(writeEnd, &byte, 1)
    }

    /// Queues text, one character per key.
    func type(_ text: String) {
        feed(text.unicodeScalars.map { .char($0.value) })
    }

    func readInput() -> [RawInput] {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(readEnd, &scratch, scratch.count) > 0 {}
        return state.withLockedValue { state in
            defer { state.pending = [] }
            return state.pending
        }
    }

    func draw(_ screen: Screen) {
        state.withLockedValue {
            $0.frame = screen
            $0.frames += 1
        }
    }

    func invalidate() {}

    /// The last frame drawn, as text rows.
    var screenText: String {
        state.withLockedValue { state in
            state.frame?.lines.joined(separator: "\n") ?? ""
        }
    }
}
