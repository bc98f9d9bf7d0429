/// The sequence of alternative nicks tried when the server rejects ours during registration.
///
/// `nick_`, `nick__`, `nick___`, then `nick1`, `nick2`, …; every candidate is cut to fit `NICKLEN`
/// (by shortening the base). For `432 ERR_ERRONEUSNICKNAME` the base is first cleaned of characters
/// servers reject. After ``maximumAttempts`` candidates it gives up.
struct NickFallback: Sendable, Hashable {
    static let maximumAttempts = 10
    static let underscoreAttempts = 3

    private(set) var base: String
    private(set) var attempts = 0
    var nickLength: Int?

    init(base: String, nickLength: Int?) {
        self.base = base.isEmpty ? "chatty" : base
        self.nickLength = nickLength
    }

    /// The next nick to try, or `nil` when the attempts are used up.
    /// - Parameter erroneous: The server said the nick is invalid (`432`), not taken.
    mutating func next(rejected: String, erroneous: Bool) -> String? {
        guard attempts < Self.maximumAttempts else { return nil }
        attempts += 1
        if erroneous {
            let cleaned = Self.sanitize(base)
            if cleaned != base {
                base = cleaned
                let candidate = fit(base, suffix: "")
                if candidate != rejected { return candidate }
            }
            if nickLength == nil, base.utf8.count > 9 {
                // Unknown NICKLEN: fall back to the RFC 1459 limit.
                nickLength = 9
                let candidate = fit(base, suffix: "")
                if candidate != rejected { return candidate }
            }
        }
        var step = attempts
        while true {
            let suffix = step <= Self.underscoreAttempts
                ? String(repeating: "_", count: step)
                : String(step - Self.underscoreAttempts)
            let candidate = fit(base, suffix: suffix)
            if candidate != rejected { return candidate }
            step += 1
        }
    }

    /// `base` shortened so that `base + suffix` fits in `nickLength` bytes.
    func fit(_ base: String, suffix: String) -> String {
        guard let nickLength else { return base + suffix }
        var head = Substring(base)
        while !head.isEmpty, head.utf8.count + suffix.utf8.count > nickLength {
            head = head.dropLast()
        }
        return String(head) + suffix
    }

    /// Keeps the characters RFC 2812 allows in nicks; a leading digit or `-` is dropped.
    static func sanitize(_ nick: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in nick.unicodeScalars {
            switch scalar {
            case "a"..."z", "A"..."Z", "[", "]", "\\", "`", "_", "^", "{", "|", "}":
                scalars.append(scalar)
            case "0"..."9", "-":
                if !scalars.isEmpty { scalars.append(scalar) }
            default:
                continue
            }
        }
        return scalars.isEmpty ? "chatty" : String(scalars)
    }
}
