/// A registered account: its name (which is also the nick it owns), its credentials, and when it
/// was registered (the older registration wins a conflict between servers).
public struct Account: Sendable, Hashable {
    public var name: String
    public var credentials: AccountCredentials
    public var registered: Timestamp
    /// SHA-256 fingerprints (`AB:CD:…`) of the TLS client certificates that log in to it (SASL `EXTERNAL`).
    public var certificates: Set<String>

    public init(name: String, credentials: AccountCredentials, registered: Timestamp, certificates: Set<String> = []) {
        self.name = name
        self.credentials = credentials
        self.registered = registered
        self.certificates = certificates
    }
}
