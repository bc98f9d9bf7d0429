import Testing
@testable import ChatTUI

@Suite struct LineEditorTests {
    private func editor(_ text: String, cursor: Int? = nil) -> LineEditor {
        var editor = LineEditor()
        editor.insert(text)
        if let cursor {
            editor.moveHome()
            for _ in 0..<cursor { editor.moveRight() }
        }
        return editor
    }

    @Test func insertStoresGraphemeClustersAndMovesCursor() {
        var e = LineEditor()
        e.insert("héllo 👩‍💻")
        #expect(e.text == "héllo 👩‍💻")
        #expect(e.characters.count == 7)
        #expect(e.cursor == 7)
        e.moveLeft()
        e.insert("x")
        #expect(e.text == "héllo x👩‍💻")
        #expect(e.cursor == 7)
    }

    @Test func combiningMarkJoinsThePreviousCharacter() {
        var e = editor("e")
        e.insert("\u{301}")
        #expect(e.characters == ["e\u{301}"])
        #expect(e.cursor == 1)
    }

    @Test func pastedControlCharactersAreCleaned() {
        var e = LineEditor()
        e.insert("a\r\nb\tc\u{1B}[2J\u{7}d\u{202E}")
        #expect(e.text == "a b c[2Jd")
    }

    @Test func cursorMovementIsBounded() {
        var e = editor("abc")
        e.moveRight()
        #expect(e.cursor == 3)
        e.moveHome()
        #expect(e.cursor == 0)
        e.moveLeft()
        #expect(e.cursor == 0)
        e.moveRight()
        #expect(e.cursor == 1)
        e.moveEnd()
        #expect(e.cursor == 3)
    }

    @Test func controlKeysMoveLikeReadline() {
        var e = editor("hello world")
        let result1 = e.handle(.ctrl("a"))
        #expect(result1)
        #expect(e.cursor == 0)
        e.handle(.ctrl("e"))
        #expect(e.cursor == 11)
        e.handle(.home)
        #expect(e.cursor == 0)
        e.handle(.end)
        #expect(e.cursor == 11)
        e.handle(.alt("b"))
        #expect(e.cursor == 6)
        e.handle(.withCtrl(.left))
        #expect(e.cursor == 0)
        e.handle(.alt("f"))
        #expect(e.cursor == 5)
        let result2 = e.handle(.enter)
        #expect(!result2)
        let result3 = e.handle(.pageUp)
        #expect(!result3)
    }

    @Test func backspaceAndDelete() {
        var e = editor("abcd", cursor: 2)
        e.backspace()
        #expect(e.text == "acd")
        #expect(e.cursor == 1)
        e.deleteForward()
        #expect(e.text == "ad")
        #expect(e.cursor == 1)
        e.moveHome()
        e.backspace()
        #expect(e.text == "ad")
        e.moveEnd()
        e.deleteForward()
        #expect(e.text == "ad")
        e.handle(.backspace)
        #expect(e.text == "a")
        e.handle(.ctrl("a"))
        e.handle(.delete)
        #expect(e.text == "")
    }

    @Test func backspaceRemovesAWholeCluster() {
        var e = editor("a👍🏽")
        e.backspace()
        #expect(e.text == "a")
    }

    @Test func killToStartAndEnd() {
        var e = editor("hello world", cursor: 5)
        e.handle(.ctrl("k"))
        #expect(e.text == "hello")
        #expect(e.killBuffer == Array(" world"))
        var f = editor("hello world", cursor: 6)
        f.handle(.ctrl("u"))
        #expect(f.text == "world")
        #expect(f.cursor == 0)
    }

    @Test func killPreviousWord() {
        var e = editor("hello big  world  ")
        e.handle(.ctrl("w"))
        #expect(e.text == "hello big  ")
        e.handle(.ctrl("w"))
        #expect(e.text == "hello ")
        var f = editor("path/to/file")
        f.handle(.ctrl("w"))
        #expect(f.text == "")
        var g = editor("path/to/file")
        g.handle(.withAlt(.backspace))
        #expect(g.text == "path/to/")
    }

    @Test func yankReinsertsKilledText() {
        var e = editor("one two")
        e.handle(.ctrl("w"))
        e.moveHome()
        e.handle(.ctrl("y"))
        #expect(e.text == "twoone ")
    }

    @Test func transposeSwapsCharacters() {
        var e = editor("ab")
        e.handle(.ctrl("t"))
        #expect(e.text == "ba")
    }

    @Test func historyKeepsTheDraft() {
        var e = LineEditor()
        e.insert("first")
        #expect(e.submit() == "first")
        e.insert("second")
        _ = e.submit()
        e.insert("draft")
        e.historyPrevious()
        #expect(e.text == "second")
        e.historyPrevious()
        #expect(e.text == "first")
        e.historyPrevious()
        #expect(e.text == "first")
        e.historyNext()
        #expect(e.text == "second")
        e.historyNext()
        #expect(e.text == "draft")
        #expect(e.cursor == 5)
        e.historyNext()
        #expect(e.text == "draft")
    }

    @Test func historyIsBoundedAndSkipsBlanksAndRepeats() {
        var e = LineEditor(historyLimit: 3)
        for line in ["a", "b", "b", "   ", "c", "d"] {
            e.insert(line)
            _ = e.submit()
        }
        #expect(e.history == ["b", "c", "d"])
        #expect(e.text == "")
        e.handle(.up)
        #expect(e.text == "d")
        e.handle(.down)
        #expect(e.text == "")
    }

    @Test func submitReturnsTheLineAndClears() {
        var e = editor("hi there")
        #expect(e.submit() == "hi there")
        #expect(e.isEmpty)
        #expect(e.cursor == 0)
    }

    @Test func tabCompletesNickAtLineStartWithColon() {
        var e = editor("al")
        e.complete(nicks: ["bob", "@Alice", "alfred"])
        #expect(e.text == "Alice: ")
        #expect(e.cursor == 7)
        e.complete(nicks: ["bob", "@Alice", "alfred"])
        #expect(e.text == "alfred: ")
        e.complete(nicks: ["bob", "@Alice", "alfred"])
        #expect(e.text == "Alice: ")
    }

    @Test func tabCompletesMidLineWithSpaceAndKeepsTheRest() {
        var e = editor("hi AL and", cursor: 5)
        e.complete(nicks: ["alice"])
        #expect(e.text == "hi alice  and")
        #expect(e.cursor == 9)
    }

    @Test func editingEndsTheCompletionCycle() {
        var e = editor("a")
        e.complete(nicks: ["alice", "anna"])
        #expect(e.text == "alice: ")
        e.insert("x")
        e.complete(nicks: ["alice", "anna"])
        #expect(e.text == "alice: x")
    }

    @Test func noMatchOrEmptyWordLeavesTheLine() {
        var e = editor("zz")
        e.complete(nicks: ["alice"])
        #expect(e.text == "zz")
        var f = editor("hi ")
        f.complete(nicks: ["alice"])
        #expect(f.text == "hi ")
    }

    @Test func slashCompletesCommands() {
        var e = editor("/jo")
        e.complete(nicks: ["joe"], commands: ["join", "part"])
        #expect(e.text == "/join ")
    }

    @Test func visibleSliceShowsShortTextWhole() {
        let e = editor("hello")
        #expect(e.visibleSlice(width: 10) == .init(text: "hello", cursorColumn: 5, isClippedLeft: false, isClippedRight: false))
    }

    @Test func visibleSliceScrollsToKeepTheCursorVisible() {
        var e = editor("abcdefghijklmnopqrstuvwxyz")
        let end = e.visibleSlice(width: 10)
        #expect(end.text == "uvwxyz")
        #expect(end.cursorColumn == 6)
        #expect(end.isClippedLeft)
        e.moveHome()
        let start = e.visibleSlice(width: 10)
        #expect(start.text == "abcdefghij")
        #expect(start.cursorColumn == 0)
        #expect(start.isClippedRight)
        for _ in 0..<12 { e.moveRight() }
        let middle = e.visibleSlice(width: 10)
        #expect(middle.text == "fghijklmno")
        #expect(middle.cursorColumn == 7)
    }

    @Test func visibleSliceCountsWideCharacters() {
        let e = editor("日本語テキスト")  // 14 cells
        let slice = e.visibleSlice(width: 8)
        #expect(slice.text.displayWidth <= 8)
        #expect(slice.text.hasSuffix("スト"))
        #expect(slice.cursorColumn == slice.text.displayWidth)
        #expect(slice.cursorColumn < 8)
        var f = editor("日本", cursor: 1)
        #expect(f.visibleSlice(width: 10).cursorColumn == 2)
        f.moveEnd()
        #expect(f.visibleSlice(width: 10).cursorColumn == 4)
    }

    @Test func cursorAlwaysInsideTheField() {
        var e = editor("日本語 mixed 👍🏽 text and more 한국어 words")
        e.moveHome()
        for _ in 0...e.characters.count {
            for width in [3, 5, 8, 13] {
                let slice = e.visibleSlice(width: width)
                #expect(slice.cursorColumn >= 0 && slice.cursorColumn < width)
                #expect(slice.text.displayWidth <= width)
            }
            e.moveRight()
        }
    }
}

@Suite struct LineEditorCompletionDirectionTests {
    @Test func shiftTabCyclesBackwardsAndChannelsComplete() {
        var editor = LineEditor()
        editor.insert("al")
        editor.complete(nicks: ["alice", "alfred", "bob"], backwards: true)
        #expect(editor.text == "alfred: ")
        editor.complete(nicks: ["alice", "alfred", "bob"], backwards: true)
        #expect(editor.text == "alice: ")
        editor.complete(nicks: ["alice", "alfred", "bob"])
        #expect(editor.text == "alfred: ")
        var channels = LineEditor()
        channels.insert("join #ch")
        channels.complete(nicks: ["#chatter"], channels: ["#chatty", "#other"])
        #expect(channels.text == "join #chatty ")
    }
}
