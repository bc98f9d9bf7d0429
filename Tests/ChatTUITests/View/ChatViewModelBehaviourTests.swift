import ChatCore
import Testing
@testable import ChatTUI

@Suite struct ChatViewModelScrollingTests {
    /// 80x24: pane of 21 rows, a page is 20 rows.
    private func scrolledUp() -> ChatViewModel {
        var vm = Fixture.viewModel()
        Fixture.fill(&vm, count: 100)
        _ = vm.render(width: 80, height: 24)
        vm.scrollPageUp()
        return vm
    }

    @Test func followsNewLinesAtTheBottom() {
        var vm = Fixture.viewModel()
        Fixture.fill(&vm, count: 100)
        let screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 21).contains("│ line 99"))
        #expect(screen.text(row: 1).contains("│ line 79"))
        #expect(!screen.text(row: 22).contains("more below"))
    }

    @Test func pageUpScrollsAPage() {
        var vm = scrolledUp()
        let screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 1).contains("│ line 59 "))
        #expect(screen.text(row: 21).contains("│ line 79 "))
        #expect(screen.trimmedText(row: 22).hasSuffix("-- 20 more below --"))
        #expect(vm.linesBelow == 20)
    }

    @Test func newLinesDoNotMoveAScrolledView() {
        var vm = scrolledUp()
        let before = vm.render(width: 80, height: 24)
        Fixture.fill(&vm, count: 12, start: 100)
        let after = vm.render(width: 80, height: 24)
        #expect(Array(after.lines[0...21]) == Array(before.lines[0...21]))
        #expect(after.trimmedText(row: 22).hasSuffix("-- 32 more below --"))
    }

    @Test func pageDownReturnsToFollowing() {
        var vm = scrolledUp()
        Fixture.fill(&vm, count: 5, start: 100)
        vm.scrollPageDown()
        #expect(vm.activeBuffer.isScrolled)
        vm.scrollPageDown()
        #expect(!vm.activeBuffer.isScrolled)
        let screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 21).contains("│ line 104"))
        #expect(!screen.text(row: 22).contains("more below"))
        Fixture.fill(&vm, count: 1, start: 105)
        #expect(vm.render(width: 80, height: 24).text(row: 21).contains("│ line 105"))
    }

    @Test func topAndBottom() {
        var vm = Fixture.viewModel()
        Fixture.fill(&vm, count: 100)
        _ = vm.render(width: 80, height: 24)
        _ = vm.handle(.withAlt(.home))
        var screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 1).contains("│ line 0 "))
        #expect(screen.trimmedText(row: 22).hasSuffix("-- 79 more below --"))
        vm.scrollPageUp()
        #expect(vm.render(width: 80, height: 24).text(row: 1).contains("│ line 0 "))
        _ = vm.handle(.withAlt(.end))
        screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 21).contains("│ line 99"))
        _ = vm.handle(.home) // empty input line: Home scrolls to the top
        #expect(vm.render(width: 80, height: 24).text(row: 1).contains("│ line 0 "))
        _ = vm.handle(.end)
        #expect(!vm.activeBuffer.isScrolled)
    }

    @Test func scrollingCountsWrappedRows() {
        var vm = Fixture.viewModel()
        let long = String(repeating: "word ", count: 40) // wraps to several rows at 40 columns
        for index in 0..<10 {
            vm.append(Fixture.message("\(index) " + long), to: "#swift")
        }
        _ = vm.render(width: 40, height: 10)
        vm.scroll(lines: -1)
        let screen = vm.render(width: 40, height: 10)
        #expect(vm.activeBuffer.isScrolled)
        #expect(screen.trimmedText(row: 8).hasSuffix("-- 1 more below --"))
        vm.scroll(lines: 1)
        #expect(!vm.activeBuffer.isScrolled)
    }

    @Test func shortBuffersCannotScroll() {
        var vm = Fixture.viewModel()
        Fixture.fill(&vm, count: 5)
        _ = vm.render(width: 80, height: 24)
        vm.scrollPageUp()
        #expect(!vm.activeBuffer.isScrolled)
        let screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 1).contains("│ line 0 "))
    }

    @Test func scrollbackIsBounded() {
        var vm = Fixture.viewModel(scrollbackLimit: 50)
        Fixture.fill(&vm, count: 120)
        let lines = vm.activeBuffer.lines
        #expect(lines.count == 50)
        #expect(lines[sequence: lines.firstSequence].text == "line 70")
        _ = vm.render(width: 80, height: 24)
        vm.scrollToTop()
        #expect(vm.render(width: 80, height: 24).text(row: 1).contains("│ line 70 "))
    }

    @Test func anchorDroppedFromScrollbackClampsToTheTop() {
        var vm = Fixture.viewModel(scrollbackLimit: 50)
        Fixture.fill(&vm, count: 50)
        _ = vm.render(width: 80, height: 24)
        vm.scrollToTop()
        Fixture.fill(&vm, count: 30, start: 50)
        let screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 1).contains("│ line 30 "))
    }

    @Test func floodOfTwentyThousandLinesIsCheap() {
        var vm = Fixture.viewModel()
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for index in 0..<20_000 {
                vm.append(Fixture.message("flood line \(index) with some text to wrap around the pane"), to: "#swift")
            }
            for _ in 0..<20 {
                _ = vm.render(width: 80, height: 24)
            }
        }
        #expect(vm.activeBuffer.lines.count == 10_000)
        #expect(vm.activeBuffer.lines.firstSequence == 10_000)
        let screen = vm.render(width: 80, height: 24)
        #expect(screen.lines.contains { $0.contains("flood line 19999") })
        #expect(elapsed < .seconds(5))
    }
}

@Suite struct ChatViewModelBufferTests {
    @Test func unreadCountsAndActivityForInactiveBuffers() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("one"), to: "#other")
        vm.append(Fixture.message("two"), to: "#other")
        vm.append(ChatLine(hour: 1, minute: 1, kind: .join, nick: "x", text: "x joined"), to: "#other")
        vm.append(Fixture.message("active"), to: "#swift")
        let other = try! #require(vm.buffer(named: "#OTHER"))
        #expect(other.unreadCount == 2)
        #expect(other.activity == .messages)
        #expect(vm.activeBuffer.unreadCount == 0)
        vm.append(ChatLine(hour: 1, minute: 2, nick: "y", text: "hey me", mentionsMe: true), to: "#other")
        #expect(vm.buffer(named: "#other")?.activity == .highlight)
        vm.switchTo(name: "#other")
        #expect(vm.activeBuffer.unreadCount == 0)
        #expect(vm.activeBuffer.activity == .none)
    }

    @Test func queryMessagesAndPrivateMessagesAreHighlights() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("hi", from: "carol"), to: "carol")
        #expect(vm.buffer(named: "carol")?.kind == .query)
        #expect(vm.buffer(named: "carol")?.activity == .highlight)
        vm.append(ChatLine(hour: 1, minute: 1, kind: .privateMessage, nick: "dan", text: "psst"), to: nil)
        #expect(vm.buffers[0].activity == .highlight)
    }

    @Test func ownLinesDoNotCountAsUnread() {
        var vm = Fixture.viewModel()
        vm.append(ChatLine(hour: 1, minute: 1, nick: "me", text: "x", isOwn: true), to: "#other")
        #expect(vm.buffer(named: "#other")?.unreadCount == 0)
        #expect(vm.buffer(named: "#other")?.activity == ChatBuffer.Activity.none)
    }

    @Test func switchingWithKeys() {
        var vm = Fixture.viewModel()
        vm.openBuffer("#b")
        vm.openBuffer("#c")
        #expect(vm.activeBuffer.name == "#swift")
        _ = vm.handle(.alt("4"))
        #expect(vm.activeBuffer.name == "#c")
        _ = vm.handle(.ctrl("n"))
        #expect(vm.activeIndex == 0)
        _ = vm.handle(.withAlt(.left))
        #expect(vm.activeBuffer.name == "#c")
        _ = vm.handle(.ctrl("p"))
        #expect(vm.activeBuffer.name == "#b")
        _ = vm.handle(.withAlt(.right))
        #expect(vm.activeBuffer.name == "#c")
        _ = vm.handle(.alt("1"))
        #expect(vm.activeIndex == 0)
        _ = vm.handle(.alt("9"))
        #expect(vm.activeIndex == 0)
    }

    @Test func altAJumpsToTheMostImportantActivity() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("x"), to: "#b")
        vm.append(Fixture.message("me!", from: "y"), to: "#c")
        vm.append(ChatLine(hour: 1, minute: 1, nick: "z", text: "me: hi", mentionsMe: true), to: "#c")
        _ = vm.handle(.alt("a"))
        #expect(vm.activeBuffer.name == "#c")
        _ = vm.handle(.alt("a"))
        #expect(vm.activeBuffer.name == "#b")
        _ = vm.handle(.alt("a"))
        #expect(vm.activeBuffer.name == "#b")
    }

    @Test func closingBuffers() {
        var vm = Fixture.viewModel()
        vm.openBuffer("#b", activate: true)
        vm.closeBuffer("#B")
        #expect(vm.activeBuffer.name == "#swift")
        vm.closeBuffer("server")
        #expect(vm.buffers.count == 2)
    }

    @Test func theSidebarShowsTheRosterAsGivenAndOnlyForOpenChannels() {
        var vm = Fixture.viewModel()
        vm.setMembers(["@zed", "alice"], in: "#b")
        #expect(vm.buffer(named: "#b") == nil, "a member list never opens a buffer")
        vm.openBuffer("#b", kind: .channel)
        vm.setMembers(["@zed", "alice"], in: "#b")
        #expect(vm.buffer(named: "#b")?.members.members.map(\.nick) == ["zed", "alice"])
        vm.setMembers([ChannelMember](), in: "#swift")
        #expect(vm.activeBuffer.members.isEmpty)
    }

    @Test func renamingAQueryPartner() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("hi", from: "carol"), to: "carol")
        vm.renameSpeaker(from: "carol", to: "caz")
        #expect(vm.buffer(named: "caz")?.kind == .query)
        #expect(vm.buffer(named: "carol") == nil)
    }
}

@Suite struct ChatViewModelOlderHistoryTests {
    @Test func pageUpAtTheTopAsksForOlderHistoryOnceAndItGoesAbove() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("newest", from: "ann"), to: "#swift")
        #expect(vm.handle(.pageUp) == [.fetchOlder("#swift")], "everything fits: already at the top")
        #expect(vm.handle(.pageUp) == [], "one page at a time")
        vm.prependHistory([Fixture.message("older", from: "ann")], to: "#swift", exhausted: false, now: 0)
        #expect(vm.activeBuffer.lines.elements.map(\.text).suffix(2) == ["older", "newest"])
        #expect(vm.activeBuffer.unreadCount == 0)
        #expect(vm.handle(.pageUp) == [.fetchOlder("#swift")])
        vm.prependHistory([], to: "#swift", exhausted: true, now: 0)
        #expect(vm.activeBuffer.lines.elements.first?.text == "—— beginning of history ——")
        #expect(vm.handle(.pageUp) == [], "nothing more to ask for")
        vm.switchTo(index: 0)
        #expect(vm.handle(.pageUp) == [], "the server buffer has no history")
    }
}

@Suite struct ScrollbackPrependTests {
    @Test func olderElementsGoFirstAsFarAsThereIsRoom() {
        var scrollback = Scrollback<Int>(capacity: 4)
        scrollback.append(10)
        scrollback.append(11)
        let sequence = scrollback.lastSequence
        #expect(scrollback.prepend([7, 8, 9]) == 2, "room for two: the newest of them")
        #expect(scrollback.elements == [8, 9, 10, 11])
        #expect(scrollback.lastSequence == sequence, "kept lines keep their numbers")
        #expect(scrollback.prepend([1]) == 0)
    }
}

@Suite struct ChatViewModelInputTests {
    private func type(_ text: String, into vm: inout ChatViewModel) {
        for character in text {
            _ = vm.handle(.character(character))
        }
    }

    @Test func enterSendsToTheActiveBuffer() {
        var vm = Fixture.viewModel()
        type("hello world", into: &vm)
        let result3 = vm.handle(.enter)
        #expect(result3 == [.submit("hello world")])
        #expect(vm.editor.isEmpty)
        let result4 = vm.handle(.enter)
        #expect(result4 == [])
        _ = vm.handle(.up)
        #expect(vm.editor.text == "hello world")
    }

    @Test func commandsGoToTheControllerAsTyped() {
        var vm = Fixture.viewModel()
        type("/JOIN #rust  key", into: &vm)
        let result5 = vm.handle(.enter)
        #expect(result5 == [.submit("/JOIN #rust  key")])
        type("//me is literal", into: &vm)
        let result7 = vm.handle(.enter)
        #expect(result7 == [.submit("//me is literal")])
    }

    @Test func aMultiLinePasteIsNeverSentByItself() {
        var vm = Fixture.viewModel()
        type("> ", into: &vm)
        #expect(vm.handle(.paste("first\nsecond\nthird\n")).isEmpty)
        #expect(vm.pendingPaste == ["> first", "second", "third"])
        let screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 23).contains("Paste 3 lines? Enter sends them, Esc edits them as one line"))
        #expect(vm.handle(.character("x")).isEmpty, "typing does not send or change the paste")
        #expect(vm.handle(.enter) == [.submitLines(["> first", "second", "third"])])
        #expect(vm.pendingPaste == nil)
        #expect(vm.editor.text.isEmpty)
        #expect(vm.handle(.paste("one line")).isEmpty)
        #expect(vm.editor.text == "one line")
    }

    @Test func escapeTurnsAPasteIntoOneLineToEdit() {
        var vm = Fixture.viewModel()
        let text = (1...20).map { "l\($0)" }.joined(separator: "\n")
        #expect(vm.handle(.paste(text)).isEmpty)
        #expect(vm.handle(.escape).isEmpty)
        #expect(vm.pendingPaste == nil)
        #expect(vm.editor.text == (1...20).map { "l\($0)" }.joined(separator: " "))
    }

    @Test func tabCompletesRecentSpeakersFirst() {
        var vm = Fixture.viewModel()
        vm.setMembers(["@alice", "+bob", "alfred", "me"], in: "#swift")
        vm.append(Fixture.message("hi", from: "alfred"), to: "#swift")
        type("al", into: &vm)
        _ = vm.handle(.tab)
        #expect(vm.editor.text == "alfred: ")
        _ = vm.handle(.tab)
        #expect(vm.editor.text == "alice: ")
    }

    @Test func tabNeverCompletesMyOwnNick() {
        var vm = Fixture.viewModel()
        type("m", into: &vm)
        _ = vm.handle(.tab)
        #expect(vm.editor.text == "m")
    }

    @Test func redrawAndResize() {
        var vm = Fixture.viewModel()
        let result11 = vm.handle(.ctrl("l"))
        #expect(result11 == [.redraw])
        let result12 = vm.handle(.resize)
        #expect(result12 == [.redraw])
    }

    @Test func editingKeysReachTheEditor() {
        var vm = Fixture.viewModel()
        type("abc", into: &vm)
        _ = vm.handle(.left)
        _ = vm.handle(.backspace)
        #expect(vm.editor.text == "ac")
        _ = vm.handle(.ctrl("u"))
        #expect(vm.editor.text == "c")
    }
}

@Suite struct ChatViewModelRobustnessTests {
    @Test func helpAndMessagesFitAtEverySize() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("a message with 日本語 and 👩‍💻 in it, long enough to wrap a few times"), to: "#swift")
        vm.editor.insert("draft 日本語")
        for help in [false, true] {
            vm.setHelpVisible(help)
            for width in stride(from: 1, through: 120, by: 7) {
                for height in [1, 3, 5, 6, 7, 10, 24] {
                    let screen = vm.render(width: width, height: height)
                    #expect(screen.rows.count == height)
                    for row in screen.rows {
                        for span in row {
                            #expect(span.column >= 0 && span.column + span.width <= width, "\(width)x\(height)")
                        }
                    }
                    if let cursor = screen.cursor {
                        #expect(cursor.row == height - 1 && cursor.column < width)
                    }
                }
            }
        }
    }

    @Test func decoderSurvivesRandomInput() {
        var generator = SplitMix64(seed: 42)
        var decoder = KeyDecoder()
        decoder.pasteTimeoutLimit = 2
        let alphabet: [UInt32] = [0x1B, 0x5B, 0x4F, 0x32, 0x30, 0x31, 0x7E, 0x3B, 0x41, 0x0D, 0x0A, 0x61, 0x7F, 0x65E5]
        for _ in 0..<5_000 {
            let value = alphabet[Int(generator.next() % UInt64(alphabet.count))]
            _ = decoder.feed(.char(value))
        }
        _ = decoder.timeout()
        _ = decoder.timeout()
        #expect(!decoder.isPending)
    }

    @Test func completionOrderForgetsOldSpeakersBeyondTheLimit() {
        var buffer = ChatBuffer(name: "#big", kind: .channel, scrollbackLimit: 100)
        for index in 0...ChatBuffer.maxTrackedSpeakers {
            buffer.append(ChatLine(hour: 0, minute: 0, nick: "n\(index)", text: "x"), isActive: true)
        }
        #expect(buffer.lastSpoke.count <= ChatBuffer.maxTrackedSpeakers)
        #expect(buffer.lastSpoke["n\(ChatBuffer.maxTrackedSpeakers)"] != nil)
        #expect(buffer.lastSpoke["n0"] == nil)
    }
}

/// Deterministic generator for fuzz-style tests.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Where you stopped reading: one marker per buffer, above the first message you had not seen.
@Suite struct UnreadMarkerTests {
    @Test func theMarkerSitsAboveTheFirstUnseenMessageAndMovesOnTheNextVisit() {
        var vm = Fixture.viewModel()
        vm.append(Fixture.message("seen"), to: "#swift")
        vm.openBuffer("#other", activate: true)
        vm.append(Fixture.message("first unseen"), to: "#swift")
        vm.append(Fixture.message("second unseen"), to: "#swift")
        vm.switchTo(name: "#swift")
        var lines = vm.render(width: 80, height: 12).lines
        let marker = lines.firstIndex { $0.contains("new messages") }
        let first = lines.firstIndex { $0.contains("first unseen") }
        #expect(marker != nil && first == marker.map { $0 + 1 })
        #expect(lines.firstIndex { $0.contains("seen") }! < marker!)
        vm.switchTo(name: "#other")
        vm.append(Fixture.message("later"), to: "#swift")
        vm.switchTo(name: "#swift")
        lines = vm.render(width: 80, height: 12).lines
        #expect(lines.filter { $0.contains("new messages") }.count == 1, "one marker per buffer")
        #expect(lines.firstIndex { $0.contains("later") } == lines.firstIndex { $0.contains("new messages") }.map { $0 + 1 })
    }
}

/// Ctrl-R searches the buffer in view, newest first, and shows each hit in its context.
@Suite struct ReverseSearchTests {
    @Test func ctrlRFindsNewestFirstThenOlderAndEscReturns() {
        var vm = Fixture.viewModel()
        Fixture.fill(&vm, count: 60)
        vm.editor.insert("draft")
        #expect(vm.handle(.ctrl("r")).isEmpty)
        for character in "line 1" { _ = vm.handle(.character(character)) }
        var screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 23).contains("(reverse-search) `line 1`: "))
        #expect(vm.activeBuffer.lines[sequence: vm.reverseSearch!.match!].text == "line 19")
        #expect(screen.lines.contains { $0.contains("line 19") })
        #expect(!screen.lines.contains { $0.contains("line 59") }, "scrolled back to the hit")
        _ = vm.handle(.ctrl("r"))
        #expect(vm.activeBuffer.lines[sequence: vm.reverseSearch!.match!].text == "line 18")
        screen = vm.render(width: 80, height: 24)
        let hit = screen.rows.flatMap { $0 }.first { $0.text.contains("line 18") }
        #expect(hit?.style.reverse == true, "the hit is marked")
        for character in "zz" { _ = vm.handle(.character(character)) }
        #expect(vm.reverseSearch?.failed == true)
        #expect(vm.render(width: 80, height: 24).text(row: 23).contains("failing"))
        _ = vm.handle(.escape)
        #expect(vm.reverseSearch == nil)
        #expect(!vm.activeBuffer.isScrolled, "Esc goes back to the newest line")
        #expect(vm.editor.text == "draft", "the draft is kept")
        _ = vm.handle(.ctrl("r"))
        for character in "line 3" { _ = vm.handle(.character(character)) }
        _ = vm.handle(.enter)
        #expect(vm.reverseSearch == nil)
        #expect(vm.activeBuffer.isScrolled, "Enter stays at the hit")
    }

    @Test func ctrlUEmptiesTheQueryAndCtrlWDropsAWord() {
        var vm = Fixture.viewModel()
        Fixture.fill(&vm, count: 30)
        _ = vm.handle(.ctrl("r"))
        for character in "line 1zz" { _ = vm.handle(.character(character)) }
        #expect(vm.reverseSearch?.failed == true)
        _ = vm.handle(.ctrl("w"))
        #expect(vm.reverseSearch?.query == "line ")
        _ = vm.handle(.ctrl("u"))
        #expect(vm.reverseSearch?.query == "" && vm.reverseSearch?.failed == false, "still searching, with an empty query")
        for character in "line 2" { _ = vm.handle(.character(character)) }
        #expect(vm.activeBuffer.lines[sequence: vm.reverseSearch!.match!].text == "line 29")
    }
}

@Suite struct ChatViewModelTitleTests {
    @Test func theTitleNamesTheBufferInViewAndCountsBuffersWithAMention() {
        var vm = Fixture.viewModel()
        #expect(vm.terminalTitle == "#swift — chatty")
        vm.openBuffer("#ops\u{1B}]2;owned\u{07}", activate: false)
        vm.openBuffer("#quiet", activate: false)
        var mention = Fixture.message("me: look")
        mention.mentionsMe = true
        vm.append(mention, to: "#ops\u{1B}]2;owned\u{07}")
        vm.append(Fixture.message("nothing for you"), to: "#quiet")
        #expect(vm.terminalTitle == "(1) #swift — chatty", "a mention counts, a plain message does not")
        vm.switchTo(name: "#ops\u{1B}]2;owned\u{07}")
        #expect(vm.terminalTitle == "#ops^[]2;owned^G — chatty", "seen; and no escape sequence reaches the terminal")
    }
}

@Suite struct ChatViewModelWheelTests {
    @Test func theWheelScrollsTheMessagesOrTheMembersUnderIt() {
        var vm = Fixture.viewModel()
        Fixture.fill(&vm, count: 100)
        vm.setMembers((0..<60).map { "user\($0)" }, in: "#swift")
        var screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 21).contains("│ line 99"))
        // Over the messages (column 10): three rows a notch.
        _ = vm.handle(.wheel(up: true, column: 10))
        screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 21).contains("│ line 96"), "\(screen.text(row: 21))")
        _ = vm.handle(.wheel(up: false, column: 10))
        screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 21).contains("│ line 99"))
        // Over the sidebar (the last columns): the members move, the messages stay.
        let before = screen.lines.map { String($0.suffix(17)) }
        _ = vm.handle(.wheel(up: false, column: 75))
        screen = vm.render(width: 80, height: 24)
        #expect(screen.text(row: 21).contains("│ line 99"))
        #expect(screen.lines.map { String($0.suffix(17)) } != before, "the member list scrolled")
        #expect(vm.activeBuffer.sidebarOffset == ChatViewModel.wheelRows)
    }

    @Test func theWheelPastTheOldestLineAsksForOlderHistory() {
        var vm = Fixture.viewModel()
        Fixture.fill(&vm, count: 5)
        _ = vm.render(width: 80, height: 24)
        #expect(vm.handle(.wheel(up: true, column: 10)) == [.fetchOlder("#swift")])
    }
}
