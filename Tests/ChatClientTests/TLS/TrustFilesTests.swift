import ChatCore
import Foundation
import Testing
@testable import ChatClient

/// `known_servers` and `sts`: what the client keeps between runs.
@Suite struct TrustFilesTests {
    func scratch() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("trust-\(UUID().uuidString)").path
        return directory + "/chatty"
    }

    @Test func pinsAreKeptPerServerReplacedAndPrivate() throws {
        let directory = try scratch()
        let known = KnownServers(path: directory + "/known_servers")
        let one = CertificateFingerprint(sha256Digest: Array(repeating: 1, count: 32))!
        let two = CertificateFingerprint(sha256Digest: Array(repeating: 2, count: 32))!
        #expect(known.fingerprint(for: "h:6697") == nil)
        try known.pin(one, for: "h:6697")
        try known.pin(two, for: "other:6697")
        try known.pin(two, for: "h:6697")
        #expect(known.fingerprint(for: "h:6697") == two)
        #expect(known.fingerprint(for: "other:6697") == two)
        #expect(known.fingerprint(for: "h:7000") == nil)
        let text = try String(contentsOfFile: directory + "/known_servers", encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/known_servers")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func stsPoliciesLastTheirDurationAndZeroForgets() throws {
        let store = STSPolicyStore(path: try scratch() + "/sts")
        let now = Timestamp(millisecondsSinceEpoch: 1_800_000_000_000)
        try store.remember(host: "Irc.Example.org", port: 6697, duration: 60, now: now)
        #expect(store.tlsPort(for: "irc.example.org", now: now) == 6697)
        #expect(store.tlsPort(for: "irc.example.org", now: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 61_000)) == nil)
        #expect(store.tlsPort(for: "other.org", now: now) == nil)
        try store.remember(host: "irc.example.org", port: 6697, duration: 0, now: now)
        #expect(store.tlsPort(for: "irc.example.org", now: now) == nil)
    }
}
