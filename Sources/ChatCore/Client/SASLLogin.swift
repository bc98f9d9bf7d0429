/// The client's account login (SASL `PLAIN`): the credentials and the `AUTHENTICATE` lines that
/// carry them.
public struct SASLLogin: Sendable, Hashable, CustomStringConvertible {
    public var account: String
    public var password: String

    public init(account: String, password: String) {
        self.account = account
        self.password = password
    }

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
