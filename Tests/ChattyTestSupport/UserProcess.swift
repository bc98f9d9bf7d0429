import Foundation
import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#endif

/// A long-running program (a server, a line-mode client) started as the unprivileged user, with
/// its stdin, and its stdout and stderr collected line by line.
public final class UserProcess: Sendable {
    struct Stream {
        var lines: [String] = []
        var partial = ""
        var cursor = 0
    }

    public let process: Process
    public let input: FileHandle
    private let stdout = NIOLockedValueBox(Stream())
    private let stderr = NIOLockedValueBox(Stream())

    /// Starts `arguments` (the program first) as the unprivileged user; `wrapper` goes before the
    /// user switch (e.g. `prlimit --nofile=64:64`, applied by root and inherited).
    public init(_ arguments: [String], wrapper: [String] = [], directory: URL? = nil) throws {
        let argv = wrapper + UnprivilegedUser.command(arguments)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = UnprivilegedUser.environment
        if let directory { process.currentDirectoryURL = directory }
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        self.process = process
        self.input = stdinPipe.fileHandleForWriting
        Self.collect(stdoutPipe, into: stdout)
        Self.collect(stderrPipe, into: stderr)
        try process.run()
    }

    private static func collect(_ pipe: Pipe, into box: NIOLockedValueBox<Stream>) {
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                handle.readabilityHandler = nil
                return
            }
            box.withLockedValue { stream in
                stream.partial += String(decoding: data, as: UTF8.self)
                while let newline = stream.partial.firstIndex(of: "\n") {
                    stream.lines.append(String(stream.partial[..<newline]))
                    stream.partial = String(stream.partial[stream.partial.index(after: newline)...])
                }
            }
        }
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    public var lines: [String] { stdout.withLockedValue { $0.lines } }
    public var errorLines: [String] { stderr.withLockedValue { $0.lines } }

    public func send(_ line: String) {
        input.write(Data((line + "\n").utf8))
    }

    public func closeInput() {
        try? input.close()
    }

    /// Waits for the next stdout line containing `text`, after the previous match.
    @discardableResult
    public func waitFor(_ text: String, timeout: Duration = .seconds(15)) async throws -> String {
        try await Self.next(text, in: stdout, timeout: timeout, what: "stdout")
    }

    /// Waits for the next stderr line containing `text`, after the previous match.
    @discardableResult
    public func waitForError(_ text: String, timeout: Duration = .seconds(15)) async throws -> String {
        try await Self.next(text, in: stderr, timeout: timeout, what: "stderr")
    }

    private static func next(_ text: String, in box: NIOLockedValueBox<Stream>, timeout: Duration,
                             what: String) async throws -> String {
        var found: String?
        try await Eventually.holds(timeout: timeout, {
            "\(what) line containing '\(text)'; got:\n" + box.withLockedValue { $0.lines.suffix(15).joined(separator: "\n") }
        }) {
            found = box.withLockedValue { stream -> String? in
                while stream.cursor < stream.lines.count {
                    let line = stream.lines[stream.cursor]
                    stream.cursor += 1
                    if line.contains(text) { return line }
                }
                return nil
            }
            return found != nil
        }
        return found!
    }

    public func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        try await Eventually.holds(timeout: timeout, { "process \(pid) exit" }) { !process.isRunning }
        return process.terminationStatus
    }

    /// SIGTERM, as a user's `kill` or a service manager would send.
    public func terminate() {
        if process.isRunning { kill(pid, SIGTERM) }
    }

    public func signal(_ signal: Int32) {
        if process.isRunning { kill(pid, signal) }
    }

    /// SIGKILL and wait.
    public func kill9() {
        guard process.isRunning else { return }
        kill(pid, SIGKILL)
        process.waitUntilExit()
    }
}

/// Polling for a condition, used only where no event exists to await (a terminal's screen,
/// another process's output).
public enum Eventually {
    public struct Timeout: Error, CustomStringConvertible {
        public var description: String
    }

    public static func holds(timeout: Duration = .seconds(15), _ what: () -> String,
                             _ condition: () throws -> Bool) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        if try condition() { return }
        throw Timeout(description: "timed out after \(timeout): \(what())")
    }
}
