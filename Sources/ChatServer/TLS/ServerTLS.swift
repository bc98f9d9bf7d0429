import ChatCore
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// The server's TLS identity: a certificate chain and its key, from PEM files or, when none are
/// given, a self-signed certificate the server creates once in its data directory.
///
/// ``reload()`` reads the files again (on SIGHUP): connections accepted afterwards use the new
/// certificate, open ones keep theirs.
public final class ServerTLS: Sendable {
    /// Where the certificate comes from.
    public enum Source: Sendable, Hashable {
        /// PEM files: the certificate (chain allowed, leaf first) and its private key.
        case files(certificate: String, key: String)
        /// `DIRECTORY/tls/cert.pem` and `key.pem`, created (self-signed, for `hostnames`) on first use.
        case selfSigned(directory: String, hostnames: [String])
    }

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    public let source: Source
    private let current: NIOLockedValueBox<(context: NIOSSLContext, fingerprint: CertificateFingerprint)>

    /// Loads (or creates) the certificate. Throws a ``SetupError`` that says which file and why.
    public init(source: Source) throws {
        self.source = source
        current = NIOLockedValueBox(try Self.load(source))
    }

    /// The context new connections use.
    public var context: NIOSSLContext { current.withLockedValue { $0.context } }

    /// The SHA-256 fingerprint of the leaf certificate in use.
    public var fingerprint: CertificateFingerprint { current.withLockedValue { $0.fingerprint } }

    /// The verification callback for client certificates: every certificate is accepted; the
    /// fingerprint decides (an account lists the ones that log in to it).
    public static func acceptAnyClientCertificate(_ certificates: [NIOSSLCertificate],
                                                  _ promise: EventLoopPromise<NIOSSLVerificationResult>) {
        promise.succeed(.certificateVerified)
    }

    /// The certificate files' paths.
    public var files: (certificate: String, key: String) { Self.paths(source) }

    /// Reads the certificate again; on failure the one in use stays. Returns the new fingerprint.
    @discardableResult
    public func reload() throws -> CertificateFingerprint {
        let loaded = try Self.load(source)
        current.withLockedValue { $0 = loaded }
        return loaded.fingerprint
    }

    private static func paths(_ source: Source) -> (certificate: String, key: String) {
        switch source {
        case .files(let certificate, let key): (certificate, key)
        case .selfSigned(let directory, _): (directory + "/tls/cert.pem", directory + "/tls/key.pem")
        }
    }

    private static func load(_ source: Source) throws -> (context: NIOSSLContext, fingerprint: CertificateFingerprint) {
        let (certificatePath, keyPath) = paths(source)
        if case .selfSigned(let directory, let hostnames) = source,
           !FileManager.default.fileExists(atPath: certificatePath) || !FileManager.default.fileExists(atPath: keyPath) {
            try createSelfSigned(in: directory + "/tls", hostnames: hostnames)
        }
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw SetupError(description: "cannot read the TLS certificate \(certificatePath): \(reason(error, path: certificatePath))")
        }
        guard let leaf = chain.first else {
            throw SetupError(description: "the TLS certificate file \(certificatePath) holds no certificate")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyPath, format: .pem)
        } catch {
            throw SetupError(description: "cannot read the TLS private key \(keyPath): \(reason(error, path: keyPath))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        // Ask for a client certificate without requiring one (SASL EXTERNAL); any certificate is
        // accepted at the TLS level (see ``acceptAnyClientCertificate``): only its fingerprint counts.
        configuration.certificateVerification = .optionalVerification
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SetupError(description: "the TLS certificate \(certificatePath) and key \(keyPath) do not work together: \(error)")
        }
        let digest = SHA256.hash(data: try leaf.toDERBytes())
        return (context, CertificateFingerprint(sha256Digest: Array(digest))!)
    }

    private static func reason(_ error: any Error, path: String) -> String {
        if !FileManager.default.fileExists(atPath: path) { return "no such file" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return "not PEM (\(error))"
    }

    /// Writes a new self-signed certificate (ECDSA P-256, valid five years) and its key (mode 0600).
    static func createSelfSigned(in directory: String, hostnames: [String]) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            let key = P256.Signing.PrivateKey()
            let pem = try SelfSignedCertificate.make(key: key, hostnames: hostnames,
                                                     notBefore: Date(), lifetime: 5 * 365 * 86_400)
            let keyPath = directory + "/key.pem"
            guard FileManager.default.createFile(atPath: keyPath, contents: Data(key.pemRepresentation.utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw SetupError(description: "cannot write \(keyPath)")
            }
            try pem.write(toFile: directory + "/cert.pem", atomically: true, encoding: .utf8)
        } catch let error as SetupError {
            throw error
        } catch {
            throw SetupError(description: "cannot create a self-signed TLS certificate in \(directory): \(error)")
        }
    }
}
