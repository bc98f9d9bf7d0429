/// What the server keeps of a password: a SCRAM-SHA-256 verifier (RFC 5802/7677), never the
/// password. `salt` and `iterations` feed PBKDF2-HMAC-SHA256; `storedKey` = SHA-256(ClientKey)
/// and `serverKey` = HMAC(SaltedPassword, "Server Key"). The same verifier checks a `PLAIN`
/// password and, later, a `SCRAM-SHA-256` exchange. Deriving it is slow on purpose (the I/O
/// layer does it off the event loop).
public struct AccountCredentials: Sendable, Hashable {
    public var salt: [UInt8]
    public var iterations: Int
    public var storedKey: [UInt8]
    public var serverKey: [UInt8]

    public init(salt: [UInt8], iterations: Int, storedKey: [UInt8], serverKey: [UInt8]) {
        self.salt = salt
        self.iterations = iterations
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// OWASP's 2023 figure for PBKDF2-HMAC-SHA256.
    public static let defaultIterations = 600_000

    /// `SCRAM-SHA-256$ITERATIONS$SALT$STOREDKEY$SERVERKEY` (base64 fields), as stored.
    public var encoded: String {
        "SCRAM-SHA-256$\(iterations)$\(Base64.encode(salt))$\(Base64.encode(storedKey))$\(Base64.encode(serverKey))"
    }

    public init?(encoded: String) {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 5, fields[0] == "SCRAM-SHA-256", let iterations = Int(fields[1]), iterations > 0,
              let salt = Base64.decode(fields[2]), let storedKey = Base64.decode(fields[3]),
              let serverKey = Base64.decode(fields[4]), storedKey.count == 32, serverKey.count == 32 else { return nil }
        self.init(salt: salt, iterations: iterations, storedKey: storedKey, serverKey: serverKey)
    }
}
