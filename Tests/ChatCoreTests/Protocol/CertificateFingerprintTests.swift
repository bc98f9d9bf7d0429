import Testing
@testable import ChatCore

@Suite struct CertificateFingerprintTests {
    let bytes: [UInt8] = (0..<32).map { UInt8($0 * 7 % 256) }

    @Test func printsAsOpenSSLDoesAndParsesEveryCommonSpelling() throws {
        let fingerprint = try #require(CertificateFingerprint(sha256Digest: bytes))
        let text = fingerprint.description
        #expect(text.hasPrefix("00:07:0E:15:1C"))
        #expect(text.count == 95)
        #expect(CertificateFingerprint(text) == fingerprint)
        #expect(CertificateFingerprint(text.lowercased()) == fingerprint)
        #expect(CertificateFingerprint(text.replacingOccurrences(of: ":", with: "")) == fingerprint)
        #expect(CertificateFingerprint("SHA256:" + text) == fingerprint)
        #expect(CertificateFingerprint("sha256 Fingerprint=" + text) == fingerprint)
    }

    @Test func rejectsWhatIsNotADigest() {
        #expect(CertificateFingerprint(sha256Digest: [1, 2, 3]) == nil)
        #expect(CertificateFingerprint("AB:CD") == nil)
        #expect(CertificateFingerprint(String(repeating: "ZZ", count: 32)) == nil)
    }
}
