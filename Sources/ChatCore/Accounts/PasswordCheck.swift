/// A password the server must check or turn into credentials, off the event loop (PBKDF2 is slow
/// on purpose); the answer comes back as ``ServerState/passwordChecked(_:valid:now:)`` or
/// ``ServerState/accountCreated(_:credentials:now:)``.
public struct PasswordCheck: Sendable, Hashable {
    public enum Purpose: Sendable, Hashable {
        /// SASL `PLAIN`: compare with the account's credentials.
        case login(AccountCredentials)
        /// `REGISTER`: derive new credentials.
        case register
        /// SCRAM-SHA-256: make the server-first message (a fresh nonce after `clientNonce`, the salt
        /// and iterations); answer with ``ServerState/serverFirstMade(_:serverFirst:now:)``.
        case scramServerFirst(AccountCredentials, clientNonce: String)
        /// SCRAM-SHA-256: check the client's proof; answer with ``ServerState/proofChecked(_:serverSignature:now:)``.
        case scramProof(AccountCredentials, authMessage: String, proof: [UInt8])
    }

    public var client: ClientID
    /// The connection's unique id: the answer is dropped if the client is gone.
    public var uid: String
    public var account: String
    public var password: String
    public var purpose: Purpose

    public init(client: ClientID, uid: String, account: String, password: String, purpose: Purpose) {
        self.client = client
        self.uid = uid
        self.account = account
        self.password = password
        self.purpose = purpose
    }
}

extension PasswordCheck: CustomStringConvertible {
    /// Never the password: this may be logged.
    public var description: String { "PasswordCheck(client: \(client), account: \(account))" }
}
