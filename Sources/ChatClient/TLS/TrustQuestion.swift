import ChatCore
import NIOConcurrencyHelpers

/// A server's certificate is not vouched for by any trusted authority: should it be trusted?
/// The user answers once; `true` pins the fingerprint in `known_servers` and lets the handshake
/// go on, `false` refuses the connection.
public final class TrustQuestion: Sendable, Hashable {
    /// `host:port`.
    public let address: String
    public let fingerprint: CertificateFingerprint
    /// Why it is asked, for the user.
    public let reason: String
    private let reply: NIOLockedValueBox<(@Sendable (Bool) -> Void)?>

    public init(address: String, fingerprint: CertificateFingerprint, reason: String,
                reply: @escaping @Sendable (Bool) -> Void) {
        self.address = address
        self.fingerprint = fingerprint
        self.reason = reason
        self.reply = NIOLockedValueBox(reply)
    }

    /// Answers the question (only the first answer counts).
    public func answer(trust: Bool) {
        let reply = self.reply.withLockedValue { reply in
            defer { reply = nil }
            return reply
        }
        reply?(trust)
    }

    public var isAnswered: Bool { reply.withLockedValue { $0 == nil } }

    /// One question is one object.
    public static func == (lhs: TrustQuestion, rhs: TrustQuestion) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
