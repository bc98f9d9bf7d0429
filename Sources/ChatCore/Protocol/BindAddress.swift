/// Where a server listens: a host and a port (`0` picks a free port).
public struct BindAddress: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    public static func hostname(_ host: String = "127.0.0.1", port: Int = 6667) -> BindAddress {
        BindAddress(host: host, port: port)
    }

    /// Parses `HOST:PORT`, `[IPv6]:PORT`, `HOST` or `:PORT`.
    public static func parse(_ text: String, defaultPort: Int = 6667) -> BindAddress? {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.isEmpty { return BindAddress(host: host, port: defaultPort) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (0...65535).contains(port) else { return nil }
            return BindAddress(host: host, port: port)
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1:
            return text.isEmpty ? nil : BindAddress(host: text, port: defaultPort)
        case 2:
            guard let port = Int(parts[1]), (0...65535).contains(port) else { return nil }
            return BindAddress(host: parts[0].isEmpty ? "127.0.0.1" : String(parts[0]), port: port)
        default:
            return nil
        }
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
