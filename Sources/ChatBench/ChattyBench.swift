import ArgumentParser
import Foundation
import NIOCore

/// Command-line interface of `chatty-bench`.
struct ChattyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatty-bench",
        abstract: "Plain-IRC load generator: channel fan-out latency, loss and per-connection memory.",
        discussion: """
            N clients register (NICK/USER, wait for 376/422) with bounded concurrency and join one \
            of C channels round-robin. K of them send PRIVMSGs carrying a monotonic send time and \
            a per-sender sequence number; every receiver records fan-out latency and checks the \
            sequence. --mode idle only registers and reports server memory per connection.
            """
    )

    @Option(help: "Server address.") var host = "127.0.0.1"
    @Option(help: "Server port (or use --ports).") var port: Int?
    @Option(
        name: .customLong("ports"),
        help: ArgumentHelp(
            "Comma-separated server ports, e.g. of linked servers; client i connects to the (i % n)-th.",
            valueName: "p1,p2,..."),
        transform: ChattyBench.parsePorts)
    var portList: [Int]?
    @Option(help: "Number of client connections.") var clients = 100
    @Option(help: "How many of the clients send (ignored in idle mode).") var senders = 10
    @Option(help: "Number of channels; client i joins channel i % C.") var channels = 1
    @Option(help: "paced, closed or idle.") var mode = BenchMode.closed
    @Option(help: "Paced mode: messages per second per sender.") var rate = 1.0
    @Option(help: "Closed mode: messages per sender not yet seen by its observer.") var window = 50
    @Option(help: "Measured seconds (idle mode: seconds to hold the connections).") var duration = 10.0
    @Option(help: "Seconds of sending before measuring starts.") var warmup = 2.0
    @Option(name: .customLong("message-size"), help: "Bytes of PRIVMSG text (at least the header, at most 400).")
    var messageSize = 64
    @Option(
        name: .customLong("server-pid"),
        help: "Server process to sample for CPU time and RSS via /proc (repeatable: values are summed).")
    var serverPIDs: [Int32] = []
    @Option(help: "Generator event loops (default: one per core).") var threads = System.coreCount
    @Option(
        name: .customLong("max-in-flight"),
        help: "Connections connecting/registering concurrently (ngircd's listen backlog is only 10).")
    var maxInFlight = 64
    @Option(name: .customLong("setup-timeout"), help: "Seconds allowed for connecting, registering and joining.")
    var setupTimeout = 120.0
    @Option(name: .customLong("drain-timeout"), help: "Seconds to wait after sending stops for outstanding deliveries.")
    var drainTimeout = 10.0
    @Option(name: .customLong("nick-prefix"), help: "Nicknames are <prefix><client index>.") var nickPrefix = "cb"
    @Option(name: .customLong("channel-prefix"), help: "Channels are <prefix><index>.") var channelPrefix = "#bench"
    @Flag(help: "Connect with TLS (the server's certificate is not checked: a benchmark on loopback).") var tls = false
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Flag(help: "No progress output on stderr.") var quiet = false

    /// Parses `--ports 6667,6668`: comma-separated, each 1...65535.
    static func parsePorts(_ text: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        var ports: [Int] = []
        for part in parts {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let port = Int(trimmed), (1...65535).contains(port) else {
                throw ValidationError("--ports: '\(trimmed)' is not a port (1...65535)")
            }
            ports.append(port)
        }
        guard !ports.isEmpty else { throw ValidationError("--ports needs at least one port") }
        return ports
    }

    /// `--port P` or `--ports P1,P2,...` (exactly one of them).
    var resolvedPorts: [Int] {
        if let portList { return portList }
        return port.map { [$0] } ?? []
    }

    func validate() throws {
        switch (port, portList) {
        case (nil, nil): throw ValidationError("give --port or --ports")
        case (.some, .some): throw ValidationError("give either --port or --ports, not both")
        case (.some(let port), nil):
            guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
        case (nil, .some): break  // checked by parsePorts
        }
        guard serverPIDs.allSatisfy({ $0 > 0 }) else { throw ValidationError("--server-pid must be positive") }
        guard Set(serverPIDs).count == serverPIDs.count else { throw ValidationError("--server-pid given twice for the same PID") }
        guard clients >= 1 else { throw ValidationError("--clients must be at least 1") }
        guard channels >= 1, channels <= clients else { throw ValidationError("--channels must be 1...clients") }
        if mode != .idle {
            guard senders >= 1, senders <= clients else { throw ValidationError("--senders must be 1...clients") }
            guard duration > 0 else { throw ValidationError("--duration must be positive") }
        }
        guard warmup >= 0, duration >= 0 else { throw ValidationError("--warmup/--duration must not be negative") }
        guard rate > 0 else { throw ValidationError("--rate must be positive") }
        guard window >= 1 else { throw ValidationError("--window must be at least 1") }
        guard (24...400).contains(messageSize) else { throw ValidationError("--message-size must be 24...400") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard maxInFlight >= 1 else { throw ValidationError("--max-in-flight must be at least 1") }
        guard nickPrefix.first?.isLetter == true else { throw ValidationError("--nick-prefix must start with a letter") }
        guard channelPrefix.first == "#" || channelPrefix.first == "&" else {
            throw ValidationError("--channel-prefix must start with # or &")
        }
    }

    func run() throws {
        let config = BenchConfiguration(
            host: host, ports: resolvedPorts, clients: clients, senders: senders, channels: channels, mode: mode,
            rate: rate, window: window, durationSeconds: duration, warmupSeconds: warmup,
            messageSize: messageSize, serverPIDs: serverPIDs, threads: threads, maxInFlight: maxInFlight,
            setupTimeoutSeconds: setupTimeout, drainTimeoutSeconds: drainTimeout, nickPrefix: nickPrefix,
            channelPrefix: channelPrefix, quiet: quiet, tls: tls)
        let report = try BenchRunner(config: config).run()
        if json { try report.printJSON() } else { report.printText() }
    }
}
