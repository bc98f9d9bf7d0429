/// Geometry of the screen regions for one frame.
///
/// ```
/// row 0            top bar: buffer name, member count, topic
/// rows 1...h-3     message pane  │ sidebar (channels, width >= 60)
/// row h-2          status line
/// row h-1          input line
/// ```
struct ScreenLayout: Equatable, Sendable {
    /// Smallest usable terminal; anything smaller shows a notice.
    static let minimumWidth = 20
    static let minimumHeight = 6
    /// Sidebar width including its separator column.
    static let sidebarWidth = 18
    /// Narrower terminals never show the sidebar.
    static let sidebarMinimumTerminalWidth = 60

    let width: Int
    let height: Int
    let showsSidebar: Bool

    /// Computes the layout; the sidebar is shown only when wanted and wide enough.
    init(width: Int, height: Int, wantsSidebar: Bool) {
        self.width = max(0, width)
        self.height = max(0, height)
        self.showsSidebar = wantsSidebar && width >= Self.sidebarMinimumTerminalWidth
    }

    /// Whether the terminal is too small for the normal layout.
    var isTooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }

    var topBarRow: Int { 0 }
    /// First row of the message pane.
    var paneTop: Int { 1 }
    /// Rows in the message pane (at least 1).
    var paneHeight: Int { max(1, height - 3) }
    var statusRow: Int { height - 2 }
    var inputRow: Int { height - 1 }
    /// Width of the message pane in cells.
    var paneWidth: Int { showsSidebar ? width - Self.sidebarWidth : width }
    /// Column of the sidebar's separator.
    var sidebarColumn: Int { width - Self.sidebarWidth }
    /// Geometry of message lines in the pane.
    var message: MessageLayout { MessageLayout(paneWidth: paneWidth) }
}

/// Geometry of one message line: `HH:MM nick │ text`, where the nick is
/// right-aligned in a fixed column and wrapped text hangs under `text`.
struct MessageLayout: Equatable, Sendable {
    /// Widest nick column.
    static let maximumNickWidth = 12

    let paneWidth: Int
    /// Timestamps are dropped on very narrow panes.
    let showsTime: Bool
    /// Width of the right-aligned nick column.
    let nickWidth: Int

    init(paneWidth: Int) {
        self.paneWidth = max(1, paneWidth)
        self.showsTime = paneWidth >= 40
        let available = paneWidth - (showsTime ? 6 : 0) - 3
        self.nickWidth = min(Self.maximumNickWidth, max(4, available / 3))
    }

    /// Width of `HH:MM ` (or 0).
    var timeWidth: Int { showsTime ? 6 : 0 }
    /// Column of the `│` separator.
    var separatorColumn: Int { timeWidth + nickWidth + 1 }
    /// Column where message text starts (and continuation rows hang).
    var textColumn: Int { timeWidth + nickWidth + 3 }
    /// Cells available for message text.
    var textWidth: Int { max(1, paneWidth - textColumn) }
}
