import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// With `--host` in full-screen mode, the server's log (stderr) would draw over the screen. Once the
/// server listens, stderr goes to a log file in the user's own state directory instead:
/// `$XDG_STATE_HOME/chatty/host.log`, else `~/.local/state/chatty/host.log` (directory 0700, file 0600).
enum HostLog {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Where the log goes for this environment.
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        StateDirectory.path(environment: environment).map { $0 + "/host.log" }
    }

    /// Sends stderr to the log file, creating what is missing with modes only the user can read.
    /// Returns the path and a descriptor of the old stderr, for ``restoreStandardError(_:)``.
    static func redirectStandardError(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> (path: String, saved: Int32) {
        guard let path = path(environment: environment) else { throw Failure(description: "no HOME to keep the host log in") }
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Failure(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let saved = dup(2)
        guard dup2(fd, 2) >= 0 else { throw Failure(description: "cannot redirect stderr: \(String(cString: strerror(errno)))") }
        return (path, saved)
    }

    /// Puts the terminal's stderr back (a server that could not start says why on the terminal).
    static func restoreStandardError(_ saved: Int32) {
        guard saved >= 0 else { return }
        dup2(saved, 2)
        close(saved)
    }
}
