import ChatCore

/// Whether to trust a server's certificate: the rule, as a value (no I/O), applied to what the
/// handshake presented.
///
/// - A certificate that chains to a trusted root, names the host and is within its validity is
///   accepted.
/// - A pinned fingerprint (from `known_servers` or `--tls-fingerprint`) identifies the server
///   instead: the same certificate is accepted (whatever names it holds), a different one is
///   refused loudly, an expired one is refused.
/// - Otherwise an expired certificate or one for another name is refused, and a certificate from
///   an unknown issuer (self-signed) is shown to the user, who may trust it once and for all
///   (trust on first use, as SSH does with host keys).
public enum ServerTrust {
    /// What checking the chain against the trusted roots found.
    public enum ChainCheck: Sendable, Hashable {
        case trusted
        /// It chains to a trusted root but is for other names.
        case otherName
        /// No trusted root issued it (self-signed or an unknown authority).
        case unknownIssuer
    }

    /// The leaf certificate's validity at the time of the check.
    public enum Validity: Sendable, Hashable {
        case current
        case expired(since: String)
        case notYetValid(until: String)
    }

    public enum Decision: Sendable, Hashable {
        case accept
        /// Refuse the connection; the text says why, for the user.
        case refuse(String)
        /// Ask the user whether to trust (and pin) this certificate.
        case ask(reason: String)
    }

    public static func decide(host: String, presented: CertificateFingerprint, pinned: CertificateFingerprint?,
                              chain: ChainCheck, validity: Validity) -> Decision {
        switch validity {
        case .current:
            break
        case .expired(let since):
            return .refuse("The certificate of \(host) expired on \(since): refusing to connect.")
        case .notYetValid(let until):
            return .refuse("The certificate of \(host) is not valid before \(until) (check this computer's clock): refusing to connect.")
        }
        if chain == .trusted { return .accept }
        if let pinned {
            if pinned == presented { return .accept }
            return .refuse("""
                WARNING: the certificate of \(host) has CHANGED. Expected SHA-256 \(pinned), got \(presented). \
                Someone may be intercepting the connection: refusing to connect. If the server's operator \
                confirms the new fingerprint, remove the old one from known_servers.
                """)
        }
        switch chain {
        case .trusted:
            return .accept
        case .otherName:
            return .refuse("The certificate of \(host) is for another name: refusing to connect.")
        case .unknownIssuer:
            return .ask(reason: "\(host) presented a certificate no trusted authority issued (self-signed?)")
        }
    }
}
