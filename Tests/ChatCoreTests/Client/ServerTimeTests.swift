import Testing
@testable import ChatCore

@Suite struct ServerTimeTests: ClientTestCase {
    @Test func parsesUTCWithMilliseconds() {
        #expect(ServerTime.parse("2026-11-25T10:11:12.345Z") == t(1_795_601_472_345))
    }

    @Test func parsesWithoutFractionAndLeapDay() {
        #expect(ServerTime.parse("2000-02-29T23:59:59Z") == t(951_868_799_000))
    }

    @Test func fractionIsTruncatedOrPaddedToMilliseconds() {
        #expect(ServerTime.parse("2026-11-25T10:11:12.3Z") == t(1_795_601_472_300))
        #expect(ServerTime.parse("2026-11-25T10:11:12.345678Z") == t(1_795_601_472_345))
    }

    @Test func appliesOffsets() {
        // 10:11:12+02:00 is 08:11:12Z.
        #expect(ServerTime.parse("2026-11-25T10:11:12+02:00") == t(1_795_594_272_000))
        #expect(ServerTime.parse("2026-11-25T06:11:12-0200") == t(1_795_594_272_000))
    }

    @Test func beforeTheEpoch() {
        #expect(ServerTime.parse("1969-12-31T23:59:59.500Z") == t(-500))
    }

    @Test(arguments: [
        "", "2026-11-25", "2026-11-25T10:11:12", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-25T24:00:00Z", "2026-11-25T10:11:12.Z", "2026-11-25T10:11:12Zjunk", "26-11-25T10:11:12Z",
        "2026-11-25T10:61:12Z",
    ])
    func rejectsMalformed(_ text: String) {
        #expect(ServerTime.parse(text) == nil)
    }

    @Test func roundTripsWithTimestampFormatting() {
        let instant = t(1_795_601_472_345)
        #expect(instant.iso8601 == "2026-11-25T10:11:12.345Z")
        #expect(ServerTime.parse(instant.iso8601) == instant)
    }

    @Test func timestampOffsets() {
        #expect(t(1_000).offset(by: .seconds(2)) == t(3_000))
        #expect(t(1_000).offset(by: .milliseconds(1_500)) == t(2_500))
        #expect(t(5_000).milliseconds(since: t(1_250)) == 3_750)
    }
}
