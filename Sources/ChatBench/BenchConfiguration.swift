import ArgumentParser

/// What the clients do once they are connected.
enum BenchMode: String, ExpressibleByArgument, CaseIterable, Codable, Sendable {
    /// Each sender sends `rate` messages per second, whatever the server does.
    case paced
    /// Each sender keeps at most `window` messages that its observer has not yet seen.
    case closed
    /// Clients only register (no channel); measures memory per connection and registration time.
    case idle
}

/// The validated, immutable settings of one run, shared by every connection.
struct BenchConfiguration: Sendable {
    var host: String
    /// Server ports; client i connects to `ports[i % ports.count]` (one entry without `--ports`).
    var ports: [Int]
    var clients: Int
    var senders: Int
    var channels: Int
    var mode: BenchMode
    var rate: Double
    var window: Int
    var durationSeconds: Double
    var warmupSeconds: Double
    var messageSize: Int
    /// Server processes sampled via /proc; CPU time and RSS are summed over all of them.
    var serverPIDs: [Int32]
    var threads: Int
    var maxInFlight: Int
    var setupTimeoutSeconds: Double
    var drainTimeoutSeconds: Double
    var nickPrefix: String
    var channelPrefix: String
    var quiet: Bool
    /// Connections use TLS (certificate not checked).
    var tls: Bool = false

    var joinsChannels: Bool { mode != .idle }
    var effectiveSenders: Int { mode == .idle ? 0 : senders }

    func nick(for client: Int) -> String { nickPrefix + String(client) }
    /// The port client `client` connects to (round-robin over `ports`).
    func port(for client: Int) -> Int { ports[client % ports.count] }
    func channelIndex(for client: Int) -> Int { client % channels }
    func channelName(_ index: Int) -> String { channelPrefix + String(index) }
    /// Clients `0..<senders` send; with `client % threads` choosing the event loop, senders are
    /// spread evenly over the loops.
    func isSender(_ client: Int) -> Bool { client < effectiveSenders }
}
