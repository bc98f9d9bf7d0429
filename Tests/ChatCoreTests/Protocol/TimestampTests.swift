import ChatCore
import Foundation
import Testing

@Suite struct TimestampTests {
    @Test func iso8601() {
        #expect(Timestamp(millisecondsSinceEpoch: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(millisecondsSinceEpoch: 1_795_601_472_123).iso8601 == "2026-11-25T10:11:12.123Z")
        #expect(Timestamp(millisecondsSinceEpoch: 951_782_400_000).iso8601 == "2000-02-29T00:00:00.000Z")
    }

    /// The hand-written formatter agrees with Foundation's for random instants in years 1583–9999
    /// (before 1583 Foundation switches to the Julian calendar; ISO 8601 stays Gregorian).
    @Test func iso8601MatchesFoundation() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var generator = SystemRandomNumberGenerator()
        let earliest: Int64 = -12_212_553_600_000  // 1583-01-01
        let latest: Int64 = 253_402_300_799_999    // 9999-12-31T23:59:59.999
        for _ in 0..<2_000 {
            let ms = Int64.random(in: earliest...latest, using: &generator)
            let date = Date(timeIntervalSince1970: Double(ms) / 1000)
            let expected = formatter.string(from: date)
            #expect(Timestamp(millisecondsSinceEpoch: ms).iso8601 == expected, "\(ms)")
        }
    }

    @Test func yearsOutsideFourDigitsStillFormat() {
        #expect(Timestamp(millisecondsSinceEpoch: 253_402_300_800_000).iso8601 == "10000-01-01T00:00:00.000Z")
    }
}
