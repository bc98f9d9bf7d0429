/// The IRCv3 capabilities of a registered session, kept current by `CAP NEW`, `DEL` and `ACK`
/// (`cap-notify`), as a value: the client machine feeds it `CAP` lines and sends what it asks for.
struct CapabilityTracker: Sendable, Hashable {
    enum Action: Sendable, Hashable {
        case none
        /// Request these newly offered capabilities (`CAP REQ`).
        case request([String])
    }

    /// Capabilities the server acknowledged.
    private(set) var enabled: Set<String>
    /// Capabilities we ask for whenever the server offers them.
    let wanted: [String]

    init(enabled: Set<String>, wanted: [String]) {
        self.enabled = enabled
        self.wanted = wanted
    }

    func contains(_ name: String) -> Bool { enabled.contains(name) }

    /// A `CAP <nick> NEW|DEL|ACK|… :entries` line received after registration.
    mutating func capReceived(subcommand: String, entries: [String]) -> Action {
        let names = entries.map { String($0.split(separator: "=", maxSplits: 1).first ?? "") }
        switch subcommand.uppercased() {
        case "NEW":
            let requested = wanted.filter { names.contains($0) && !enabled.contains($0) }
            return requested.isEmpty ? .none : .request(requested)
        case "DEL":
            for name in names { enabled.remove(name) }
            return .none
        case "ACK":
            for entry in entries {
                if entry.hasPrefix("-") { enabled.remove(String(entry.dropFirst())) } else { enabled.insert(entry) }
            }
            return .none
        default:
            // LS and LIST replies, NAK: nothing changes.
            return .none
        }
    }
}
