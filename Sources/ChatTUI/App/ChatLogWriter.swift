import Foundation
import Synchronization

/// Plain-text logs of every buffer, as IRC users keep them:
/// `DIR/NETWORK/#channel/2026-12-02.log`, one `2026-12-02 14:03:11 <alice> hello` line per message
/// or event, in the local time zone. Written on a queue of its own, so the screen never waits for
/// the disk; files are readable by you only (0600, directories 0700). A failing disk is reported
/// once and logging goes on trying.
final class ChatLogWriter: Sendable {
    /// One line for one buffer's log.
    struct Entry: Sendable, Equatable {
        var network: String
        var buffer: String
        /// Milliseconds since the epoch.
        var time: Int64
        var text: String
    }

    let directory: String
    private let queue = DispatchQueue(label: "chatty-log")
    private let utcOffsetSeconds: Int
    /// Told (once, on the writer's queue) when a write fails.
    private let report: @Sendable (String) -> Void

    /// The default directory: `$XDG_DATA_HOME/chatty/logs`, else `~/.local/share/chatty/logs`.
    static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let data = environment["XDG_DATA_HOME"], data.hasPrefix("/") { return data + "/chatty/logs" }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return home + "/.local/share/chatty/logs"
    }

    init(directory: String, utcOffsetSeconds: Int = LocalClock.localTime, report: @escaping @Sendable (String) -> Void) {
        self.directory = directory
        self.utcOffsetSeconds = utcOffsetSeconds
        self.report = report
    }

    /// Queues entries; returns at once. They reach the disk together within ``batchDelay``, so a
    /// flood costs a few writes a second, not one per line.
    func write(_ entries: [Entry]) {
        guard !entries.isEmpty else { return }
        let schedule = pending.withLock { pending -> Bool in
            pending.entries += entries
            defer { pending.scheduled = true }
            return !pending.scheduled
        }
        if schedule {
            queue.asyncAfter(deadline: .now() + Self.batchDelay) { [self] in writePending() }
        }
    }

    /// How long entries wait to be written with the ones that follow them.
    static let batchDelay = DispatchTimeInterval.milliseconds(100)

    /// Waits until everything queued is on disk (quitting, tests).
    func flush() {
        queue.sync { writePending() }
    }

    private func writePending() {
        let entries = pending.withLock { pending -> [Entry] in
            defer { pending = Pending() }
            return pending.entries
        }
        if !entries.isEmpty { append(entries) }
    }

    private struct Pending {
        var entries: [Entry] = []
        var scheduled = false
    }

    private let pending = Mutex(Pending())

    /// The log file of `buffer` of `network` for the local day `date` (`YYYY-MM-DD`).
    func path(network: String, buffer: String, date: String) -> String {
        directory + "/" + Self.fileName(network) + "/" + Self.fileName(buffer.lowercased()) + "/" + date + ".log"
    }

    /// A network or buffer name as one safe path component.
    static func fileName(_ name: String) -> String {
        let cleaned = String(name.map { $0 == "/" || $0 == "\0" || $0.isNewline ? "_" : $0 })
        return cleaned.isEmpty || cleaned == "." || cleaned == ".." ? "_" + cleaned : cleaned
    }

    private let failureReported = FailureFlag()

    private func append(_ entries: [Entry]) {
        // The bytes for each file, in the order the files first appear.
        var files: [(path: String, bytes: [UInt8])] = []
        var fileIndex: [String: Int] = [:]
        // Lines of one second share their stamp (a flood is thousands of lines a second).
        var stamp: (second: Int64, date: String, prefix: [UInt8])?
        var last: (network: String, buffer: String, date: String, file: Int)?
        for entry in entries {
            let second = LocalClock.floorDivide(entry.time, 1000)
            if stamp?.second != second {
                let (date, time) = LocalClock.dateAndTime(entry.time, utcOffsetSeconds: utcOffsetSeconds)
                stamp = (second, date, Array((date + " " + time + " ").utf8))
            }
            // The file of the previous entry, most often this one's too.
            if last?.network != entry.network || last?.buffer != entry.buffer || last?.date != stamp!.date {
                let path = path(network: entry.network, buffer: entry.buffer, date: stamp!.date)
                let file = fileIndex[path] ?? {
                    files.append((path, []))
                    fileIndex[path] = files.count - 1
                    return files.count - 1
                }()
                last = (entry.network, entry.buffer, stamp!.date, file)
            }
            let file = last!.file
            files[file].bytes.append(contentsOf: stamp!.prefix)
            files[file].bytes.append(contentsOf: entry.text.utf8)
            files[file].bytes.append(UInt8(ascii: "\n"))
        }
        for (path, bytes) in files {
            do {
                try append(bytes, to: path)
            } catch {
                if failureReported.setOnce() {
                    // In the system's words: `Not a directory`, `No space left on device`.
                    report("Logging to \(path) failed (\(String(cString: strerror(error.code.rawValue)))); chat goes on without it")
                }
            }
        }
    }

    private func append(_ bytes: [UInt8], to path: String) throws(POSIXError) {
        var file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        if file < 0, errno == ENOENT {
            // The first line of this buffer (or day): its directories are made once.
            try Self.makeDirectories((path as NSString).deletingLastPathComponent)
            file = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        }
        guard file >= 0 else { throw Self.posixError() }
        defer { close(file) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(file, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.posixError()
            }
            written += count
        }
    }

    /// `mkdir -p` with mode 0700 for the directories it makes.
    private static func makeDirectories(_ folder: String) throws(POSIXError) {
        var path = folder.hasPrefix("/") ? "" : "."
        for component in folder.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o700) != 0, errno != EEXIST { throw posixError() }
        }
    }

    private static func posixError() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
}

/// A flag set once, from any thread.
private final class FailureFlag: @unchecked Sendable {
    // Safe: `lock` guards `set`, the only state.
    private let lock = NSLock()
    private var set = false

    /// True the first time only.
    func setOnce() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if set { return false }
        set = true
        return true
    }
}
