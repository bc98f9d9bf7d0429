#if canImport(Glibc)
import Glibc
#endif

/// Process-wide allocator settings for a server process.
///
/// Each flush hands every busy connection's outbox (often tens of KiB) to the kernel and frees it;
/// the next tick allocates them again. With glibc's defaults the freed top of the heap is
/// returned to the kernel (trim threshold 128 KiB) and larger buffers are mmap'd, so every tick
/// paid for page faults and zeroing: about 10 % of the server's CPU in scenario (a) of the
/// benchmarks. Keeping up to 64 MiB of freed heap and serving blocks below 4 MiB from the heap
/// removes that. Memory freed after a burst stays with the process (up to 64 MiB), which a
/// chat server that will see the next burst wants anyway.
public enum MallocTuning {
    /// `mallopt` parameters from glibc's <malloc.h>, which Swift's Glibc module does not import.
    private static let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
    private static let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD

    private typealias Mallopt = @convention(c) (Int32, Int32) -> Int32

    /// Applies the settings; returns false where the C library has no `mallopt` (not glibc).
    @discardableResult
    public static func applyForServer() -> Bool {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        return mallopt(trimThreshold, 64 * 1024 * 1024) == 1 && mallopt(mmapThreshold, 4 * 1024 * 1024) == 1
        #else
        return false
        #endif
    }
}
