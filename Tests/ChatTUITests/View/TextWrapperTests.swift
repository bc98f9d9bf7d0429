import Testing
@testable import ChatTUI

@Suite struct TextWrapperTests {
    @Test func breaksAtSpaces() {
        #expect(TextWrapper.wrap("hello world foo", width: 11) == ["hello world", "foo"])
        #expect(TextWrapper.wrap("hello world", width: 20) == ["hello world"])
        #expect(TextWrapper.wrap("aa bb cc", width: 5) == ["aa bb", "cc"])
    }

    @Test func emptyTextIsOneEmptyRow() {
        #expect(TextWrapper.wrap("", width: 10) == [""])
        #expect(TextWrapper.wrap([], width: 10, indent: 2) == [[]])
    }

    @Test func continuationRowsHangByIndent() {
        #expect(TextWrapper.wrap("aaa bbb ccc ddd", width: 8, indent: 2) == ["aaa bbb", "  ccc", "  ddd"])
        #expect(TextWrapper.wrap("one two three four", width: 9, indent: 4) == ["one two", "    three", "    four"])
    }

    @Test func spacesAtTheBreakAreDropped() {
        #expect(TextWrapper.wrap("abc     def", width: 4) == ["abc", "def"])
        #expect(TextWrapper.wrap("  indented", width: 20) == ["  indented"])
    }

    @Test func longWordsAreHardBroken() {
        #expect(TextWrapper.wrap("abcdefghij", width: 4) == ["abcd", "efgh", "ij"])
        #expect(TextWrapper.wrap("x abcdefghij", width: 4, indent: 1) == ["x ab", " cde", " fgh", " ij"])
    }

    @Test func wideCharactersAreNeverSplit() {
        #expect(TextWrapper.wrap("日本語テキスト", width: 5) == ["日本", "語テ", "キス", "ト"])
        #expect(TextWrapper.wrap("a日本", width: 2) == ["a", "日", "本"])
    }

    @Test func emojiAndCombiningClustersStayWhole() {
        #expect(TextWrapper.wrap("👍🏽👩‍💻🇯🇵", width: 3) == ["👍🏽", "👩‍💻", "🇯🇵"])
        let combining = String(repeating: "e\u{301}", count: 5)
        #expect(TextWrapper.wrap(combining, width: 2) == ["e\u{301}e\u{301}", "e\u{301}e\u{301}", "e\u{301}"])
    }

    @Test func wideCharacterWiderThanTheRowIsReplacedByBlankCells() {
        // The pad is a trailing space, which rows never keep.
        #expect(TextWrapper.wrap("日", width: 1) == [""])
        #expect(TextWrapper.wrap("a日b", width: 1) == ["a", "", "b"])
    }

    @Test func stylesSurviveBreaks() {
        let bold = TextStyle(bold: true)
        let rows = TextWrapper.wrap([StyledSpan(text: "bold text", style: bold), StyledSpan(" plain")], width: 5)
        #expect(rows == [
            [StyledSpan(text: "bold", style: bold)],
            [StyledSpan(text: "text", style: bold)],
            [StyledSpan(text: "plain", style: .plain)],
        ])
    }

    @Test func rowsNeverExceedTheWidth() {
        let samples = [
            "The quick brown fox jumps over the lazy dog",
            "日本語のテキストと English words mixed 한국어 텍스트",
            "👍🏽👍🏽 👩‍💻 flags 🇯🇵🇫🇷🇩🇪 and e\u{301}e\u{301} combining",
            "https://example.com/a/very/long/url/that/does/not/have/any/spaces/at/all",
            "a  b   c    d",
        ]
        for text in samples {
            for width in 1...16 {
                for indent in [0, 1, 3, 8] {
                    let rows = TextWrapper.wrap(text, width: width, indent: indent)
                    for row in rows {
                        #expect(row.displayWidth <= width, "\(text) w=\(width) i=\(indent): \(row)")
                    }
                    let kept = rows.joined().filter { $0 != " " }
                    if width - min(indent, width - 1) >= 2 {
                        #expect(kept == text.filter { $0 != " " }, "lost text at width \(width)")
                    }
                }
            }
        }
    }
}
