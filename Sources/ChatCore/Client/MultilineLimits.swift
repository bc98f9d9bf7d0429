/// What a server's `draft/multiline` capability allows (`max-bytes=…,max-lines=…`).
public struct MultilineLimits: Sendable, Hashable {
    public var maxBytes: Int
    public var maxLines: Int?

    /// Parses the capability's value; nil without a valid `max-bytes` (which the spec requires).
    public init?(capabilityValue: String) {
        var bytes: Int?
        var lines: Int?
        for pair in capabilityValue.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "max-bytes": bytes = Int(parts[1])
            case "max-lines": lines = Int(parts[1])
            default: break
            }
        }
        guard let bytes, bytes > 0 else { return nil }
        self.maxBytes = bytes
        self.maxLines = lines
    }

    /// Whether `lines` fit in one batch (bytes of text plus one per line break).
    public func allows(_ lines: [String]) -> Bool {
        let bytes = lines.reduce(0) { $0 + $1.utf8.count } + max(0, lines.count - 1)
        return bytes <= maxBytes && lines.count <= (maxLines ?? Int.max)
    }
}
