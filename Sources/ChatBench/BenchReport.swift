import Foundation

/// Everything one run measured; printed as text or as JSON (`--json`).
struct BenchReport: Codable, Sendable {
    var mode: String
    var host: String
    /// The first (or only) port; `ports` lists all of them (client i used `ports[i % count]`).
    var port: Int
    var ports: [Int]
    var clients: Int
    var senders: Int
    var channels: Int
    var rate: Double?
    var window: Int?
    var messageSize: Int
    var durationSeconds: Double
    var warmupSeconds: Double
    var generatorThreads: Int

    var connectionsEstablished: Int
    var registered: Int
    var ready: Int
    var setupFailures: Int
    var failureReasons: [String: Int]
    var registrationSeconds: Double
    var setupSeconds: Double
    var complete: Bool

    var messagesSent: UInt64
    var messagesSentMeasured: UInt64
    var deliveriesExpected: UInt64
    var deliveriesReceived: UInt64
    var lost: Int64
    var duplicatesOrReordered: UInt64
    var sequenceGaps: UInt64
    var deliveriesPerSecond: Double
    var messagesPerSecond: Double
    var latencyP50Ms: Double
    var latencyP90Ms: Double
    var latencyP99Ms: Double
    var latencyP999Ms: Double
    var latencyMaxMs: Double
    var latencyMeanMs: Double

    /// Sampled server processes; the server* values below are sums over all of them.
    var serverPIDs: [Int32]
    var serverCPUSeconds: Double?
    var serverCPUSecondsTotal: Double?
    /// CPU seconds in the measured window per process, in `serverPIDs` order.
    var serverCPUSecondsPerProcess: [Double]?
    var serverRSSBeforeKiB: Int?
    var serverRSSAfterKiB: Int?
    /// Sum of each process's own peak RSS (VmHWM); the peaks need not have been simultaneous.
    var serverPeakRSSKiB: Int?
    var serverPeakRSSKiBPerProcess: [Int]?
    var serverBytesPerConnection: Double?
    var generatorCPUSeconds: Double
    var generatorCPUSecondsTotal: Double
    var generatorPeakRSSKiB: Int

    var errorLines: UInt64
    var kicks: UInt64
    var errorNumerics: UInt64
    var disconnects: UInt64
    var nickRetries: UInt64
    var firstError: String?
    var notes: [String]

    func printText() {
        func f(_ v: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", v) }
        var lines: [(String, String)] = [
            ("mode", mode + (rate.map { " rate=\(f($0)) msg/s/sender" } ?? "") + (window.map { " window=\($0)" } ?? "")),
            ("target", "\(host):" + ports.map(String.init).joined(separator: ",")
                + (ports.count > 1 ? " (client i → port i % \(ports.count))" : "")),
            ("clients / senders / channels", "\(clients) / \(senders) / \(channels)"),
            ("connections established", "\(connectionsEstablished) (registered \(registered), ready \(ready), failed \(setupFailures))"),
            ("registration time", "\(f(registrationSeconds, 3)) s (setup incl. join \(f(setupSeconds, 3)) s)"),
        ]
        if mode != BenchMode.idle.rawValue {
            lines += [
                ("measured window", "\(f(durationSeconds, 1)) s after \(f(warmupSeconds, 1)) s warm-up"),
                ("messages sent", "\(messagesSent) (measured \(messagesSentMeasured), \(f(messagesPerSecond, 0))/s)"),
                ("deliveries expected / received", "\(deliveriesExpected) / \(deliveriesReceived)"),
                ("lost / dup-or-reordered / seq gaps", "\(lost) / \(duplicatesOrReordered) / \(sequenceGaps)"),
                ("deliveries/s", f(deliveriesPerSecond, 0)),
                ("latency p50 / p90 / p99 / p99.9 / max", "\(f(latencyP50Ms, 3)) / \(f(latencyP90Ms, 3)) / \(f(latencyP99Ms, 3)) / \(f(latencyP999Ms, 3)) / \(f(latencyMaxMs, 3)) ms"),
            ]
        }
        if serverPIDs.count > 1 {
            lines.append(("server PIDs (summed)", serverPIDs.map(String.init).joined(separator: ", ")))
        }
        if let serverCPUSeconds, let serverCPUSecondsTotal {
            var value = "\(f(serverCPUSeconds)) s in window (\(f(serverCPUSecondsTotal)) s whole run)"
            if let perProcess = serverCPUSecondsPerProcess, perProcess.count > 1 {
                value += "; per process " + perProcess.map { f($0) }.joined(separator: " + ")
            }
            lines.append(("server CPU", value))
        }
        if let before = serverRSSBeforeKiB, let after = serverRSSAfterKiB, let peak = serverPeakRSSKiB {
            var value = "\(before) / \(after) / \(peak) KiB"
            if let perProcess = serverPeakRSSKiBPerProcess, perProcess.count > 1 {
                value += " (peaks " + perProcess.map(String.init).joined(separator: " + ") + ")"
            }
            lines.append(("server RSS before / after / peak", value))
        }
        if let serverBytesPerConnection {
            lines.append(("server memory per connection", "\(f(serverBytesPerConnection / 1024, 2)) KiB"))
        }
        lines += [
            ("generator CPU", "\(f(generatorCPUSeconds)) s in window (\(f(generatorCPUSecondsTotal)) s whole run), peak RSS \(generatorPeakRSSKiB) KiB"),
            ("ERROR / KICK / error numerics / disconnects", "\(errorLines) / \(kicks) / \(errorNumerics) / \(disconnects)"),
        ]
        if let firstError { lines.append(("first error", firstError)) }
        for (reason, count) in failureReasons.sorted(by: { $0.value > $1.value }).prefix(5) {
            lines.append(("setup failure", "\(count)× \(reason)"))
        }
        for note in notes { lines.append(("note", note)) }
        let width = lines.map(\.0.count).max() ?? 0
        for (key, value) in lines {
            print(key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
        }
    }

    func printJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(self)
        print(String(decoding: data, as: UTF8.self))
    }
}
