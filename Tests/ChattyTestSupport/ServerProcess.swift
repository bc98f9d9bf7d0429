import Foundation

/// `chatty-tui serve` as a process of the unprivileged user, on the port it reports.
public final class ServerProcess: Sendable {
    public let process: UserProcess
    /// The client port, from the server's "listening" log line (so `--listen …:0` works).
    public let port: Int
    /// The link port, when `--link-listen` was given.
    public let linkPort: Int?
    /// The TLS port and the certificate's SHA-256 fingerprint, when `--tls-listen` was given
    /// (from the "TLS listening" line, logged before "listening").
    public let tlsPort: Int?
    public let tlsFingerprint: String?

    /// Starts `chatty-tui serve arguments…` and waits until it listens. Pass `--listen 127.0.0.1:0`
    /// for a free port. Unless the arguments name a `--data-dir` (or `--history`), the server gets a
    /// history directory of its own, so that servers of one name do not share one.
    public init(_ arguments: [String], wrapper: [String] = [], directory: URL? = nil,
                timeout: Duration = .seconds(20)) async throws {
        var arguments = arguments
        if !arguments.contains("--data-dir") && !arguments.contains("--history") {
            arguments += ["--data-dir", Self.freshDataDirectory()]
        }
        let process = try UserProcess([UnprivilegedUser.binary, "serve"] + arguments, wrapper: wrapper, directory: directory)
        self.process = process
        do {
            let listening = try await process.waitForError("] listening", timeout: timeout)
            self.port = try Self.port(in: listening)
            if let line = process.errorLines.first(where: { $0.contains("] TLS listening") }) {
                self.tlsPort = try Self.port(in: line)
                self.tlsFingerprint = line.components(separatedBy: "sha256=").last?.components(separatedBy: " ").first
            } else {
                self.tlsPort = nil
                self.tlsFingerprint = nil
            }
            if arguments.contains("--link-listen") {
                self.linkPort = try Self.port(in: try await process.waitForError("] links listening", timeout: timeout))
            } else {
                self.linkPort = nil
            }
        } catch {
            process.kill9()
            throw Eventually.Timeout(description: "server did not start: \(error)\nstderr:\n"
                                     + process.errorLines.suffix(20).joined(separator: "\n"))
        }
    }

    /// A directory path (not yet created) in the unprivileged user's home, for `--data-dir`.
    public static func freshDataDirectory() -> String {
        UnprivilegedUser.home.path + "/data-" + UUID().uuidString
    }

    /// A free-port server with the options the end-to-end tests use unless they say otherwise.
    public static func start(_ extra: [String] = [], flood: Bool = false) async throws -> ServerProcess {
        var arguments = ["--listen", "127.0.0.1:0", "--threads", "1"]
        if !flood { arguments += ["--flood-rate", "0"] }
        return try await ServerProcess(arguments + extra)
    }

    /// `address=[IPv4]127.0.0.1/127.0.0.1:6667` → 6667.
    static func port(in line: String) throws -> Int {
        guard let range = line.range(of: "address="),
              let end = line[range.upperBound...].firstIndex(of: " "),
              let colon = line[range.upperBound..<end].lastIndex(of: ":"),
              let port = Int(line[line.index(after: colon)..<end]) else {
            throw Eventually.Timeout(description: "no port in log line: \(line)")
        }
        return port
    }

    public var pid: Int32 { process.pid }

    /// SIGTERM and wait for a clean exit; returns the exit status.
    @discardableResult
    public func stop() async throws -> Int32 {
        process.terminate()
        return try await process.waitForExit()
    }

    public func kill9() { process.kill9() }
}

extension ServerProcess {
    /// A link secret file the unprivileged user owns (mode 0600), as `--link-secret-file` wants.
    public static func secretFile(_ secret: String = "end-to-end network secret 0123456789") throws -> String {
        let directory = try UnprivilegedUser.makeDirectory("secret")
        let path = directory.appendingPathComponent("secret").path
        try secret.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        UnprivilegedUser.handOver(path)
        return path
    }

    /// A federated server on free ports, linked to `peers` (link ports).
    public static func linked(name: String, secretFile: String, peers: [Int] = [], extra: [String] = []) async throws -> ServerProcess {
        try await ServerProcess.start(["--name", name, "--link-listen", "127.0.0.1:0", "--link-secret-file", secretFile,
                                       "--link-timeout", "1.5"] + peers.flatMap { ["--peer", "127.0.0.1:\($0)"] } + extra)
    }
}
