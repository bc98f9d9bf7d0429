import Testing
@testable import ChatCore

@Suite struct MessageSplitterTests: ClientTestCase {
    @Test func shortTextIsOnePiece() {
        #expect(MessageSplitter.split("hello world", maxBytes: 400) == ["hello world"])
    }

    @Test func linesBecomeMessagesAndEmptyLinesAreSkipped() {
        #expect(MessageSplitter.split("one\n\ntwo\r\nthree\n", maxBytes: 400) == ["one", "two", "three"])
        #expect(MessageSplitter.split("\n\n", maxBytes: 400) == [])
    }

    @Test func prefersSpaces() {
        #expect(MessageSplitter.split("aaaa bbbb cccc dddd", maxBytes: 10) == ["aaaa bbbb", "cccc dddd"])
        // The space exactly at the limit is dropped.
        #expect(MessageSplitter.split("aaaaaaaaaa bbb", maxBytes: 10) == ["aaaaaaaaaa", "bbb"])
    }

    @Test func hardCutWhenNoUsefulSpace() {
        #expect(MessageSplitter.split("a bbbbbbbbbbbbbb", maxBytes: 8) == ["a bbbbbb", "bbbbbbbb"])
    }

    @Test func multibyteNeverExceedsTheBoundOrSplitsACharacter() {
        let text = String(repeating: "é🙂中", count: 50)  // 2 + 4 + 3 bytes per group
        for limit in [4, 5, 7, 9, 10, 100] {
            let pieces = MessageSplitter.split(text, maxBytes: limit)
            #expect(pieces.allSatisfy { $0.utf8.count <= limit })
            #expect(pieces.joined() == text)
        }
        #expect(MessageSplitter.split(text, maxBytes: 10).first == "é🙂中")
    }

    @Test func keepsGraphemeClustersTogether() {
        let family = "👨‍👩‍👧"  // 18 bytes, one grapheme cluster
        let flag = "🇩🇪"  // 8 bytes
        let text = String(repeating: family + flag, count: 20)
        let pieces = MessageSplitter.split(text, maxBytes: 50)
        #expect(pieces.allSatisfy { $0.utf8.count <= 50 })
        #expect(pieces.joined() == text)
        #expect(pieces.first == family + flag + family)
        for piece in pieces {
            #expect(piece.allSatisfy { $0 == Character(family) || $0 == Character(flag) })
        }
    }

    @Test func oversizedClusterIsCutAtScalarBoundaries() {
        let zalgo = "e" + String(repeating: "\u{301}", count: 10)  // one cluster, 1 + 20 bytes
        let pieces = MessageSplitter.split(zalgo, maxBytes: 8)
        #expect(pieces.allSatisfy { $0.utf8.count <= 8 })
        #expect(pieces.joined() == zalgo)
        #expect(pieces.count == 3)
    }
}

@Suite struct ConcatenableSplitTests {
    @Test func piecesJoinBackExactlyAndKeepTheirSpaces() {
        let line = (0..<60).map { "word\($0)" }.joined(separator: " ")
        let pieces = MessageSplitter.concatenable(line, maxBytes: 50)
        #expect(pieces.joined() == line, "nothing dropped")
        #expect(pieces.allSatisfy { $0.utf8.count <= 50 })
        #expect(pieces.dropLast().allSatisfy { $0.hasSuffix(" ") }, "cut after a space, which stays")
        #expect(MessageSplitter.concatenable("short", maxBytes: 50) == ["short"])
        let unbroken = String(repeating: "é", count: 40)
        #expect(MessageSplitter.concatenable(unbroken, maxBytes: 11).joined() == unbroken)
    }
}
