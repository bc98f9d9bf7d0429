/// What the full-screen client needs from a terminal: size, raw keys, and drawing a ``Screen``.
///
/// ``NCursesTerminal`` is the real driver; ``HeadlessTerminal`` runs the same app loop without a
/// terminal (tests feed it keys and read the frames it was given).
protocol TerminalDriver: AnyObject {
    /// Enters full-screen mode.
    func start()
    /// Restores the terminal; safe to call more than once.
    func stop()
    var size: (width: Int, height: Int) { get }
    /// The descriptor that becomes readable when input waits (the app loop polls it).
    var inputDescriptor: Int32 { get }
    /// Every key waiting (non-blocking).
    func readInput() -> [RawInput]
    /// Shows a whole frame.
    func draw(_ screen: Screen)
    /// Forces a full repaint on the next draw (Ctrl-L).
    func invalidate()
    /// Key codes this terminal reports for modified keys (Alt/Ctrl with arrows, Home, End…), known
    /// once started; the key decoder learns them.
    var extendedKeyCodes: [(code: Int32, key: Key)] { get }
    /// Rings the bell and, as `style` says, shows a desktop notification.
    func alert(_ alert: TerminalAlert, style: TerminalAlert.Style)
    /// Sets the window title (the caller sanitises it); the terminal's own title comes back on ``stop()``.
    func setTitle(_ title: String)
}
