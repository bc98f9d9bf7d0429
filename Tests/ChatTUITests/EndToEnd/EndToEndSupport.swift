import ChatServer
import Foundation
import NIOConcurrencyHelpers

/// Paths and helpers shared by the end-to-end tests, which run the real `chatty-tui` binary.
enum EndToEnd {
    /// The package root, found from this file's location.
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        fatalError("Package.swift not found above \(#filePath)")
    }()

    /// The debug binary `swift build` produced (the README's test command builds it first).
    static var binary: String {
        packageRoot.appendingPathComponent(".build/debug/chatty-tui").path
    }

    static func which(_ tool: String) -> String? {
        for directory in ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"] {
            let path = directory + "/" + tool
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs a short command to completion and returns its standard output (see `ChildProcess`).
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        try ChildProcess.run(executable, arguments).output
    }

    /// Starts an in-process Chatty server on a free loopback port.
    static func startServer(flood: Bool = false) async throws -> (ChatServer, Int) {
        var configuration = ChatServerConfiguration(listen: .hostname("127.0.0.1", port: 0), threads: 1)
        configuration.core.motd = ["end-to-end test server"]
        if !flood { configuration.flood = .init(rate: 0, burst: 10, hardLimit: 100) }
        let server = ChatServer(configuration: configuration)
        let port = try await server.start().port!
        return (server, port)
    }

    /// Polls `condition` until it holds or `timeout` passes. Used only where no event exists to
    /// await (a terminal's screen contents).
    static func eventually(timeout: Duration = .seconds(15), _ what: String,
                           _ condition: () throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        if try condition() { return }
        throw EndToEndError(description: "timed out after \(timeout): \(what)")
    }
}

struct EndToEndError: Error, CustomStringConvertible {
    var description: String
}

/// A real terminal (a tmux session) running a program, read the way a person sees it.
final class TmuxSession: Sendable {
    let name: String
    let tmux: String

    init(name: String, width: Int = 100, height: Int = 30, command: String) throws {
        guard let tmux = EndToEnd.which("tmux") else { throw EndToEndError(description: "tmux is not installed") }
        self.tmux = tmux
        self.name = name + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        // The trailing shell keeps the pane open after the program exits, so tests can read what it left.
        try run(["new-session", "-d", "-s", self.name, "-x", String(width), "-y", String(height),
                                "LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=tmux-256color " + command + "; echo \"[exited $?]\"; sleep 600"])
    }

    /// All sessions of a test run live on their own tmux server (socket), never the user's.
    static let socket = "chatty-tests"

    /// Runs a tmux command on the tests' server.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        try EndToEnd.run(tmux, ["-L", Self.socket] + arguments)
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

    func resize(width: Int, height: Int) throws {
        try run(["resize-window", "-t", name, "-x", String(width), "-y", String(height)])
    }

    func waitFor(_ text: String, timeout: Duration = .seconds(15)) async throws {
        try await EndToEnd.eventually(timeout: timeout, "'\(text)' on screen of \(name):\n\((try? screen()) ?? "")") {
            try screen().contains(text)
        }
    }

    func kill() {
        _ = try? run(["kill-session", "-t", name])
    }
}

/// A line-mode client (`chatty-tui --plain`) as a child process with its stdin and stdout.
final class PlainClientProcess: Sendable {
    struct State {
        var lines: [String] = []
        var partial = ""
        var cursor = 0
    }

    let process: Process
    let input: FileHandle
    private let state = NIOLockedValueBox(State())

    init(arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: EndToEnd.binary)
        process.arguments = ["--plain"] + arguments
        process.environment = ["LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        self.process = process
        self.input = stdin.fileHandleForWriting
        let state = self.state
        stdout.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            state.withLockedValue { state in
                state.partial += String(decoding: data, as: UTF8.self)
                while let newline = state.partial.firstIndex(of: "\n") {
                    state.lines.append(String(state.partial[..<newline]))
                    state.partial = String(state.partial[state.partial.index(after: newline)...])
                }
            }
        }
        try process.run()
    }

    func send(_ line: String) {
        input.write(Data((line + "\n").utf8))
    }

    func closeInput() {
        try? input.close()
    }

    var lines: [String] { state.withLockedValue { $0.lines } }

    /// Waits for the next output line containing `text`, after the previous match.
    @discardableResult
    func waitFor(_ text: String, timeout: Duration = .seconds(15)) async throws -> String {
        var found: String?
        try await EndToEnd.eventually(timeout: timeout, "line containing '\(text)'; got:\n" + lines.suffix(15).joined(separator: "\n")) {
            found = state.withLockedValue { state -> String? in
                while state.cursor < state.lines.count {
                    let line = state.lines[state.cursor]
                    state.cursor += 1
                    if line.contains(text) { return line }
                }
                return nil
            }
            return found != nil
        }
        return found!
    }

    func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        try await EndToEnd.eventually(timeout: timeout, "process exit") { !process.isRunning }
        return process.terminationStatus
    }

    func terminate() {
        if process.isRunning { process.terminate() }
    }
}
