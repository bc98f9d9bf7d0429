/// The client's account login (SASL `PLAIN`): the credentials and the `AUTHENTICATE` lines that
/// carry them.
public struct SASLLogin: Sendable, Hashable, CustomStringConvertible {
    public var account: String
    public var password: String
    /// Log in with the TLS client certificate (`EXTERNAL`) instead of the password.
    public var external: Bool

    public init(account: String, password: String, external: Bool = false) {
        self.account = account
        self.password = password
        self.external = external
    }

    public var mechanism: String { external ? "EXTERNAL" : "PLAIN" }

    /// What answers the server's `AUTHENTICATE +`.
    public var chunks: [String] { external ? [Base64.encode(Array(account.utf8))] : plainChunks }

    /// The `AUTHENTICATE` parameters of the `PLAIN` payload: base64 in chunks of 400, with `+`
    /// after a last chunk of exactly 400.
    public var plainChunks: [String] {
        let payload = Base64.encode(Array(("\0" + account + "\0" + password).utf8))
        var chunks: [String] = []
        var rest = Substring(payload)
        while rest.utf8.count >= 400 {
            chunks.append(String(rest.prefix(400)))
            rest = rest.dropFirst(400)
        }
        chunks.append(rest.isEmpty ? "+" : String(rest))
        return chunks
    }

    /// Never the password (configurations may be logged).
    public var description: String { "SASLLogin(account: \(account))" }
}
