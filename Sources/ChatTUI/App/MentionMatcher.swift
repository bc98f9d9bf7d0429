/// Whether a line mentions the user: their nick or one of their highlight words as a whole word,
/// case-insensitively (`Bob:` and `hi bob!` mention bob; `bobby`, `kebob` and `[bob]` do not, as
/// brackets are nick characters).
///
/// Built once whenever the nick or the words change, because every incoming line is matched: for
/// ASCII text (nearly every line) it compares bytes in place and allocates nothing; other text is
/// lowercased once per line and compared scalar by scalar.
struct MentionMatcher: Sendable, Equatable {
    /// The lowercased words as scalars (empty words dropped).
    private let words: [[Unicode.Scalar]]
    /// The same words as ASCII bytes, when every word is ASCII.
    private let asciiWords: [[UInt8]]?

    init(_ words: [String]) {
        let lowered = words.filter { !$0.isEmpty }.map { Array($0.lowercased().unicodeScalars) }
        self.words = lowered
        asciiWords = lowered.allSatisfy { $0.allSatisfy(\.isASCII) }
            ? lowered.map { $0.map { UInt8($0.value) } }
            : nil
    }

    /// Whether `text` contains one of the words as a whole word.
    func matches(_ text: String) -> Bool {
        guard !words.isEmpty else { return false }
        if let asciiWords {
            let asciiResult: Bool?? = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool? in
                guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
                return asciiWords.contains { Self.containsWord($0, in: bytes, lowercase: Self.asciiLowercase,
                                                               isWordCharacter: Self.isASCIIWordCharacter) }
            }
            if let asciiResult, let result = asciiResult { return result }
        }
        let lowered = Array(text.lowercased().unicodeScalars)
        return words.contains { Self.containsWord($0, in: lowered, lowercase: { $0 },
                                                  isWordCharacter: Self.isWordCharacter) }
    }

    /// Whether `word` (lowercased) occurs in `text` with no word character on either side.
    private static func containsWord<Text: RandomAccessCollection>(
        _ word: [Text.Element], in text: Text, lowercase: (Text.Element) -> Text.Element,
        isWordCharacter: (Text.Element) -> Bool
    ) -> Bool where Text.Element: Equatable, Text.Index == Int {
        let count = word.count
        guard count > 0, text.count >= count else { return false }
        var start = text.startIndex
        let lastStart = text.endIndex - count
        while start <= lastStart {
            var offset = 0
            while offset < count, lowercase(text[start + offset]) == word[offset] { offset += 1 }
            if offset == count,
               start == text.startIndex || !isWordCharacter(text[start - 1]),
               start + count == text.endIndex || !isWordCharacter(text[start + count]) {
                return true
            }
            start += 1
        }
        return false
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }

    private static func isASCIIWordCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true  // digits and letters
        case UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"),
             UInt8(ascii: "`"), UInt8(ascii: "^"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "|"): true
        default: false
        }
    }

    /// Letters of any script, digits and the characters IRC allows in nicks.
    private static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII { return isASCIIWordCharacter(UInt8(scalar.value)) }
        return scalar.properties.isAlphabetic
    }
}
