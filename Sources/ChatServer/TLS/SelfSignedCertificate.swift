import Crypto
import Foundation
import SwiftASN1
import X509

/// A self-signed server certificate (swift-certificates), for servers given none: names the
/// host names (and IP addresses) it is for, and may only authenticate a TLS server.
public enum SelfSignedCertificate {
    /// The certificate as PEM.
    public static func make(key: P256.Signing.PrivateKey, hostnames: [String], notBefore: Date,
                            lifetime: TimeInterval) throws -> String {
        let name = try DistinguishedName {
            CommonName(hostnames.first ?? "localhost")
            OrganizationName("Chatty")
        }
        var alternatives: [GeneralName] = []
        for host in hostnames {
            if let bytes = ipAddressBytes(host) {
                alternatives.append(.ipAddress(ASN1OctetString(contentBytes: ArraySlice(bytes))))
            } else {
                alternatives.append(.dnsName(host))
            }
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: Certificate.PublicKey(key.publicKey),
            // An hour back, for clocks a little behind.
            notValidBefore: notBefore.addingTimeInterval(-3600),
            notValidAfter: notBefore.addingTimeInterval(lifetime),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([.serverAuth])
                SubjectAlternativeNames(alternatives)
            },
            issuerPrivateKey: Certificate.PrivateKey(key)
        )
        return try certificate.serializeAsPEM().pemString
    }

    /// The 4 or 16 bytes of an IPv4 or IPv6 address; `nil` for a host name.
    static func ipAddressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
