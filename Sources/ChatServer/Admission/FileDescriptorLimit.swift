#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit (`RLIMIT_NOFILE`), which bounds how many clients a server holds.
///
/// Like nginx and InspIRCd, the server raises its soft limit to the hard limit at start: an
/// unprivileged process may do that, and the default soft limit (often 1024) is far below what a
/// chat server is asked to hold.
public struct FileDescriptorLimit: Sendable, Equatable {
    /// The soft limit in force after ``raiseToHardLimit()``.
    public var soft: Int
    /// The hard limit (the ceiling an unprivileged process cannot raise).
    public var hard: Int
    /// The soft limit before it was raised.
    public var before: Int

    /// Descriptors the server keeps for itself (event loops, listeners, links, logs, stdio).
    public static func reserved(threads: Int) -> Int { 32 + 4 * max(1, threads) }

    /// How many client connections fit under the soft limit.
    public func clientCapacity(threads: Int) -> Int {
        max(1, soft - Self.reserved(threads: threads))
    }

    /// Reads the limit and raises the soft limit to the hard one. Never fails: if the limit cannot be
    /// read or raised, the current soft limit is kept.
    public static func raiseToHardLimit() -> FileDescriptorLimit {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            return FileDescriptorLimit(soft: 1024, hard: 1024, before: 1024)
        }
        let before = clamp(limit.rlim_cur)
        let hard = clamp(limit.rlim_max)
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) != 0 {
                return FileDescriptorLimit(soft: before, hard: hard, before: before)
            }
        }
        return FileDescriptorLimit(soft: hard, hard: hard, before: before)
    }

    private static func clamp(_ value: rlim_t) -> Int {
        // RLIM_INFINITY and absurd values: the kernel caps open files at fs.nr_open anyway.
        value > rlim_t(Int32.max) ? Int(Int32.max) : Int(value)
    }
}
