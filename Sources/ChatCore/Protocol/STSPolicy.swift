/// An IRCv3 strict transport security policy (`sts` capability), as a server announces it and
/// as a client keeps it.
///
/// On a plaintext connection the server names the TLS port (`sts=port=6697`): the client must
/// reconnect there over TLS before registering. On a TLS connection it names how long the rule
/// lasts (`sts=duration=2592000`, seconds): the client must reach this host only over TLS until
/// then. `duration=0` withdraws the policy.
public struct STSPolicy: Sendable, Hashable {
    /// The TLS port (announced on plaintext connections).
    public var port: Int?
    /// Seconds the policy lasts (announced on TLS connections).
    public var duration: Int?
    /// The `preload` flag: the server agrees to be listed in clients' preload lists.
    public var preload: Bool

    public init(port: Int? = nil, duration: Int? = nil, preload: Bool = false) {
        self.port = port
        self.duration = duration
        self.preload = preload
    }

    /// Parses a `CAP LS` value such as `port=6697,duration=300`; unknown keys are ignored (as the
    /// specification asks), malformed numbers make the whole value invalid.
    public static func parse(_ value: String) -> STSPolicy? {
        var policy = STSPolicy()
        for pair in value.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0]
            let argument = parts.count > 1 ? String(parts[1]) : nil
            switch key {
            case "port":
                guard let argument, let port = Int(argument), (1...65535).contains(port) else { return nil }
                policy.port = port
            case "duration":
                guard let argument, let seconds = Int(argument), seconds >= 0 else { return nil }
                policy.duration = seconds
            case "preload":
                policy.preload = true
            default:
                continue
            }
        }
        return policy
    }

    /// The value the server announces: the port on a plaintext connection, the duration on TLS.
    public static func announcement(port: Int, duration: Int, secure: Bool) -> String {
        secure ? "duration=\(duration)" : "port=\(port)"
    }
}
