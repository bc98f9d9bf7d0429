import NIOSSL

/// A TLS connection failed (handshake or later): a short text for the user instead of NIOSSL's.
struct TLSFailure: Error, CustomStringConvertible {
    let underlying: NIOSSLError

    var description: String {
        switch underlying {
        case .handshakeFailed:
            "TLS handshake failed (certificate refused, or the port does not speak TLS)"
        case .uncleanShutdown:
            "the TLS connection was cut without a TLS close"
        default:
            "TLS error: \(underlying)"
        }
    }
}
