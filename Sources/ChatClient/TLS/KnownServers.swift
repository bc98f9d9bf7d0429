import ChatCore
import Foundation

/// Pinned server certificates, as SSH's `known_hosts`: one line per server,
/// `HOST:PORT SHA256-FINGERPRINT`, in `known_servers` of the ``ConfigDirectory``.
/// Lines it does not understand are kept as they are.
public struct KnownServers: Sendable {
    public let path: String?

    public init(path: String?) {
        self.path = path
    }

    /// The pin for `address` (`host:port`), if any.
    public func fingerprint(for address: String) -> CertificateFingerprint? {
        for (key, fingerprint) in Self.entries(in: read()) where key == address { return fingerprint }
        return nil
    }

    /// Pins `fingerprint` for `address`, replacing an earlier pin. Creates the file (mode 0600)
    /// and its directory (0700).
    public func pin(_ fingerprint: CertificateFingerprint, for address: String) throws {
        guard let path else { throw CocoaError(.fileNoSuchFile) }
        var lines = read().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines.removeAll { Self.entry($0)?.address == address || $0.isEmpty }
        lines.append("\(address) \(fingerprint)")
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let data = Data((lines.joined(separator: "\n") + "\n").utf8)
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission)
        }
    }

    private func read() -> String {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    static func entries(in text: String) -> [(String, CertificateFingerprint)] {
        text.split(separator: "\n").compactMap { entry(String($0)).map { ($0.address, $0.fingerprint) } }
    }

    static func entry(_ line: String) -> (address: String, fingerprint: CertificateFingerprint)? {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count == 2, !line.hasPrefix("#"), let fingerprint = CertificateFingerprint(String(fields[1])) else { return nil }
        return (String(fields[0]), fingerprint)
    }
}
