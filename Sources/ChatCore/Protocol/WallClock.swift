import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The clocks the I/O layers read (server, client, line mode, benchmarks): the one place time is
/// read. The state machines never call it: they are given `now` as a plain value.
public enum WallClock {
    /// Wall-clock time (for `server-time` tags and display).
    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// Monotonic milliseconds (for timeouts and rate limits).
    public static func monotonicMilliseconds() -> Int64 {
        Int64(NIODeadline.now().uptimeNanoseconds / 1_000_000)
    }
}
