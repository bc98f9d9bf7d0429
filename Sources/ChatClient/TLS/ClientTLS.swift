import ChatCore
import Crypto
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOSSL
import SwiftASN1
import X509

/// Everything the client needs for TLS: the trusted roots (the system's, plus `--tls-ca`), the
/// pins (`known_servers`, `--tls-fingerprint`), the kept `sts` policies, and how to ask the user
/// about a certificate nobody vouches for.
///
/// The certificate check runs in NIOSSL's verification callback (``verify(_:host:port:promise:)``):
/// chain and name with swift-certificates' `Verifier`, then ``ServerTrust``'s rule.
public final class ClientTLS: Sendable {
    public let knownServers: KnownServers
    public let policies: STSPolicyStore
    /// Pins given on the command line (`--tls-fingerprint`), for every server of this run.
    public let fingerprints: [CertificateFingerprint]
    private let extraRoots: [Certificate]
    private let rootsBox = NIOLockedValueBox<CertificateStore?>(nil)
    private let context: NIOSSLContext
    /// Asks the user (the full-screen client); `nil`: nobody to ask (line mode), refuse instead.
    private let ask: (@Sendable (TrustQuestion) -> Void)?
    /// Tells the user why a certificate was refused.
    private let report: @Sendable (String) -> Void

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// - Parameters:
    ///   - caFile: more trusted roots (PEM), e.g. a private authority's.
    ///   - environment: for the ``ConfigDirectory`` and `SSL_CERT_FILE`.
    /// - Parameter clientCertificate: a certificate and key (PEM files) to present, for SASL `EXTERNAL`.
    public init(caFile: String? = nil, fingerprints: [CertificateFingerprint] = [],
                clientCertificate: (certificate: String, key: String)? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                ask: (@Sendable (TrustQuestion) -> Void)?, report: @escaping @Sendable (String) -> Void) throws {
        let directory = ConfigDirectory.path(environment: environment)
        knownServers = KnownServers(path: directory.map { $0 + "/known_servers" })
        policies = STSPolicyStore(path: directory.map { $0 + "/sts" })
        self.fingerprints = fingerprints
        self.ask = ask
        self.report = report
        if let caFile {
            guard let data = FileManager.default.contents(atPath: caFile) else {
                throw SetupError(description: "cannot read --tls-ca \(caFile)")
            }
            let roots = Self.certificates(inPEM: String(decoding: data, as: UTF8.self))
            guard !roots.isEmpty else { throw SetupError(description: "--tls-ca \(caFile) holds no PEM certificate") }
            extraRoots = roots
        } else {
            extraRoots = []
        }
        self.systemRootsPath = environment["SSL_CERT_FILE"]
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let clientCertificate {
            do {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(clientCertificate.certificate).map { .certificate($0) }
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: clientCertificate.key, format: .pem))
            } catch {
                throw SetupError(description: "cannot read the client certificate \(clientCertificate.certificate) or its key: \(error)")
            }
        }
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SetupError(description: "TLS is not available: \(error)")
        }
    }

    private let systemRootsPath: String?

    /// The handler that makes a connection to `host:port` TLS, with this client's check.
    public func makeHandler(host: String, port: Int) throws -> NIOSSLClientHandler {
        // SNI takes names only, not addresses.
        let name = HostAddress.isIPAddress(host) ? nil : host
        return try NIOSSLClientHandler(context: context, serverHostname: name) { [self] certificates, promise in
            verify(certificates, host: host, port: port, promise: promise)
        }
    }

    /// The verification callback: decides on the event loop's behalf, off it.
    func verify(_ presented: [NIOSSLCertificate], host: String, port: Int,
                promise: EventLoopPromise<NIOSSLVerificationResult>) {
        let address = ServerEndpoint(host: host, port: port).address
        Task {
            let decision: ServerTrust.Decision
            let fingerprint: CertificateFingerprint
            do {
                let chain = try presented.map { try Certificate(derEncoded: $0.toDERBytes()) }
                guard let leaf = chain.first else { throw SetupError(description: "no certificate") }
                fingerprint = CertificateFingerprint(sha256Digest: Array(SHA256.hash(data: try presented[0].toDERBytes())))!
                let check = await Self.checkChain(leaf: leaf, intermediates: Array(chain.dropFirst()), host: host,
                                                  roots: roots())
                let pinned = fingerprints.first ?? knownServers.fingerprint(for: address)
                decision = ServerTrust.decide(host: address, presented: fingerprint, pinned: pinned, chain: check,
                                              validity: Self.validity(of: leaf, at: Date()))
            } catch {
                report("TLS: the certificate of \(address) cannot be read (\(error)): refusing to connect.")
                promise.succeed(.failed)
                return
            }
            switch decision {
            case .accept:
                // A fingerprint the user gave on the command line is pinned once it matched.
                if let given = fingerprints.first, given == fingerprint, knownServers.fingerprint(for: address) != given {
                    try? knownServers.pin(given, for: address)
                }
                promise.succeed(.certificateVerified)
            case .refuse(let text):
                report("TLS: " + text)
                promise.succeed(.failed)
            case .ask(let reason):
                guard let ask else {
                    report("""
                        TLS: \(reason); its SHA-256 fingerprint is \(fingerprint). Refusing to connect. If that is the \
                        fingerprint the server's operator gave you, connect once with the full-screen client and \
                        /trust it, or pass --tls-fingerprint \(fingerprint).
                        """)
                    promise.succeed(.failed)
                    return
                }
                let knownServers = self.knownServers
                let report = self.report
                ask(TrustQuestion(address: address, fingerprint: fingerprint, reason: reason) { trust in
                    guard trust else {
                        report("TLS: certificate of \(address) not trusted: not connecting.")
                        promise.succeed(.failed)
                        return
                    }
                    do {
                        try knownServers.pin(fingerprint, for: address)
                    } catch {
                        report("TLS: could not save the pin in \(knownServers.path ?? "known_servers") (\(error)); trusted for this connection only.")
                    }
                    promise.succeed(.certificateVerified)
                })
            }
        }
    }

    /// The system's trusted roots (`SSL_CERT_FILE`, or the usual bundle paths), plus `--tls-ca`;
    /// read once.
    private func roots() -> CertificateStore {
        rootsBox.withLockedValue { cached in
            if let cached { return cached }
            var certificates = extraRoots
            let candidates = [systemRootsPath, "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
                              "/etc/ssl/cert.pem"].compactMap { $0 }
            for path in candidates {
                if let data = FileManager.default.contents(atPath: path) {
                    certificates += Self.certificates(inPEM: String(decoding: data, as: UTF8.self))
                    break
                }
            }
            let store = CertificateStore(certificates)
            cached = store
            return store
        }
    }

    static func certificates(inPEM text: String) -> [Certificate] {
        guard let documents = try? PEMDocument.parseMultiple(pemString: text) else { return [] }
        return documents.compactMap { try? Certificate(pemDocument: $0) }
    }

    /// Chain and name, checked separately so that the user is told which failed.
    static func checkChain(leaf: Certificate, intermediates: [Certificate], host: String,
                           roots: CertificateStore) async -> ServerTrust.ChainCheck {
        let ip = HostAddress.isIPAddress(host)
        var full = Verifier(rootCertificates: roots) {
            RFC5280Policy()
            ServerIdentityPolicy(serverHostname: ip ? nil : host, serverIP: ip ? host : nil)
        }
        if case .validCertificate = await full.validate(leaf: leaf, intermediates: CertificateStore(intermediates)) {
            return .trusted
        }
        var chainOnly = Verifier(rootCertificates: roots) { RFC5280Policy() }
        if case .validCertificate = await chainOnly.validate(leaf: leaf, intermediates: CertificateStore(intermediates)) {
            return .otherName
        }
        return .unknownIssuer
    }

    static func validity(of certificate: Certificate, at now: Date) -> ServerTrust.Validity {
        let format = Date.ISO8601FormatStyle()
        if now > certificate.notValidAfter { return .expired(since: certificate.notValidAfter.formatted(format)) }
        if now < certificate.notValidBefore { return .notYetValid(until: certificate.notValidBefore.formatted(format)) }
        return .current
    }
}
