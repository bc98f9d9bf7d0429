import Testing

@testable import ChatTUI

@Suite struct NCursesTerminalTests {
    @Test func theTitleIsSetOnlyWhereThereIsAWindowTitle() {
        for term in ["xterm-256color", "tmux-256color", "screen", "foot", "xterm-kitty", "alacritty", "rxvt-unicode-256color"] {
            #expect(NCursesTerminal.hasTitle(term: term), "\(term)")
        }
        for term in ["linux", "dumb", "vt100", "vt220", "ansi", "", nil] as [String?] {
            #expect(!NCursesTerminal.hasTitle(term: term), "\(term ?? "unset")")
        }
    }
}
