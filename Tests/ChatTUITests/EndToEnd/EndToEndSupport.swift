import ChattyTestSupport
import Foundation

/// Paths and helpers shared by the end-to-end tests, which run the real `chatty-tui` binary as an
/// unprivileged user (see ``UnprivilegedUser``).
enum EndToEnd {
    /// `chatty-tui` as the unprivileged user runs it.
    static var binary: String { UnprivilegedUser.binary }

    /// A shell command that runs `chatty-tui arguments` as the unprivileged user (for tmux).
    static func command(_ arguments: String) -> String {
        UnprivilegedUser.shellCommand("exec chatty-tui " + arguments)
    }

    static func which(_ tool: String) -> String? { ExternalTool.path(tool) }

    /// A config home (for `XDG_CONFIG_HOME`) holding `chatty/client.conf` with `text`, which the
    /// unprivileged user may read and rewrite (`/set`, `/bind`). Remove `home` when done.
    static func configHome(clientConf text: String) throws -> (home: String, file: String) {
        let home = NSTemporaryDirectory() + "chatty-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home + "/chatty", withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o777])
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: home)
        let file = home + "/chatty/client.conf"
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: file)
        return (home, file)
    }

    /// Runs a short command to completion and returns its standard output (see `ChildProcess`).
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        try ChildProcess.run(executable, arguments).output
    }

    /// Starts `chatty-tui serve` as the unprivileged user on a free loopback port.
    static func startServer(flood: Bool = false, _ extra: [String] = []) async throws -> ServerProcess {
        try await ServerProcess.start(["--motd", try motdFile()] + extra, flood: flood)
    }

    private static func motdFile() throws -> String {
        let url = UnprivilegedUser.scratch.appendingPathComponent("motd")
        try "end-to-end test server".write(to: url, atomically: true, encoding: .utf8)
        chmod(url.path, 0o644)
        return url.path
    }

    /// Polls `condition` until it holds or `timeout` passes. Used only where no event exists to
    /// await (a terminal's screen contents).
    static func eventually(timeout: Duration = .seconds(15), _ what: String,
                           _ condition: () throws -> Bool) async throws {
        try await Eventually.holds(timeout: timeout, { what }, condition)
    }
}

typealias EndToEndError = Eventually.Timeout

/// A real terminal (a tmux session) running a program, read the way a person sees it.
final class TmuxSession: Sendable {
    let name: String
    let tmux: String

    /// Runs `command` (a shell command line, usually from ``EndToEnd/command(_:)``) in a new session.
    init(name: String, width: Int = 100, height: Int = 30, term: String = "tmux-256color", command: String) throws {
        self.tmux = try ExternalTool.require("tmux")
        self.name = name + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        // The trailing shell keeps the pane open after the program exits, so tests can read what it left.
        try run(["new-session", "-d", "-s", self.name, "-x", String(width), "-y", String(height),
                 // Exported first: `command` reads `$TERM` itself (a prefix assignment would come too late).
                 "export LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=\(term); " + command + "; echo \"[exited $?]\"; sleep 600"])
    }

    /// All sessions of a test run live on their own tmux server (socket), never the user's.
    static let socket = "chatty-tests"

    /// Runs a tmux command on the tests' server. The server runs panes with `$SHELL` (else the
    /// user's login shell, which for system users such as `nobody` is `nologin`): name a real one.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        try EndToEnd.run("/usr/bin/env", ["SHELL=/bin/sh", tmux, "-L", Self.socket] + arguments)
    }

    func sendKeys(_ keys: String...) throws {
        try run(["send-keys", "-t", name] + keys)
    }

    /// Types text literally (no key-name interpretation).
    func type(_ text: String) throws {
        try run(["send-keys", "-t", name, "-l", text])
    }

    func screen() throws -> String {
        try run(["capture-pane", "-p", "-t", name])
    }

    /// The pane's title, as the program set it (OSC 2).
    func title() throws -> String {
        try run(["display-message", "-p", "-t", name, "#{pane_title}"]).trimmingCharacters(in: .newlines)
    }

    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", name, "-x", String(width), "-y", String(height)])
    }

    /// Waits until `text` is on the screen (at least `occurrences` times).
    func waitFor(_ text: String, occurrences: Int = 1, timeout: Duration = .seconds(15)) async throws {
        try await EndToEnd.eventually(timeout: timeout, "'\(text)' on screen of \(name):\n\((try? screen()) ?? "")") {
            try screen().components(separatedBy: text).count - 1 >= occurrences
        }
    }

    /// The process ids running in the pane's process group (the program and the shell).
    func panePID() throws -> Int32? {
        Int32(try run(["display-message", "-p", "-t", name, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func kill() {
        _ = try? run(["kill-session", "-t", name])
    }
}

/// A line-mode client (`chatty-tui --plain`) as a process of the unprivileged user.
typealias PlainClientProcess = UserProcess

extension UserProcess {
    convenience init(arguments: [String]) throws {
        try self.init([UnprivilegedUser.binary, "--plain"] + arguments)
    }
}
