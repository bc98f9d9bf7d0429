#if canImport(Glibc)
import Glibc
#endif

/// `HH:MM` of an instant, in a fixed offset from UTC (tests) or in the local time zone as it was at
/// that instant (``localTime``): each line asks `localtime_r`, so a change to or from daylight saving
/// time shows right without a restart.
enum LocalClock {
    /// The offset value that means "the local time zone at each instant".
    static let localTime = Int.min

    /// The offset from UTC in seconds that applies at `milliseconds` for `utcOffsetSeconds`.
    static func offset(at milliseconds: Int64, utcOffsetSeconds: Int) -> Int {
        guard utcOffsetSeconds == localTime else { return utcOffsetSeconds }
        var seconds = time_t(floorDivide(milliseconds, 1000))
        var parts = tm()
        guard localtime_r(&seconds, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff)
    }

    /// `HH:MM`.
    static func hourMinute(_ milliseconds: Int64, utcOffsetSeconds: Int) -> String {
        let seconds = floorDivide(milliseconds, 1000) + Int64(offset(at: milliseconds, utcOffsetSeconds: utcOffsetSeconds))
        let secondOfDay = Int(((seconds % 86_400) + 86_400) % 86_400)
        let (hour, minute) = (secondOfDay / 3600, (secondOfDay % 3600) / 60)
        return (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    /// `YYYY-MM-DD` and `HH:MM:SS` of one instant, with one time-zone lookup.
    static func dateAndTime(_ milliseconds: Int64, utcOffsetSeconds: Int) -> (date: String, time: String) {
        let offset = offset(at: milliseconds, utcOffsetSeconds: utcOffsetSeconds)
        return (date(milliseconds, utcOffsetSeconds: offset), time(milliseconds, utcOffsetSeconds: offset))
    }

    /// `YYYY-MM-DD` of the local day.
    static func date(_ milliseconds: Int64, utcOffsetSeconds: Int) -> String {
        let seconds = floorDivide(milliseconds, 1000) + Int64(offset(at: milliseconds, utcOffsetSeconds: utcOffsetSeconds))
        var parts = tm()
        var value = time_t(seconds)
        _ = gmtime_r(&value, &parts)
        let (year, month, day) = (Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
        return "\(year)-" + (month < 10 ? "0" : "") + "\(month)-" + (day < 10 ? "0" : "") + "\(day)"
    }

    /// `HH:MM:SS`.
    static func time(_ milliseconds: Int64, utcOffsetSeconds: Int) -> String {
        let seconds = floorDivide(milliseconds, 1000) + Int64(offset(at: milliseconds, utcOffsetSeconds: utcOffsetSeconds))
        let secondOfDay = Int(((seconds % 86_400) + 86_400) % 86_400)
        func two(_ value: Int) -> String { (value < 10 ? "0" : "") + String(value) }
        return two(secondOfDay / 3600) + ":" + two(secondOfDay % 3600 / 60) + ":" + two(secondOfDay % 60)
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return value % divisor < 0 ? quotient - 1 : quotient
    }
}
