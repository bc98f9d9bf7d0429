import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the real binaries the way users run them: never as root.
///
/// The suite itself runs as root in CI (and on this machine), which once hid a bug that made
/// Chatty unusable for everybody else. When the tests run as root, every program they start goes
/// through `setpriv` as `nobody` (uid and gid 65534, no supplementary groups), with a home
/// directory of its own; run by an ordinary user, programs simply run as that user.
public enum UnprivilegedUser {
    public static let uid: UInt32 = 65534
    public static let gid: UInt32 = 65534

    /// True when the test process is root, so programs must be demoted.
    public static var testsRunAsRoot: Bool { geteuid() == 0 }

    /// The package root, found from this file's location.
    public static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// A directory the unprivileged user owns, for homes, secrets and working directories.
    public static func makeDirectory(_ name: String) throws -> URL {
        let url = scratch.appendingPathComponent(name + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36))
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        if testsRunAsRoot { chown(url.path, uid, gid) }
        return url
    }

    /// Where the tests' files live: a directory everyone can enter. Those of earlier test runs
    /// whose process is gone (each holds a copy of the binary) are removed first.
    public static let scratch: URL = {
        let temporary = FileManager.default.temporaryDirectory
        for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary.path)) ?? []
        where name.hasPrefix("chatty-e2e-") {
            guard let pid = Int32(name.dropFirst("chatty-e2e-".count)), pid != getpid(),
                  kill(pid, 0) != 0, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appendingPathComponent(name))
        }
        let url = temporary.appendingPathComponent("chatty-e2e-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        chmod(url.path, 0o755)
        return url
    }()

    /// `chatty-tui` as the unprivileged user can run it. The build tree may not be readable by
    /// others (a home directory with mode 0700), so as root the debug binary is copied to a
    /// directory of mode 0755 first. The README's test command builds it before the tests run.
    public static let binary: String = executable("chatty-tui")

    /// `chatty-bench`, likewise.
    public static let benchBinary: String = executable("chatty-bench")

    private static func executable(_ name: String) -> String {
        let built = packageRoot.appendingPathComponent(".build/debug/" + name).path
        guard testsRunAsRoot else { return built }
        let directory = scratch.appendingPathComponent("bin")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        chmod(directory.path, 0o755)
        let copy = directory.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: copy)
        do {
            try FileManager.default.copyItem(atPath: built, toPath: copy)
        } catch {
            fatalError("cannot copy \(built) for the unprivileged user: \(error) (run `swift build` first)")
        }
        chmod(copy, 0o755)
        return copy
    }

    /// The directory holding ``binary``, to put on `PATH` so commands can say `chatty-tui`.
    public static var binaryDirectory: String { URL(fileURLWithPath: binary).deletingLastPathComponent().path }

    /// A home directory owned by the unprivileged user.
    public static let home: URL = {
        (try? makeDirectory("home")) ?? FileManager.default.temporaryDirectory
    }()

    /// The prefix that runs a program as the unprivileged user (empty when not root).
    public static var prefix: [String] {
        testsRunAsRoot ? ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--"] : []
    }

    /// The environment programs get: a UTF-8 locale, the user's own home, `chatty-tui` on `PATH`,
    /// and the sanitizers' options of a sanitized test run (its binaries are sanitized too).
    public static var environment: [String: String] {
        var environment = [
            "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": home.path, "USER": "nobody", "LOGNAME": "nobody",
            "PATH": binaryDirectory + ":/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin",
        ]
        for name in ["ASAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS", "UBSAN_OPTIONS"] {
            if let value = ProcessInfo.processInfo.environment[name] { environment[name] = value }
        }
        return environment
    }

    /// `argv` prefixed so that it runs as the unprivileged user.
    public static func command(_ argv: [String]) -> [String] { prefix + argv }

    /// Runs a short program to completion as the unprivileged user (see ``ChildProcess``).
    public static func run(_ argv: [String]) throws -> ChildProcess.Result {
        let full = command(argv)
        return try ChildProcess.run(full[0], Array(full.dropFirst()))
    }

    /// A shell command line (for tmux, `sh -c`) that runs `command` as the unprivileged user with
    /// ``environment``.
    public static func shellCommand(_ command: String, directory: URL? = nil, wrapper: [String] = []) -> String {
        // The terminal type comes from where the command runs (tmux sets it), the rest from ``environment``.
        let env = environment.sorted { $0.key < $1.key }.map { shellQuote("\($0.key)=\($0.value)") } + ["\"TERM=${TERM:-dumb}\""]
        let cd = directory.map { "cd \(shellQuote($0.path)) && " } ?? ""
        return ((wrapper + prefix).map(shellQuote) + ["/usr/bin/env", "-i"] + env + ["/bin/sh", "-c", shellQuote(cd + command)])
            .joined(separator: " ")
    }

    public static func shellQuote(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// Makes `path` (a file the test wrote) readable by the unprivileged user.
    public static func handOver(_ path: String) {
        if testsRunAsRoot { chown(path, uid, gid) }
    }
}
