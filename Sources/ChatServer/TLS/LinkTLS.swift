import ChatCore
import Crypto
import Foundation
import Logging
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// TLS on server links (`--link-tls`): the accepting server presents its certificate (the same
/// ``ServerTLS`` identity its clients see); the connecting server checks it against the pinned
/// fingerprints or the network's authority before the HMAC handshake starts. (The HMAC challenge
/// still authenticates both sides; TLS adds secrecy and the acceptor's identity.)
public struct LinkTLS: Sendable {
    /// SHA-256 fingerprints of the peers' certificates accepted as they are.
    public var fingerprints: [CertificateFingerprint]
    /// Authorities whose certificates (within their validity) are accepted.
    public var authorities: [Certificate]

    public init(fingerprints: [CertificateFingerprint] = [], authorities: [Certificate] = []) {
        self.fingerprints = fingerprints
        self.authorities = authorities
    }

    /// Reads `--link-ca FILE` (PEM, one or more certificates).
    public static func authorities(inPEMFile path: String) throws -> [Certificate] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ServerTLS.SetupError(description: "cannot read --link-ca \(path)")
        }
        let certificates = (try? PEMDocument.parseMultiple(pemString: String(decoding: data, as: UTF8.self)))?
            .compactMap { try? Certificate(pemDocument: $0) } ?? []
        guard !certificates.isEmpty else { throw ServerTLS.SetupError(description: "--link-ca \(path) holds no PEM certificate") }
        return certificates
    }

    /// The handler for an outgoing link to `peer`.
    func clientHandler(peer: String, logger: Logger) throws -> NIOSSLClientHandler {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        let context = try NIOSSLContext(configuration: configuration)
        let check = self
        let host = BindAddress.parse(peer)?.host ?? peer
        return try NIOSSLClientHandler(context: context, serverHostname: nil) { certificates, promise in
            Task {
                let trusted = await check.trusts(certificates, host: host)
                if !trusted {
                    let fingerprint = (try? certificates.first?.toDERBytes()).map {
                        CertificateFingerprint(sha256Digest: Array(SHA256.hash(data: $0)))?.description ?? "?"
                    } ?? "none"
                    logger.error("link certificate not trusted: not linking", metadata: ["peer": "\(peer)", "sha256": "\(fingerprint)"])
                }
                promise.succeed(trusted ? .certificateVerified : .failed)
            }
        }
    }

    /// A pinned fingerprint, or a chain to one of the authorities within its validity that names
    /// `host` (the address this server dialled), so a certificate of the authority issued for
    /// another machine cannot stand in for the peer.
    func trusts(_ presented: [NIOSSLCertificate], host: String) async -> Bool {
        guard let leafBytes = try? presented.first?.toDERBytes() else { return false }
        if let fingerprint = CertificateFingerprint(sha256Digest: Array(SHA256.hash(data: leafBytes))),
           fingerprints.contains(fingerprint) {
            return true
        }
        guard !authorities.isEmpty, let chain = try? presented.map({ try Certificate(derEncoded: $0.toDERBytes()) }),
              let leaf = chain.first else { return false }
        let isIP = SelfSignedCertificate.ipAddressBytes(host) != nil
        var verifier = Verifier(rootCertificates: CertificateStore(authorities)) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: isIP ? nil : host, serverIP: isIP ? host : nil)
        }
        if case .validCertificate = await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.dropFirst())) {
            return true
        }
        return false
    }
}
