/// A registered account: its name (which is also the nick it owns), its credentials, and when it
/// was registered (the older registration wins a conflict between servers).
public struct Account: Sendable, Hashable {
    public var name: String
    public var credentials: AccountCredentials
    public var registered: Timestamp

    public init(name: String, credentials: AccountCredentials, registered: Timestamp) {
        self.name = name
        self.credentials = credentials
        self.registered = registered
    }
}
