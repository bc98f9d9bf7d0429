import ArgumentParser
import ChatCore
import ChatServer
import Foundation
import Logging

/// `chatty-history-bench`: the history store's own figures, without a network in the way.
///
/// 1. Sustained writes: `--messages` channel messages through ``HistoryWriter`` (the server's real
///    path: one `record` per delivered message, group commit on the history thread), until the
///    last is on disk.
/// 2. `CHATHISTORY LATEST #chatty * 100` against the store that now holds them: latency percentiles.
@main
struct HistoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatty-history-bench",
        abstract: "History store benchmark: sustained writes per second and CHATHISTORY latency."
    )

    @Option(help: "Messages to write.") var messages = 1_000_000
    @Option(help: "Conversations the messages are spread over (the first is #chatty).") var conversations = 10
    @Option(help: "Bytes of text per message.") var textSize = 64
    @Option(help: "CHATHISTORY LATEST queries to time.") var queries = 2_000
    @Option(help: "Messages per query.") var limit = 100
    @Option(help: "Directory for the database (default: a fresh temporary one, removed afterwards).") var directory: String?
    @Flag(help: "Print one JSON object instead of text.") var json = false

    func run() throws {
        let path = directory ?? NSTemporaryDirectory() + "chatty-history-bench-\(UUID().uuidString)"
        defer { if directory == nil { try? FileManager.default.removeItem(atPath: path) } }
        let store = try HistoryStore(directory: path)
        let entries = makeEntries()

        // 1. Sustained writes through the writer thread.
        let writer = HistoryWriter(store: store, capacity: messages + 1, logger: Logger(label: "bench"))
        let cpuBefore = Self.processCPUSeconds()
        let start = DispatchTime.now().uptimeNanoseconds
        for entry in entries { writer.record(entry) }
        let queued = DispatchTime.now().uptimeNanoseconds
        writer.stop()
        let end = DispatchTime.now().uptimeNanoseconds
        let writeCPUMicroseconds = (Self.processCPUSeconds() - cpuBefore) * 1e6 / Double(max(1, messages))
        let statistics = writer.currentStatistics
        // 2. The indexes the writer left for later (it spends at most a tenth of its time on them
        // while messages keep coming), caught up as the first query would.
        let indexStart = Self.processCPUSeconds()
        try store.catchUpIndexes()
        let indexCPUMicroseconds = (Self.processCPUSeconds() - indexStart) * 1e6 / Double(max(1, messages))
        let seconds = Double(end - start) / 1e9
        let writesPerSecond = Double(statistics.written) / seconds
        let recordNanoseconds = Double(queued - start) / Double(messages)

        // 3. LATEST on the full store.
        var latencies: [Double] = []
        latencies.reserveCapacity(queries)
        let request = HistoryRequest(client: ClientID(0), uid: "bench",
                                     query: HistoryQuery(target: "#chatty", selection: .latest(after: nil), limit: limit),
                                     conversation: "#chatty", channels: ["#chatty"], nick: "bench", label: nil)
        var returned = 0
        for _ in 0..<queries {
            let before = DispatchTime.now().uptimeNanoseconds
            returned = try store.entries(request).count
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - before) / 1e6)
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }

        // 4. TARGETS over every conversation of the last day (a client's start-up question).
        let channels = ["#chatty"] + (1..<max(1, conversations)).map { "#room\($0)" }
        let now = Date().timeIntervalSince1970 * 1000
        let targets = HistoryRequest(client: ClientID(0), uid: "bench",
                                     query: HistoryQuery(target: "*", selection: .targets(from: Timestamp(millisecondsSinceEpoch: Int64(now) - 86_400_000),
                                                                                          to: Timestamp(millisecondsSinceEpoch: Int64(now) + 86_400_000)),
                                                         limit: 50),
                                     conversation: "", channels: channels, nick: "bench", label: nil)
        var targetLatencies: [Double] = []
        var targetsFound = 0
        for _ in 0..<max(1, queries / 10) {
            let before = DispatchTime.now().uptimeNanoseconds
            targetsFound = try store.targets(targets).count
            targetLatencies.append(Double(DispatchTime.now().uptimeNanoseconds - before) / 1e6)
        }
        targetLatencies.sort()
        let targetsMedian = targetLatencies[targetLatencies.count / 2]
        let size = (try? FileManager.default.attributesOfItem(atPath: path + "/history.sqlite")[.size] as? Int) ?? 0

        if json {
            print("""
                {"messages":\(messages),"written":\(statistics.written),"lost":\(statistics.lost),"commits":\(statistics.commits),\
                "seconds":\(seconds),"writes_per_second":\(Int(writesPerSecond)),"record_ns":\(Int(recordNanoseconds)),\
                "write_cpu_us_per_message":\(writeCPUMicroseconds),"index_cpu_us_per_message":\(indexCPUMicroseconds),\
                "latest_limit":\(limit),"latest_returned":\(returned),"latest_p50_ms":\(percentile(0.5)),\
                "latest_p99_ms":\(percentile(0.99)),"latest_max_ms":\(latencies.last ?? 0),"targets_found":\(targetsFound),\
                "targets_p50_ms":\(targetsMedian),"database_bytes":\(size)}
                """)
        } else {
            print("history writes: \(statistics.written) of \(messages) messages in \(String(format: "%.2f", seconds)) s"
                  + " = \(Int(writesPerSecond)) messages/s (\(statistics.commits) commits, \(statistics.lost) lost;"
                  + " record() \(Int(recordNanoseconds)) ns each on the caller's thread)")
            print("CPU per message: \(String(format: "%.2f", writeCPUMicroseconds)) µs to queue and write (both threads),"
                  + " \(String(format: "%.2f", indexCPUMicroseconds)) µs for the indexes still to build after the writes")
            print("CHATHISTORY LATEST #chatty * \(limit) on \(try store.count()) stored messages: \(returned) returned;"
                  + " p50 \(String(format: "%.3f", percentile(0.5))) ms, p99 \(String(format: "%.3f", percentile(0.99))) ms,"
                  + " max \(String(format: "%.3f", latencies.last ?? 0)) ms over \(queries) queries")
            print("CHATHISTORY TARGETS (\(channels.count) channels, last day): \(targetsFound) found; p50 \(String(format: "%.3f", targetsMedian)) ms")
            print("database: \(size / 1_000_000) MB")
        }
    }

    /// CPU time (user and system) of this process so far.
    private static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Channel messages as the server stores them (tags, source, text), round-robin over the conversations.
    private func makeEntries() -> [HistoryRecord] {
        let base = Int64(Date().timeIntervalSince1970 * 1000)
        let text = String(repeating: "x", count: max(1, textSize))
        return (0..<messages).map { index in
            let conversation = index % conversations == 0 ? "#chatty" : "#room\(index % conversations)"
            let time = Timestamp(millisecondsSinceEpoch: base + Int64(index / 100))
            let message = IRCMessage(tags: [.init("time", time.iso8601), .init("msgid", "bench-\(String(index, radix: 36))")],
                                     source: "user\(index % 50)!u@127.0.0.1", command: "PRIVMSG",
                                     parameters: [conversation, text])
            return HistoryRecord(conversation: conversation, time: time, message: message)
        }
    }
}
