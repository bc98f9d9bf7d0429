#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CPU time and memory of the server process from `/proc` and of this process from
/// `getrusage`.
enum ProcessStats {
    struct Server: Sendable {
        var cpuSeconds: Double
        var rssKiB: Int
        var peakRSSKiB: Int
    }

    /// One sample of all server processes: each process, and their sum (CPU seconds, RSS and
    /// peak RSS added up; the summed peak is the sum of each process's own VmHWM).
    struct ServerSample: Sendable {
        var perProcess: [Server]
        var total: Server
    }

    /// Samples every PID; nil if `pids` is empty or any of them cannot be read (exited).
    static func servers(pids: [Int32]) -> ServerSample? {
        guard !pids.isEmpty else { return nil }
        var perProcess: [Server] = []
        perProcess.reserveCapacity(pids.count)
        for pid in pids {
            guard let sample = server(pid: pid) else { return nil }
            perProcess.append(sample)
        }
        let total = perProcess.reduce(Server(cpuSeconds: 0, rssKiB: 0, peakRSSKiB: 0)) { sum, next in
            Server(
                cpuSeconds: sum.cpuSeconds + next.cpuSeconds, rssKiB: sum.rssKiB + next.rssKiB,
                peakRSSKiB: sum.peakRSSKiB + next.peakRSSKiB)
        }
        return ServerSample(perProcess: perProcess, total: total)
    }

    static func server(pid: Int32) -> Server? {
        guard let stat = readFile("/proc/\(pid)/stat"), let status = readFile("/proc/\(pid)/status") else {
            return nil
        }
        // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return Server(
            cpuSeconds: (utime + stime) / ticks,
            rssKiB: statusValue(status, "VmRSS:") ?? 0,
            peakRSSKiB: statusValue(status, "VmHWM:") ?? 0
        )
    }

    #if os(Linux)
    private static let rusageSelf = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
    private static let rusageSelf = RUSAGE_SELF
    #endif

    /// User plus system CPU seconds used by this process so far.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(rusageSelf, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1_000_000 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// This process's peak resident set size in KiB.
    static func ownPeakRSSKiB() -> Int {
        var usage = rusage()
        getrusage(rusageSelf, &usage)
        return Int(usage.ru_maxrss)
    }

    /// Raises the soft open-files limit to the hard limit; returns the resulting soft limit.
    static func raiseFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
        return Int(limit.rlim_cur)
    }

    private static func statusValue(_ status: String, _ key: String) -> Int? {
        for line in status.split(separator: "\n") where line.hasPrefix(key) {
            let digits = line.dropFirst(key.count).filter { $0.isASCII && $0.isNumber }
            return Int(digits)
        }
        return nil
    }

    private static func readFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Monotonic clock in nanoseconds (CLOCK_MONOTONIC), shared by senders and receivers.
@inline(__always)
func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}
