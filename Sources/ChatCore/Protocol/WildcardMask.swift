/// An IRC mask with `*` (any run of characters) and `?` (any one character), as `WHO`, bans and
/// `MONITOR`-style lists use them. Matching folds case with the server's case mapping.
public struct WildcardMask: Sendable, Hashable {
    /// The mask as it was given.
    public let pattern: String
    private let folded: [UInt8]

    public init(_ pattern: String) {
        self.pattern = pattern
        self.folded = Array(CaseMapping.fold(pattern).utf8)
    }

    /// Whether the mask has a wildcard at all (else it names one thing exactly).
    public var hasWildcards: Bool {
        folded.contains(UInt8(ascii: "*")) || folded.contains(UInt8(ascii: "?"))
    }

    public func matches(_ text: String) -> Bool {
        let subject = Array(CaseMapping.fold(text).utf8)
        // Iterative glob matching with backtracking to the last `*` (linear in practice).
        var p = 0, s = 0
        var star: Int?
        var resume = 0
        while s < subject.count {
            if p < folded.count, folded[p] == UInt8(ascii: "*") {
                star = p
                p += 1
                resume = s
            } else if p < folded.count, folded[p] == UInt8(ascii: "?") || folded[p] == subject[s] {
                if folded[p] == UInt8(ascii: "?") {
                    // `?` is one character, not one byte: skip a whole UTF-8 sequence.
                    s += Self.sequenceLength(subject[s])
                } else {
                    s += 1
                }
                p += 1
            } else if let starAt = star {
                p = starAt + 1
                resume += 1
                s = resume
            } else {
                return false
            }
        }
        while p < folded.count, folded[p] == UInt8(ascii: "*") { p += 1 }
        return p == folded.count
    }

    /// Completes a ban-style mask: `nick` → `nick!*@*`, `user@host` → `*!user@host`.
    public static func normalizedBanMask(_ mask: String) -> String {
        let hasBang = mask.contains("!")
        let hasAt = mask.contains("@")
        switch (hasBang, hasAt) {
        case (true, true): return mask
        case (true, false): return mask + "@*"
        case (false, true): return "*!" + mask
        case (false, false): return mask + "!*@*"
        }
    }

    private static func sequenceLength(_ lead: UInt8) -> Int {
        switch lead {
        case 0xF0...: 4
        case 0xE0...: 3
        case 0xC0...: 2
        default: 1
        }
    }
}
