import ChatCore
import Foundation

/// The IRCv3 `sts` policies this client keeps: for each host, the TLS port and when the policy
/// ends. One line per host, `HOST PORT EXPIRY` (seconds since the epoch), in `sts` of the
/// ``ConfigDirectory``. A host with an unexpired policy is only ever reached over TLS.
public struct STSPolicyStore: Sendable {
    public let path: String?

    public init(path: String?) {
        self.path = path
    }

    /// The TLS port to use for `host` at `now`, if a policy is in force.
    public func tlsPort(for host: String, now: Timestamp) -> Int? {
        let key = host.lowercased()
        for (entryHost, port, expiry) in entries() where entryHost == key && expiry > now.secondsSinceEpoch {
            return port
        }
        return nil
    }

    /// Keeps (or with `duration` 0 removes) `host`'s policy, reached at `port`.
    public func remember(host: String, port: Int, duration: Int, now: Timestamp) throws {
        guard let path else { return }
        let key = host.lowercased()
        var kept = entries().filter { $0.host != key && $0.expiry > now.secondsSinceEpoch }
        if duration > 0 { kept.append((key, port, now.secondsSinceEpoch + Int64(duration))) }
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let text = kept.map { "\($0.host) \($0.port) \($0.expiry)\n" }.joined()
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission)
        }
    }

    private func entries() -> [(host: String, port: Int, expiry: Int64)] {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 3, let port = Int(fields[1]), let expiry = Int64(fields[2]) else { return nil }
            return (String(fields[0]), port, expiry)
        }
    }
}
