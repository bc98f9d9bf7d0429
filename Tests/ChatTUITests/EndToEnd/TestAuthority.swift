import ChattyTestSupport
import Crypto
import Foundation
import SwiftASN1
import X509

/// A certificate authority of the tests' own (swift-certificates): it issues server certificates
/// for given names and validity, written as PEM files the unprivileged user can read.
struct TestAuthority {
    let key = P256.Signing.PrivateKey()
    let name: DistinguishedName
    let certificate: Certificate
    let directory: URL

    init() throws {
        directory = try UnprivilegedUser.makeDirectory("authority")
        name = try DistinguishedName { CommonName("Chatty Test Authority") }
        certificate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(key.publicKey),
            notValidBefore: Date().addingTimeInterval(-86_400), notValidAfter: Date().addingTimeInterval(86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(key))
    }

    /// The authority's certificate, for `--tls-ca`.
    func caFile() throws -> String {
        try write(try certificate.serializeAsPEM().pemString, as: "ca-\(UUID().uuidString).pem")
    }

    /// A server certificate for `names` (IP addresses or DNS names) valid from `start` for
    /// `lifetime`; returns the certificate and key files.
    func issue(for names: [String], start: Date = Date().addingTimeInterval(-3600),
               lifetime: TimeInterval = 86_400) throws -> (certificate: String, key: String) {
        let leafKey = P256.Signing.PrivateKey()
        let subject = try DistinguishedName { CommonName(names[0]) }
        let alternatives: [GeneralName] = names.map { name in
            var v4 = in_addr()
            if inet_pton(AF_INET, name, &v4) == 1 {
                return .ipAddress(ASN1OctetString(contentBytes: ArraySlice(withUnsafeBytes(of: &v4) { Array($0) })))
            }
            return .dnsName(name)
        }
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(leafKey.publicKey),
            notValidBefore: start, notValidAfter: start.addingTimeInterval(lifetime),
            issuer: name, subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternatives)
            },
            issuerPrivateKey: .init(key))
        let id = UUID().uuidString
        let chain = try leaf.serializeAsPEM().pemString + "\n" + certificate.serializeAsPEM().pemString
        return (try write(chain, as: "leaf-\(id).pem"), try write(leafKey.pemRepresentation, as: "leaf-\(id).key"))
    }

    private func write(_ text: String, as name: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        UnprivilegedUser.handOver(path)
        return path
    }
}
