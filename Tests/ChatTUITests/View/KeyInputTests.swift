import Testing
@testable import ChatTUI

@Suite struct KeyDecoderTests {
    private func chars(_ text: String) -> [RawInput] {
        text.unicodeScalars.map { RawInput.char($0.value) }
    }

    @Test func printableCharacters() {
        var d = KeyDecoder()
        let result1 = d.feed(.char(0x61))
        #expect(result1 == [.character("a")])
        let result2 = d.feed(.char(0xE9))
        #expect(result2 == [.character("é")])
        let result3 = d.feed(.char(0x65E5))
        #expect(result3 == [.character("日")])
        let result4 = d.feed(.char(0x1F44D))
        #expect(result4 == [.character("👍")])
        #expect(!d.isPending)
    }

    @Test func theWheelPassesEvenInTheMiddleOfASequence() {
        var d = KeyDecoder()
        #expect(d.feed(.wheel(up: true, column: 7)) == [.wheel(up: true, column: 7)])
        _ = d.feed(.char(0x1B))
        _ = d.feed(.char(0x5B))
        #expect(d.feed(.wheel(up: false, column: 90)) == [.wheel(up: false, column: 90)])
        #expect(d.isPending, "the sequence it interrupted is still being read")
        #expect(d.feed(.char(0x41)) == [.up])
    }

    @Test func controlCharacters() {
        var d = KeyDecoder()
        let result5 = d.feed(.char(0x01))
        #expect(result5 == [.ctrl("a")])
        let result6 = d.feed(.char(0x17))
        #expect(result6 == [.ctrl("w")])
        let result7 = d.feed(.char(0x0D))
        #expect(result7 == [.enter])
        let result8 = d.feed(.char(0x0A))
        #expect(result8 == [.enter])
        let result9 = d.feed(.char(0x09))
        #expect(result9 == [.tab])
        let result10 = d.feed(.char(0x7F))
        #expect(result10 == [.backspace])
        let result11 = d.feed(.char(0x08))
        #expect(result11 == [.backspace])
        let result12 = d.feed(.char(0x00))
        #expect(result12 == [.ctrl("@")])
        let result13 = d.feed(.char(0x1F))
        #expect(result13 == [.ctrl("_")])
        let result14 = d.feed(.char(0x9B))
        #expect(result14 == [])
    }

    @Test func ncursesFunctionKeys() {
        var d = KeyDecoder()
        let result15 = d.feed(.function(0o403))
        #expect(result15 == [.up])
        let result16 = d.feed(.function(0o402))
        #expect(result16 == [.down])
        let result17 = d.feed(.function(0o404))
        #expect(result17 == [.left])
        let result18 = d.feed(.function(0o405))
        #expect(result18 == [.right])
        let result19 = d.feed(.function(0o406))
        #expect(result19 == [.home])
        let result20 = d.feed(.function(0o550))
        #expect(result20 == [.end])
        let result21 = d.feed(.function(0o407))
        #expect(result21 == [.backspace])
        let result22 = d.feed(.function(0o512))
        #expect(result22 == [.delete])
        let result23 = d.feed(.function(0o522))
        #expect(result23 == [.pageDown])
        let result24 = d.feed(.function(0o523))
        #expect(result24 == [.pageUp])
        let result25 = d.feed(.function(0o527))
        #expect(result25 == [.enter])
        let result26 = d.feed(.function(0o632))
        #expect(result26 == [.resize])
        let result27 = d.feed(.function(0o411))
        #expect(result27 == [.function(1)])
        let result28 = d.feed(.function(0o410 + 12))
        #expect(result28 == [.function(12)])
        let result29 = d.feed(.function(0o777))
        #expect(result29 == [])
    }

    @Test func constantsMatchNcurses() {
        #expect(NCursesKeyCode.up == 259)
        #expect(NCursesKeyCode.down == 258)
        #expect(NCursesKeyCode.f0 == 264)
        #expect(NCursesKeyCode.deleteCharacter == 330)
        #expect(NCursesKeyCode.end == 360)
        #expect(NCursesKeyCode.resize == 410)
    }

    @Test func escapeThenCharacterIsAlt() {
        var d = KeyDecoder()
        let result30 = d.feed(.char(0x1B))
        #expect(result30 == [])
        #expect(d.isPending)
        let result31 = d.feed(.char(0x78))
        #expect(result31 == [.alt("x")])
        #expect(!d.isPending)
        let result32 = d.feed(chars("\u{1B}2"))
        #expect(result32 == [.alt("2")])
        let result33 = d.feed(chars("\u{1B}\u{7F}"))
        #expect(result33 == [.withAlt(.backspace)])
        let result34 = d.feed([.char(0x1B), .function(0o404)])
        #expect(result34 == [.withAlt(.left)])
    }

    @Test func loneEscapeIsFlushedByTimeout() {
        var d = KeyDecoder()
        let result35 = d.feed(.char(0x1B))
        #expect(result35 == [])
        let result36 = d.timeout()
        #expect(result36 == [.escape])
        #expect(!d.isPending)
        let result37 = d.timeout()
        #expect(result37 == [])
        let result38 = d.feed(chars("\u{1B}\u{1B}"))
        #expect(result38 == [.escape])
        let result39 = d.timeout()
        #expect(result39 == [.escape])
    }

    @Test func rawCSISequences() {
        var d = KeyDecoder()
        let result40 = d.feed(chars("\u{1B}[A"))
        #expect(result40 == [.up])
        let result41 = d.feed(chars("\u{1B}[B\u{1B}[C\u{1B}[D"))
        #expect(result41 == [.down, .right, .left])
        let result42 = d.feed(chars("\u{1B}[H\u{1B}[F"))
        #expect(result42 == [.home, .end])
        let result43 = d.feed(chars("\u{1B}[1~\u{1B}[4~"))
        #expect(result43 == [.home, .end])
        let result44 = d.feed(chars("\u{1B}[5~\u{1B}[6~\u{1B}[3~"))
        #expect(result44 == [.pageUp, .pageDown, .delete])
        let result45 = d.feed(chars("\u{1B}[15~\u{1B}[24~"))
        #expect(result45 == [.function(5), .function(12)])
        let result46 = d.feed(chars("\u{1B}[1;3D\u{1B}[1;3C"))
        #expect(result46 == [.withAlt(.left), .withAlt(.right)])
        let result47 = d.feed(chars("\u{1B}[1;5H"))
        #expect(result47 == [.withCtrl(.home)])
        let result48 = d.feed(chars("\u{1B}[Z"))
        #expect(result48 == [.backTab])
        let result49 = d.feed(chars("\u{1B}[99x"))
        #expect(result49 == [])
        #expect(!d.isPending)
    }

    @Test func ss3Sequences() {
        var d = KeyDecoder()
        let result50 = d.feed(chars("\u{1B}OA\u{1B}OH\u{1B}OF\u{1B}OP"))
        #expect(result50 == [.up, .home, .end, .function(1)])
    }

    @Test func sequenceSplitAcrossFeeds() {
        var d = KeyDecoder()
        let result51 = d.feed(.char(0x1B))
        #expect(result51 == [])
        let result52 = d.feed(.char(0x5B))
        #expect(result52 == [])
        let result53 = d.feed(.char(0x35))
        #expect(result53 == [])
        let result54 = d.feed(.char(0x7E))
        #expect(result54 == [.pageUp])
    }

    @Test func incompleteCSIOnTimeoutIsAltBracket() {
        var d = KeyDecoder()
        let result55 = d.feed(chars("\u{1B}["))
        #expect(result55 == [])
        let result56 = d.timeout()
        #expect(result56 == [.alt("[")])
    }

    @Test func bracketedPasteBecomesOnePasteKey() {
        var d = KeyDecoder()
        let keys = d.feed(chars("\u{1B}[200~hello\r\nworld\rbye\n\u{1B}[201~"))
        #expect(keys == [.paste("hello\nworld\nbye\n")])
        #expect(!d.isPending)
    }

    @Test func bracketedPasteSplitAcrossInputs() {
        var d = KeyDecoder()
        var keys: [Key] = []
        for input in chars("x\u{1B}[200~line one\r\nline two\u{1B}[201~y") {
            keys += d.feed(input)
        }
        #expect(keys == [.character("x"), .paste("line one\nline two"), .character("y")])
    }

    @Test func pasteKeepsControlFreeTextAndFalseEndMarkers() {
        var d = KeyDecoder()
        let keys = d.feed(chars("\u{1B}[200~a\u{1B}[2Jb\u{1B}[20x\u{07}c\u{1B}[201~"))
        #expect(keys == [.paste("a[2Jb[20xc")])
    }

    @Test func pasteIsNotFlushedByAShortTimeout() {
        var d = KeyDecoder()
        d.pasteTimeoutLimit = 3
        let result57 = d.feed(chars("\u{1B}[200~abc"))
        #expect(result57 == [])
        let result58 = d.timeout()
        #expect(result58 == [])
        let result59 = d.timeout()
        #expect(result59 == [])
        #expect(d.isPending)
        let result60 = d.timeout()
        #expect(result60 == [.paste("abc")])
        #expect(!d.isPending)
    }

    @Test func pasteWithKeyEnterFunctionCode() {
        var d = KeyDecoder()
        var keys = d.feed(chars("\u{1B}[200~a"))
        keys += d.feed(.function(0o527))
        keys += d.feed(chars("b\u{1B}[201~"))
        #expect(keys == [.paste("a\nb")])
    }

    @Test func registeredExtendedCodes() {
        var d = KeyDecoder()
        d.register(code: 545, as: .withAlt(.left))
        let result61 = d.feed(.function(545))
        #expect(result61 == [.withAlt(.left)])
        #expect(NCursesKeyCode.extendedSequences.contains { $0.sequence == "\u{1B}[1;3D" && $0.key == .withAlt(.left) })
    }
}
