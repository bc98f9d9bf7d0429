/// A server to connect to, as a user names it: `ircs://HOST[:PORT]` (TLS, port 6697 by default),
/// `irc://HOST[:PORT]` (plaintext, 6667) or `HOST[:PORT]` (plaintext, 6667).
public struct ServerEndpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// Connect with TLS.
    public var tls: Bool

    public init(host: String, port: Int, tls: Bool = false) {
        self.host = host
        self.port = port
        self.tls = tls
    }

    public static let defaultPort = 6667
    public static let defaultTLSPort = 6697

    /// Parses one server as the user wrote it; `nil` when it is not a server address.
    public static func parse(_ text: String) -> ServerEndpoint? {
        var rest = Substring(text)
        var tls = false
        for (scheme, secure) in [("ircs://", true), ("irc://", false)] where rest.lowercased().hasPrefix(scheme) {
            tls = secure
            rest = rest.dropFirst(scheme.count)
            if rest.hasSuffix("/") { rest = rest.dropLast() }
        }
        if rest.contains(where: { $0 == ":" }), rest.split(separator: ":").first?.contains("/") == true { return nil }
        guard !rest.isEmpty, !rest.contains("/"),
              let address = BindAddress.parse(String(rest), defaultPort: tls ? defaultTLSPort : defaultPort),
              !address.host.isEmpty, address.port > 0 else { return nil }
        return ServerEndpoint(host: address.host, port: address.port, tls: tls)
    }

    /// `host:port` (brackets around an IPv6 address), the key for pins and policies.
    public var address: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    public var description: String { (tls ? "ircs://" : "") + address }
}
