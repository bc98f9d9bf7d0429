import Testing

@testable import ChatTUI

/// Terminals disagree on emoji clusters; the client measures and follows the one it runs in.
@Suite(.serialized) struct TerminalWidthModelTests {
    @Test func theProbeSaysWhichKindsAreJoined() {
        // tmux: modifiers and selectors by code point (👍🏽 → column 5, ❤️ → 2), ZWJ joined (👩‍💻 → 3).
        let tmux = TerminalWidthModel.fromProbe(columns: [5, 3, 2])
        #expect(tmux == [.modifiersByCodePoint, .selectorsByCodePoint])
        #expect(TerminalWidthModel.fromProbe(columns: [3, 3, 3]) == .graphemes)
        #expect(TerminalWidthModel.fromProbe(columns: [nil, nil, nil]) == .codePoints, "no answer: by code point")
    }

    @Test func widthsFollowTheModel() {
        let saved = TerminalWidthModel.current
        defer { TerminalWidthModel.use(saved) }
        TerminalWidthModel.use(.graphemes)
        #expect("a👍🏽b👩‍💻c❤️".displayWidth == 9)
        TerminalWidthModel.use([.modifiersByCodePoint, .selectorsByCodePoint])
        #expect("👍🏽".displayWidth == 4)
        #expect("👩‍💻".displayWidth == 2)
        #expect("❤️".displayWidth == 1)
        #expect("日本".displayWidth == 4, "wide characters are wide in every model")
    }

    @Test func ncursesIsNeverHandedAClusterItWouldCountDifferently() {
        let tmux: TerminalWidthModel = [.modifiersByCodePoint, .selectorsByCodePoint]
        // ncurses counts code points: a ZWJ sequence tmux joins is drawn as its first emoji.
        #expect(TerminalWidthModel.ncursesSafe("a👩‍💻b", model: tmux) == "a👩b")
        #expect(TerminalWidthModel.ncursesSafe("👍🏽❤️", model: tmux) == "👍🏽❤️")
        #expect(TerminalWidthModel.ncursesSafe("👍🏽 ❤️", model: .graphemes) == "👍 ??", "❤ alone is one cell: ?? keeps two")
        #expect(TerminalWidthModel.ncursesSafe("café 日本", model: .graphemes) == "café 日本")
        #expect(TerminalWidthModel.ncursesSafe("👩‍💻", model: .codePoints) == "👩‍💻")
    }
}
