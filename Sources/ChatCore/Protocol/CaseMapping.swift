/// How a server compares nicks and channel names (ISUPPORT `CASEMAPPING`).
public enum CaseMapping: Sendable, Hashable {
    /// Only `A-Z` fold to `a-z`.
    case ascii
    /// `A-Z[]\~` fold to `a-z{}|^` (the RFC 1459 default).
    case rfc1459
    /// `A-Z[]\` fold to `a-z{}|`.
    case strictRFC1459

    init(token: String) {
        switch token.lowercased() {
        case "ascii", "rfc7613": self = .ascii
        case "strict-rfc1459": self = .strictRFC1459
        default: self = .rfc1459
        }
    }

    /// The folded (lower-case) form used as a dictionary key. A name with nothing to fold is
    /// returned as it is, without a copy (the common case on the server's per-message path).
    public func fold(_ name: String) -> String {
        guard name.utf8.contains(where: { needsFolding($0) }) else { return name }
        var bytes = Array(name.utf8)
        var changed = false
        for index in bytes.indices {
            let byte = bytes[index]
            let folded: UInt8
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): folded = byte + 32
            case UInt8(ascii: "[") where self != .ascii, UInt8(ascii: "]") where self != .ascii,
                UInt8(ascii: "\\") where self != .ascii:
                folded = byte + 32
            case UInt8(ascii: "~") where self == .rfc1459: folded = UInt8(ascii: "^")
            default: folded = byte
            }
            if folded != byte {
                bytes[index] = folded
                changed = true
            }
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : name
    }

    private func needsFolding(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        case UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "\\"): self != .ascii
        case UInt8(ascii: "~"): self == .rfc1459
        default: false
        }
    }

    /// Folds under `CASEMAPPING=ascii`, the mapping Chatty's server announces: only `A`–`Z` fold
    /// to `a`–`z`. The folded form is the key of every nick and channel index of the server.
    public static func fold(_ name: String) -> String {
        CaseMapping.ascii.fold(name)
    }
}
