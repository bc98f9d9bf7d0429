import Testing
@testable import ChatTUI

@Suite struct ChatViewModelLayoutTests {
    @Test func layoutAt100x30() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("hello"), to: "#swift")
        let screen = vm.render(width: 100, height: 30)
        #expect(screen.lines.count == 30)
        #expect(screen.lines.allSatisfy { $0.displayWidth == 100 })
        #expect(screen.trimmedText(row: 0) == " #swift (3 users) │ Swift on Linux")
        #expect(screen.text(row: 1).hasPrefix("09:05        alice │ hello"))
        // Sidebar: separator at column 82, header, then sorted members.
        #expect(screen.text(row: 1).hasSuffix("│ 3 nicks         "))
        #expect(screen.text(row: 2).hasSuffix("│@alice           "))
        #expect(screen.text(row: 3).hasSuffix("│+bob             "))
        #expect(screen.text(row: 4).hasSuffix("│ me              "))
        #expect(screen.trimmedText(row: 28) == " [me] [2:#swift] [connected: irc.example.org] [lag 42ms]" + String(repeating: " ", count: 36) + "F1 help")
        #expect(screen.trimmedText(row: 29) == "[#swift]")
        #expect(screen.cursor == Screen.Cursor(row: 29, column: 9))
    }

    @Test func layoutAt80x24HasSidebar() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("hi"), to: "#swift")
        let screen = vm.render(width: 80, height: 24)
        #expect(screen.lines.count == 24)
        #expect(Array(screen.text(row: 5))[62] == "│")
        #expect(screen.text(row: 1).hasPrefix("09:05        alice │ hi"))
        #expect(screen.trimmedText(row: 22).hasPrefix(" [me] [2:#swift]"))
    }

    @Test func layoutAt40x10HidesSidebarAndNarrowsNickColumn() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("hello there"), to: "#swift")
        let screen = vm.render(width: 40, height: 10)
        #expect(screen.lines.count == 10)
        #expect(screen.trimmedText(row: 1) == "09:05      alice │ hello there")
        #expect(!screen.lines[1...7].joined().contains("nicks"))
        #expect(screen.trimmedText(row: 9) == "[#swift]")
        #expect(screen.cursor == Screen.Cursor(row: 9, column: 9))
    }

    @Test func tinyTerminalShowsANotice() {
        var vm = Fixture.viewModel()
        let screen = vm.render(width: 10, height: 3)
        #expect(screen.lines == ["          ", "too small ", "          "])
        #expect(screen.cursor == nil)
        let short = vm.render(width: 30, height: 5)
        #expect(short.trimmedText(row: 2) == "      terminal too small")
    }

    @Test func sidebarHiddenBelowSixtyColumnsAndForQueries() {
        var vm = Fixture.viewModel()
        #expect(vm.render(width: 59, height: 12).lines.allSatisfy { !$0.contains("nicks") })
        #expect(vm.render(width: 60, height: 12).text(row: 1).hasSuffix("│ 3 nicks         "))
        vm.openBuffer("carol", activate: true)
        let query = vm.render(width: 100, height: 12)
        #expect(query.lines.allSatisfy { !$0.contains("nicks") })
        #expect(query.trimmedText(row: 0) == " carol │ private conversation")
        vm.switchTo(index: 1)
        vm.isSidebarEnabled = false
        #expect(vm.render(width: 100, height: 12).lines.allSatisfy { !$0.contains("nicks") })
    }

    @Test func serverBufferTopBarShowsConnection() {
        var vm = Fixture.viewModel()
        vm.switchTo(index: 0)
        #expect(vm.render(width: 80, height: 10).trimmedText(row: 0) == " server │ connected to irc.example.org")
    }

    @Test func longLinesWrapWithAHangingIndent() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("one two three four five six seven eight nine ten eleven"), to: "#swift")
        let screen = vm.render(width: 50, height: 10)
        // 50 columns: no sidebar, nick column 12, text starts at column 21 (29 cells wide).
        #expect(screen.trimmedText(row: 1) == "09:05        alice │ one two three four five six")
        #expect(screen.trimmedText(row: 2) == "                   │ seven eight nine ten eleven")
    }

    @Test func wideTextNeverOverflowsTheRow() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message(String(repeating: "日本語👍🏽é ", count: 30)), to: "#swift")
        for (width, height) in [(100, 30), (80, 24), (61, 20), (40, 10), (20, 6)] {
            let screen = vm.render(width: width, height: height)
            for (index, row) in screen.rows.enumerated() {
                for span in row {
                    #expect(span.column + span.width <= width, "row \(index) at \(width)x\(height)")
                }
            }
            #expect(screen.lines.allSatisfy { $0.displayWidth == width })
        }
    }

    @Test func longNicksAreTruncatedInTheNickColumn() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("hi", from: "averyveryverylongnick"), to: "#swift")
        #expect(vm.render(width: 80, height: 10).text(row: 1).hasPrefix("09:05 averyveryve… │ hi"))
    }

    @Test func eventLinesUseArrowsAndDimText() {
        var vm = Fixture.viewModel()
        vm.append(ChatLine(hour: 10, minute: 0, kind: .join, nick: "dave", text: "dave (d@host) has joined #swift"), to: "#swift")
        vm.append(ChatLine(hour: 10, minute: 1, kind: .quit, nick: "dave", text: "dave has quit (bye)"), to: "#swift")
        let screen = vm.render(width: 80, height: 10)
        #expect(screen.text(row: 1).hasPrefix("10:00          --> │ dave (d@host) has joined #swift"))
        #expect(screen.text(row: 2).hasPrefix("10:01          <-- │ dave has quit (bye)"))
        let spans = screen.rows[1]
        #expect(spans.contains { $0.text == "dave" && $0.style.foreground == NickColors.color(for: "dave") })
        #expect(spans.contains { $0.text == " (d@host) has joined #swift" && $0.style.dim })
    }

    @Test func actionsNoticesAndPrivateMessages() {
        var vm = Fixture.viewModel()
        vm.append(ChatLine(hour: 1, minute: 2, kind: .action, nick: "bob", text: "waves"), to: "#swift")
        vm.append(ChatLine(hour: 1, minute: 3, kind: .notice, nick: "ChanServ", text: "welcome"), to: "#swift")
        vm.append(ChatLine(hour: 1, minute: 4, kind: .privateMessage, nick: "bob", text: "psst"), to: "#swift")
        vm.append(ChatLine(hour: 1, minute: 5, kind: .error, text: "No such nick"), to: "#swift")
        let screen = vm.render(width: 80, height: 10)
        #expect(screen.text(row: 1).hasPrefix("01:02            * │ bob waves"))
        #expect(screen.text(row: 2).hasPrefix("01:03   -ChanServ- │ welcome"))
        #expect(screen.text(row: 3).hasPrefix("01:04        *bob* │ psst"))
        #expect(screen.text(row: 4).hasPrefix("01:05           !! │ No such nick"))
        #expect(screen.rows[3].contains { $0.text == "*bob*" && $0.style.foreground == .brightMagenta && $0.style.bold })
    }

    @Test func nickColoursAndOwnLines() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("theirs", from: "bob"), to: "#swift")
        vm.append(ChatLine(hour: 9, minute: 6, nick: "me", text: "mine", isOwn: true), to: "#swift")
        let screen = vm.render(width: 80, height: 10)
        let bob = screen.rows[1].first { $0.text == "bob" }
        #expect(bob?.style.foreground == NickColors.color(for: "bob"))
        let me = screen.rows[2].first { $0.text == "me" }
        #expect(me?.style == TextStyle(bold: true, foreground: NickColors.own))
    }

    @Test func mentionsAreHighlighted() {
        var vm = Fixture.viewModel()
        vm.append(ChatLine(hour: 9, minute: 7, nick: "alice", text: "me: look", mentionsMe: true), to: "#swift")
        let screen = vm.render(width: 80, height: 10)
        let nick = screen.rows[1].first { $0.text == "alice" }
        #expect(nick?.style == MessageRenderer.highlightPrefixStyle)
        let text = screen.rows[1].first { $0.text == "me: look" }
        #expect(text?.style == MessageRenderer.highlightTextStyle)
    }

    @Test func remoteEscapesAreShownNotExecuted() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("\u{1B}]0;pwned\u{07}\u{1B}[2J"), to: "#swift")
        vm.setTopic("\u{1B}[31mred\u{202E}", in: "#swift")
        let screen = vm.render(width: 80, height: 10)
        #expect(screen.text(row: 1).hasPrefix("09:05        alice │ ^[]0;pwned^G^[[2J"))
        #expect(screen.trimmedText(row: 0) == " #swift (3 users) │ ^[[31mred")
        for row in screen.rows {
            for span in row {
                #expect(span.text.unicodeScalars.allSatisfy { $0.value >= 0x20 && !(0x7F...0x9F).contains($0.value) })
            }
        }
    }

    @Test func timestampsUseTheUTCOffset() {
        var vm = Fixture.viewModel()
        vm.utcOffsetSeconds = 2 * 3600
        vm.append(ChatLine(timestamp: 1_700_000_000_000, nick: "alice", text: "x"), to: "#swift") // 22:13 UTC
        #expect(vm.render(width: 80, height: 10).text(row: 1).hasPrefix("00:13"))
        #expect(ChatLine(timestamp: -60_000, text: "").formattedTime(utcOffsetSeconds: 0) == "23:59")
    }

    @Test func sidebarOverflowShowsMoreCount() {
        var vm = Fixture.viewModel()
        vm.setMembers((0..<40).map { "user\($0 < 10 ? "0" : "")\($0)" }, in: "#swift")
        var screen = vm.render(width: 80, height: 10) // pane 7 rows: header, 5 nicks, "↓35 more (F12)"
        #expect(screen.text(row: 1).hasSuffix("│ 40 nicks        "))
        #expect(screen.text(row: 2).hasSuffix("│ user00          "))
        #expect(screen.text(row: 6).hasSuffix("│ user04          "))
        #expect(screen.text(row: 7).hasSuffix("│ ↓35 more (F12)  "))
        // F12 scrolls the list a page down, F11 back.
        _ = vm.handle(.function(12))
        screen = vm.render(width: 80, height: 10)
        #expect(screen.text(row: 2).hasSuffix("│ ↑4 more (F11)   "))
        #expect(screen.text(row: 3).hasSuffix("│ user04          "))
        #expect(screen.text(row: 7).hasSuffix("│ ↓32 more (F12)  "))
        for _ in 0..<20 { _ = vm.handle(.function(12)) }
        screen = vm.render(width: 80, height: 10)
        #expect(screen.text(row: 7).hasSuffix("│ user39          "))
        _ = vm.handle(.function(11))
        _ = vm.handle(.function(11))
        for _ in 0..<20 { _ = vm.handle(.function(11)) }
        #expect(vm.render(width: 80, height: 10).text(row: 2).hasSuffix("│ user00          "))
    }

    @Test func helpOverlayCoversThePane() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("hidden"), to: "#swift")
        let result1 = vm.handle(.function(1))
        #expect(result1 == [])
        #expect(vm.isHelpVisible)
        let screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 1).hasPrefix("┌─ Help"))
        #expect(screen.lines.contains { $0.contains("Alt-1..9, Alt-0") && $0.contains("go to buffer 1..10") })
        #expect(!screen.lines.contains { $0.contains("hidden") })
        #expect(screen.text(row: 1).hasSuffix("┐"))
        #expect(screen.text(row: 21).hasPrefix("└"))
        #expect(screen.lines.contains { $0.contains("more (PgDn)") }, "more entries than rows")
        // Descriptions wrap instead of being cut.
        let wide = vm.render(width: 100, height: 30).lines
        #expect(wide.contains { $0.contains("Tab / Shift-Tab") && $0.contains("complete nick, /command or #channel;") })
        #expect(wide.contains { $0.hasPrefix("│" + String(repeating: " ", count: 20)) && $0.contains("backwards") },
                "the rest on a row of its own: \(wide.joined(separator: "\n"))")
        // PgDn scrolls to the end of the one command table, whose last entry is /trust.
        var scrolled = vm.render(width: 80, height: 24)
        for _ in 0..<10 where scrolled.lines.contains(where: { $0.contains("more (PgDn)") }) {
            _ = vm.handle(.pageDown)
            scrolled = vm.render(width: 80, height: 24)
        }
        #expect(scrolled.lines.suffix(6).contains { $0.hasPrefix("│ /trust ") }, "\(scrolled.lines.joined(separator: "\n"))")
        #expect(!scrolled.lines.contains { $0.contains("more (PgDn)") })
        _ = vm.handle(.escape)
        #expect(!vm.isHelpVisible)
        #expect(vm.render(width: 80, height: 24).text(row: 1).contains("hidden"))
    }

    @Test func statusLineShowsActivityAndLag() {
        var vm = Fixture.viewModel()
        vm.status.lagMilliseconds = 1500
        vm.append(Fixture.message("in server"), to: nil)
        vm.append(ChatLine(hour: 1, minute: 1, kind: .join, nick: "x", text: "x joined"), to: "#other")
        let screen = vm.render(width: 100, height: 10)
        // Buffers with activity by number, name and unread messages; messages bold, events plain.
        #expect(screen.trimmedText(row: 8)
                == " [me] [2:#swift] [connected: irc.example.org] [lag 1.5s] [Act: 1:server(1),3:#other]" + String(repeating: " ", count: 8) + "F1 help")
        vm.status.isAway = true
        #expect(vm.render(width: 100, height: 10).trimmedText(row: 8).hasPrefix(" [me] [away] [2:#swift]"))
        vm.status.isAway = false
        let messages = screen.rows[8].first { $0.text == "1:server(1)" }
        #expect(messages?.style.bold == true)
        let events = screen.rows[8].first { $0.text == "3:#other" }
        #expect(events?.style.bold == false)
        // Too narrow for all of it: the F1 hint gives way, then the activity list is cut, never the
        // connection state and the lag before it.
        #expect(vm.render(width: 86, height: 10).trimmedText(row: 8)
                == " [me] [2:#swift] [connected: irc.example.org] [lag 1.5s] [Act: 1:server(1),3:#other]")
        #expect(vm.render(width: 92, height: 10).trimmedText(row: 8).hasSuffix("3:#other]"), "no room for the hint and a gap")
        #expect(vm.render(width: 93, height: 10).trimmedText(row: 8).hasSuffix("3:#other] F1 help"), "room for both")
        #expect(vm.render(width: 62, height: 10).trimmedText(row: 8) == " [me] [2:#swift] [connected: irc.example.org] [lag 1.5s] [Act:")
    }

    @Test func inputLineScrollsHorizontallyWithCursor() throws {
        var vm = Fixture.viewModel()
        vm.editor.insert(String(repeating: "abcdefghij", count: 5))
        let screen = vm.render(width: 30, height: 6)
        // Prompt "[#swift] " is 9 cells; the 21-cell field shows the tail.
        #expect(screen.text(row: 5).hasPrefix("[#swift] "))
        let cursor = try #require(screen.cursor)
        #expect(cursor.row == 5)
        #expect(cursor.column < 30 && cursor.column >= 9)
        #expect(screen.trimmedText(row: 5).hasSuffix("hij"))
    }
}
