extension Timestamp {
    /// The instant `milliseconds` later (earlier for a negative value).
    func offset(byMilliseconds milliseconds: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: millisecondsSinceEpoch &+ milliseconds)
    }

    /// The instant `duration` later.
    func offset(by duration: Duration) -> Timestamp {
        offset(byMilliseconds: duration.clientMilliseconds)
    }

    /// Milliseconds from `other` to `self` (negative when `other` is later).
    func milliseconds(since other: Timestamp) -> Int64 {
        millisecondsSinceEpoch &- other.millisecondsSinceEpoch
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded toward zero.
    var clientMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000
    }
}

/// Reading the IRCv3 `server-time` format (`2026-11-25T10:11:12.345Z`) without Foundation.
/// (``Timestamp/iso8601`` writes it.)
public enum ServerTime {
    /// Parses an ISO-8601 / RFC 3339 timestamp `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM|±HHMM)`.
    ///
    /// A lower-case `t`/`z` or a space instead of `T` are accepted. Fractions finer than milliseconds are
    /// truncated. A leap second (`:60`) is folded onto the following second.
    /// - Returns: `nil` for anything malformed or out of range.
    public static func parse(_ text: String) -> Timestamp? {
        var reader = Reader(bytes: Array(text.utf8))
        guard let year = reader.digits(4), reader.expect(UInt8(ascii: "-")),
              let month = reader.digits(2), reader.expect(UInt8(ascii: "-")),
              let day = reader.digits(2),
              reader.expectAny([UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")]),
              let hour = reader.digits(2), reader.expect(UInt8(ascii: ":")),
              let minute = reader.digits(2), reader.expect(UInt8(ascii: ":")),
              let second = reader.digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month),
              hour <= 23, minute <= 59, second <= 60
        else { return nil }

        var millis: Int64 = 0
        if reader.expect(UInt8(ascii: ".")) || reader.expect(UInt8(ascii: ",")) {
            var count = 0
            while let digit = reader.digit() {
                if count < 3 { millis = millis * 10 + Int64(digit) }
                count += 1
            }
            guard count > 0 else { return nil }
            for _ in min(count, 3)..<3 { millis *= 10 }
        }

        var offsetMinutes: Int64 = 0
        if reader.expectAny([UInt8(ascii: "Z"), UInt8(ascii: "z")]) {
            offsetMinutes = 0
        } else if let sign = reader.next(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            guard let offsetHours = reader.digits(2) else { return nil }
            _ = reader.expect(UInt8(ascii: ":"))
            guard let offsetMins = reader.digits(2), offsetHours <= 23, offsetMins <= 59 else { return nil }
            offsetMinutes = (offsetHours * 60 + offsetMins) * (sign == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        guard reader.atEnd else { return nil }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return Timestamp(millisecondsSinceEpoch: seconds * 1000 + millis)
    }

    static func isLeapYear(_ year: Int64) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func next() -> UInt8? {
            guard index < bytes.count else { return nil }
            defer { index += 1 }
            return bytes[index]
        }

        mutating func digit() -> Int64? {
            guard index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") else {
                return nil
            }
            defer { index += 1 }
            return Int64(bytes[index] - UInt8(ascii: "0"))
        }

        mutating func digits(_ count: Int) -> Int64? {
            var value: Int64 = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        mutating func expect(_ byte: UInt8) -> Bool {
            expectAny([byte])
        }

        mutating func expectAny(_ candidates: [UInt8]) -> Bool {
            guard index < bytes.count, candidates.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
    }
}
