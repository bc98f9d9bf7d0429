import ChatCore
import Testing
@testable import ChatTUI

@Suite struct MemberListTests {
    private func display(_ list: MemberList) -> [String] {
        list.members.map { ($0.highestPrefix.map(String.init) ?? "") + $0.nick }
    }

    @Test func multiPrefixEntriesKeepAllPrefixes() {
        let list = MemberList(names: ["@+alice"])
        #expect(list.members == [Member(nick: "alice", prefixes: "@+")])
        #expect(list.members[0].isOperator)
    }

    @Test func stripPrefixes() {
        #expect(MemberList.stripPrefixes("@+nick") == ("@+", "nick"))
        #expect(MemberList.stripPrefixes("nick") == ("", "nick"))
    }

    @Test func showsTheRosterInItsOrder() {
        var list = MemberList()
        list.set([ChannelMember(nick: "zed", prefixes: "@"), ChannelMember(nick: "Alice")])
        #expect(display(list) == ["@zed", "Alice"])
    }
}

@Suite struct ScrollbackTests {
    @Test func keepsTheNewestLinesWithStableSequenceNumbers() {
        var s = Scrollback<Int>(capacity: 3)
        for value in 0..<5 { s.append(value) }
        #expect(s.count == 3)
        #expect(s.firstSequence == 2)
        #expect(s.lastSequence == 4)
        #expect(s.elements == [2, 3, 4])
        #expect(s[sequence: 3] == 3)
        #expect(!s.contains(sequence: 1))
        #expect(s.last == 4)
    }

    @Test func removeAllKeepsCounting() {
        var s = Scrollback<String>(capacity: 10)
        s.append("a")
        s.append("b")
        s.removeAll()
        #expect(s.isEmpty)
        s.append("c")
        #expect(s.firstSequence == 2)
        #expect(s.elements == ["c"])
    }
}

@Suite struct NickColorsTests {
    @Test func colourIsStableAndCaseInsensitive() {
        #expect(NickColors.color(for: "Alice") == NickColors.color(for: "alice"))
        #expect(NickColors.color(for: "alice") == NickColors.color(for: "ALICE"))
        #expect(NickColors.palette.count == 12)
        #expect(!NickColors.palette.contains(NickColors.own))
    }

    @Test func differentNicksSpreadOverThePalette() {
        let nicks = (0..<200).map { "user\($0)" }
        let colours = Set(nicks.map(NickColors.color(for:)))
        #expect(colours.count >= 10)
    }

    @Test func fnvHashIsFixed() {
        // FNV-1a("a") = 0xE40C292C; 0xE40C292C % 12 = 4 → magenta.
        #expect(NickColors.color(for: "a") == .magenta)
    }

    @Test func ownNickGetsTheOwnColour() {
        #expect(NickColors.color(for: "Me", ownNick: "me") == NickColors.own)
        #expect(NickColors.color(for: "bob", ownNick: "me") == NickColors.color(for: "bob"))
    }
}

@Suite struct ScreenTests {
    @Test func putClipsAtTheRightEdge() {
        var screen = Screen(width: 5, height: 1)
        let end = screen.put("abc日本", row: 0, column: 0)
        #expect(end == 5)
        #expect(screen.text(row: 0) == "abc日")
        #expect(screen.rows[0] == [Screen.Span(column: 0, text: "abc日", style: .plain)])
    }

    @Test func wideCharacterCutAtTheEdgeBecomesASpace() {
        var screen = Screen(width: 4, height: 1)
        screen.put("ab日", row: 0, column: 1)
        #expect(screen.text(row: 0) == " ab ")
    }

    @Test func laterSpansOverwrite() {
        var screen = Screen(width: 6, height: 2)
        screen.fill(row: 0, style: TextStyle(reverse: true))
        screen.put("hi", row: 0, column: 2)
        #expect(screen.text(row: 0) == "  hi  ")
        screen.put("日本語", row: 1, column: 0)
        screen.put("x", row: 1, column: 1)
        #expect(screen.text(row: 1) == " x本語")
        #expect(screen.trimmedText(row: 0) == "  hi")
        screen.put("ignored", row: 5, column: 0)
        #expect(screen.lines.count == 2)
    }
}
