import Testing
@testable import ChatTUI

@Suite struct TerminalSanitizerTests {
    private let reverse = TextStyle(reverse: true)

    @Test func escapeSequenceBecomesVisibleCaretNotation() {
        let spans = TerminalSanitizer.sanitize("\u{1B}[2J")
        #expect(spans == [StyledSpan(text: "^[", style: reverse), StyledSpan(text: "[2J", style: .plain)])
        #expect(spans.plainText == "^[[2J")
    }

    @Test func bellAndDeleteAreShownNotPassed() {
        #expect(TerminalSanitizer.sanitize("a\u{07}b").plainText == "a^Gb")
        #expect(TerminalSanitizer.sanitize("a\u{7F}b").plainText == "a^?b")
        #expect(TerminalSanitizer.sanitize("\u{00}").plainText == "^@")
        #expect(TerminalSanitizer.sanitize("x\ry\nz").plainText == "x^My^Jz")
    }

    @Test func c1ControlsAreShownInHex() {
        let spans = TerminalSanitizer.sanitize("\u{9B}31mred")
        #expect(spans == [StyledSpan(text: "<9B>", style: reverse), StyledSpan(text: "31mred", style: .plain)])
        #expect(TerminalSanitizer.sanitize("\u{85}").plainText == "<85>")
    }

    @Test func bidiOverridesAndIsolatesAreRemoved() {
        #expect(TerminalSanitizer.sanitize("abc\u{202E}fed\u{202C}").plainText == "abcfed")
        #expect(TerminalSanitizer.sanitize("\u{2066}x\u{2067}y\u{2068}z\u{2069}").plainText == "xyz")
        #expect(TerminalSanitizer.sanitize("\u{202A}\u{202B}\u{202D}ok").plainText == "ok")
    }

    @Test func noControlScalarEverSurvives() {
        for value in UInt32(0)..<0xA0 {
            let input = "a" + String(Character(Unicode.Scalar(value)!)) + "1,2b"
            for scalar in TerminalSanitizer.sanitize(input).plainText.unicodeScalars {
                #expect(scalar.value >= 0x20 && !(0x7F...0x9F).contains(scalar.value), "leaked \(value)")
            }
        }
    }

    @Test func tabsBecomeSpaces() {
        #expect(TerminalSanitizer.sanitize("a\tb").plainText == "a b")
    }

    @Test func boldItalicUnderlineReverseToggle() {
        let spans = TerminalSanitizer.sanitize("\u{02}bold\u{02} \u{1D}it\u{1D}\u{1F}u\u{1F}\u{16}r")
        #expect(spans == [
            StyledSpan(text: "bold", style: TextStyle(bold: true)),
            StyledSpan(text: " ", style: .plain),
            StyledSpan(text: "it", style: TextStyle(italic: true)),
            StyledSpan(text: "u", style: TextStyle(underline: true)),
            StyledSpan(text: "r", style: TextStyle(reverse: true)),
        ])
    }

    @Test func colourCodesMapToTerminalColours() {
        let spans = TerminalSanitizer.sanitize("\u{03}4,2red on blue\u{03} plain")
        #expect(spans == [
            StyledSpan(text: "red on blue", style: TextStyle(foreground: .brightRed, background: .blue)),
            StyledSpan(text: " plain", style: .plain),
        ])
    }

    @Test func colourConsumesAtMostTwoDigits() {
        #expect(TerminalSanitizer.sanitize("\u{03}04x") == [StyledSpan(text: "x", style: TextStyle(foreground: .brightRed))])
        #expect(TerminalSanitizer.sanitize("\u{03}123") == [StyledSpan(text: "3", style: TextStyle(foreground: .brightBlue))])
        #expect(TerminalSanitizer.sanitize("\u{03}3,") == [StyledSpan(text: ",", style: TextStyle(foreground: .green))])
        #expect(TerminalSanitizer.sanitize("\u{03},5x") == [StyledSpan(text: ",5x", style: .plain)])
    }

    @Test func colour99AndExtendedColoursFallBack() {
        #expect(TerminalSanitizer.sanitize("\u{03}99x") == [StyledSpan(text: "x", style: .plain)])
        #expect(TerminalSanitizer.sanitize("\u{03}3a\u{03}50b") == [
            StyledSpan(text: "ab", style: TextStyle(foreground: .green)),
        ])
    }

    @Test func hexColourDigitsAreConsumedAndIgnored() {
        #expect(TerminalSanitizer.sanitize("\u{04}FF0000red") == [StyledSpan(text: "red", style: .plain)])
        #expect(TerminalSanitizer.sanitize("\u{04}ff0000,00FF00x") == [StyledSpan(text: "x", style: .plain)])
        #expect(TerminalSanitizer.sanitize("\u{04}zz") == [StyledSpan(text: "zz", style: .plain)])
    }

    @Test func resetReturnsToTheBaseStyle() {
        let base = TextStyle(dim: true)
        let spans = TerminalSanitizer.sanitize("a\u{02}\u{03}4b\u{0F}c", base: base)
        #expect(spans == [
            StyledSpan(text: "a", style: base),
            StyledSpan(text: "b", style: TextStyle(bold: true, dim: true, foreground: .brightRed)),
            StyledSpan(text: "c", style: base),
        ])
    }

    @Test func monospaceAndStrikethroughAreIgnored() {
        #expect(TerminalSanitizer.sanitize("\u{11}a\u{1E}b") == [StyledSpan(text: "ab", style: .plain)])
    }

    @Test func plainStripsFormattingButKeepsControlsVisible() {
        #expect(TerminalSanitizer.plain("\u{02}\u{03}4,1hi\u{0F} there") == "hi there")
        #expect(TerminalSanitizer.plain("bell\u{07}") == "bell^G")
        #expect(TerminalSanitizer.plain("\u{202E}evil") == "evil")
        #expect(TerminalSanitizer.plain("ordinary 日本") == "ordinary 日本")
    }

    @Test func unicodeTextPassesThrough() {
        #expect(TerminalSanitizer.sanitize("héllo 👩‍💻 e\u{301}") == [StyledSpan(text: "héllo 👩‍💻 e\u{301}", style: .plain)])
    }
}
