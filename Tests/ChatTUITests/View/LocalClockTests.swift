import Foundation
import Testing

@testable import ChatTUI

/// Times on screen follow the local time zone at each line's instant, across daylight saving.
@Suite(.serialized) struct LocalClockTests {
    @Test func aDaylightSavingChangeShowsWithoutARestart() {
        let saved = ProcessInfo.processInfo.environment["TZ"]
        setenv("TZ", "Europe/Berlin", 1)
        tzset()
        defer {
            if let saved { setenv("TZ", saved, 1) } else { unsetenv("TZ") }
            tzset()
        }
        // 2026-03-29 00:30 UTC is 01:30 CET; 01:30 UTC, after the change, is 03:30 CEST.
        let before: Int64 = 1_774_744_200_000
        let after = before + 3_600_000
        #expect(LocalClock.hourMinute(before, utcOffsetSeconds: LocalClock.localTime) == "01:30")
        #expect(LocalClock.hourMinute(after, utcOffsetSeconds: LocalClock.localTime) == "03:30")
        #expect(ChatLine(timestamp: after, text: "x").formattedTime(utcOffsetSeconds: LocalClock.localTime) == "03:30")
        #expect(LocalClock.hourMinute(after, utcOffsetSeconds: 0) == "01:30", "a fixed offset stays fixed")
    }
}
