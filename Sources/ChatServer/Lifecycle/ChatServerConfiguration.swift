import ChatCore
import NIOCore

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

/// The I/O side of a server: where it listens and how it protects itself, plus the protocol
/// core's ``ServerConfiguration``.
public struct ChatServerConfiguration: Sendable {
    public var listen: BindAddress
    public var core: ServerConfiguration
    /// Event-loop threads; 1 keeps everything on one core.
    public var threads: Int
    public var keepalive: KeepaliveStateMachine.Configuration
    public var flood: FloodControl.Configuration
    /// Bytes that may wait for a slow reader before it is disconnected with "SendQ exceeded".
    public var sendQueueLimit: Int
    /// Set to link this server into a network of servers.
    public var federation: FederationConfiguration?
    /// Most connections an event loop writes before it reads its sockets again (0: no limit).
    /// A long flush is cut into slices so that lines arriving meanwhile join the outboxes still
    /// waiting in it, instead of waiting for the whole flush to end.
    public var flushSlice: Int
    /// Most client connections held at once; `nil`: as many as the open-file limit allows.
    public var maxClients: Int?

    public init(
        listen: BindAddress = .hostname(),
        core: ServerConfiguration = ServerConfiguration(),
        threads: Int = System.coreCount,
        keepalive: KeepaliveStateMachine.Configuration = .init(),
        flood: FloodControl.Configuration = .init(),
        sendQueueLimit: Int = 1 << 20,
        federation: FederationConfiguration? = nil,
        flushSlice: Int = 64,
        maxClients: Int? = nil
    ) {
        self.listen = listen
        self.core = core
        self.threads = threads
        self.keepalive = keepalive
        self.flood = flood
        self.sendQueueLimit = sendQueueLimit
        self.federation = federation
        self.flushSlice = flushSlice
        self.maxClients = maxClients
    }
}
