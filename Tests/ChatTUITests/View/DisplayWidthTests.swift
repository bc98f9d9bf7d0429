import Testing
@testable import ChatTUI

@Suite struct DisplayWidthTests {
    @Test func asciiIsOneCellEach() {
        #expect(Character("a").displayWidth == 1)
        #expect("hello, world".displayWidth == 12)
        #expect(Character(" ").displayWidth == 1)
    }

    @Test func controlCharactersAreZeroWidth() {
        #expect(Character("\u{07}").displayWidth == 0)
        #expect(Character("\u{1B}").displayWidth == 0)
        #expect(Character("\u{9B}").displayWidth == 0)
    }

    @Test func eastAsianWideAndFullwidthAreTwoCells() {
        #expect(Character("日").displayWidth == 2)
        #expect("日本語".displayWidth == 6)
        #expect(Character("한").displayWidth == 2)
        #expect(Character("か").displayWidth == 2)
        #expect(Character("カ").displayWidth == 2)
        #expect(Character("Ａ").displayWidth == 2)       // U+FF21 fullwidth A
        #expect(Character("　").displayWidth == 2)       // U+3000 ideographic space
        #expect(Character("ｶ").displayWidth == 1)        // U+FF76 halfwidth katakana
    }

    @Test func emojiClustersAreTwoCells() {
        #expect(Character("👍").displayWidth == 2)
        #expect(Character("👍🏽").displayWidth == 2)
        #expect(Character("👩‍💻").displayWidth == 2)
        #expect(Character("👨‍👩‍👧‍👦").displayWidth == 2)
        #expect(Character("🇯🇵").displayWidth == 2)
        #expect(Character("❤️").displayWidth == 2)        // U+2764 + VS16
        #expect(Character("⌚").displayWidth == 2)
        #expect(Character("⚡").displayWidth == 2)
        #expect(Character("🏳️‍🌈").displayWidth == 2)
        #expect("👍🏽👩‍💻🇯🇵".displayWidth == 6)
    }

    @Test func textPresentationSymbolsAreOneCell() {
        #expect(Character("☺").displayWidth == 1)      // U+263A without VS16
        #expect(Character("→").displayWidth == 1)
        #expect(Character("│").displayWidth == 1)
    }

    @Test func combiningSequencesTakeTheBaseWidth() {
        #expect(Character("\u{E9}").displayWidth == 1)          // é precomposed
        #expect(Character("e\u{301}").displayWidth == 1)        // e + combining acute
        #expect("e\u{301}e\u{301}".displayWidth == 2)
        #expect(Character("\u{301}").displayWidth == 0)         // lone combining mark
        #expect(Character("\u{200B}").displayWidth == 0)        // zero width space
        #expect(Character("\u{FE0F}").displayWidth == 0)
        #expect(Character("\u{1100}\u{1161}\u{11A8}").displayWidth == 2) // conjoining jamo 각
    }

    @Test func zeroWidthJoinerAfterTextDoesNotWiden() {
        #expect(Character("a\u{200D}").displayWidth == 1)
    }

    @Test func prefixFittingWidthPadsASplitWideCharacter() {
        #expect("abcdef".prefix(fittingWidth: 3) == "abc")
        #expect("日本語".prefix(fittingWidth: 3) == "日 ")
        #expect("日本語".prefix(fittingWidth: 4) == "日本")
        #expect("日本語".prefix(fittingWidth: 10) == "日本語")
        #expect("abc".prefix(fittingWidth: 0) == "")
        #expect("e\u{301}x".prefix(fittingWidth: 1) == "e\u{301}")
        #expect("👍🏽a".prefix(fittingWidth: 1) == " ")
    }

    @Test func suffixFittingWidthPadsASplitWideCharacter() {
        #expect("abcdef".suffix(fittingWidth: 2) == "ef")
        #expect("日本語".suffix(fittingWidth: 3) == " 語")
        #expect("日本語".suffix(fittingWidth: 4) == "本語")
        #expect("ab".suffix(fittingWidth: 5) == "ab")
    }

    @Test func truncationAndPadding() {
        #expect("alexander".truncated(toWidth: 5) == "alex…", "not '+', which reads as voice")
        #expect("alex".truncated(toWidth: 5) == "alex")
        #expect("日本語".truncated(toWidth: 4) == "日 …")
        #expect("bob".padded(toWidth: 6, alignment: .right) == "   bob")
        #expect("bob".padded(toWidth: 6) == "bob   ")
        #expect("bob".padded(toWidth: 7, alignment: .center) == "  bob  ")
        #expect("日本".padded(toWidth: 5, alignment: .right) == " 日本")
    }
}
