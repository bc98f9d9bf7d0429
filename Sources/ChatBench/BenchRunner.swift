#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOPosix

/// Runs one benchmark: setup, measurement, drain, report. Every phase has a deadline, so a
/// run always ends by itself.
struct BenchRunner {
    let config: BenchConfiguration

    private func log(_ message: String) {
        guard !config.quiet else { return }
        var line = "chatty-bench: " + message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    private func sleep(seconds: Double) {
        guard seconds > 0 else { return }
        usleep(UInt32(min(seconds, 3600) * 1_000_000))
    }

    private func sleep(until deadline: UInt64) {
        let now = monotonicNanos()
        if deadline > now { sleep(seconds: Double(deadline - now) / 1e9) }
    }

    private func snapshot(_ stats: [NIOLoopBound<LoopStats>], histogram: Bool) throws -> LoopStats.Snapshot {
        var total = LoopStats.Snapshot()
        for bound in stats {
            total.merge(try bound.eventLoop.submit { bound.value.snapshot(includeHistogram: histogram) }.wait())
        }
        return total
    }

    func run() throws -> BenchReport {
        var notes: [String] = []
        let fileLimit = ProcessStats.raiseFileLimit()
        if fileLimit >= 0, fileLimit < config.clients + 32 {
            notes.append("open-files limit \(fileLimit) is below clients+32; some connections will fail")
        }

        let group = MultiThreadedEventLoopGroup(numberOfThreads: config.threads)
        defer { try? group.syncShutdownGracefully() }
        let loops = Array(group.makeIterator())
        let stats = try loops.map { loop in
            try loop.submit { NIOLoopBound(LoopStats(), eventLoop: loop) }.wait()
        }

        let serverBefore = sampleServers()
        if !config.serverPIDs.isEmpty, serverBefore == nil {
            let unreadable = config.serverPIDs.filter { ProcessStats.server(pid: $0) == nil }
            notes.append("could not read /proc for --server-pid \(unreadable.map(String.init).joined(separator: ", "))")
        }
        let generatorCPUStart = ProcessStats.ownCPUSeconds()

        // Setup: connect, register and join with bounded concurrency.
        let coordinator = try Coordinator(config: config, loops: loops, stats: stats)
        coordinator.launch()
        let setupDeadline = monotonicNanos() + UInt64(config.setupTimeoutSeconds * 1e9)
        var lastLog = monotonicNanos()
        while true {
            let progress = coordinator.progress
            if progress.settled >= config.clients { break }
            let now = monotonicNanos()
            if now >= setupDeadline {
                coordinator.stopLaunching()
                notes.append(
                    "setup timed out after \(config.setupTimeoutSeconds) s with \(progress.settled) of \(config.clients) settled")
                break
            }
            if now - lastLog > 2_000_000_000 {
                lastLog = now
                log("setup: connected \(progress.connected), registered \(progress.registered), ready \(progress.settled - progress.failed), failed \(progress.failed) of \(config.clients)")
            }
            usleep(10_000)
        }
        let progress = coordinator.progress
        let ready = coordinator.readyHandlers
        let registrationSeconds = progress.lastRegisteredAt > progress.firstConnectAt
            ? Double(progress.lastRegisteredAt - progress.firstConnectAt) / 1e9 : 0
        let setupSeconds = progress.lastReadyAt > progress.firstConnectAt
            ? Double(progress.lastReadyAt - progress.firstConnectAt) / 1e9 : 0
        log("setup done: \(ready.count) ready, \(progress.failed) failed in \(setupSeconds) s")

        var serverAtStart = sampleServers()
        var generatorCPUAtStart = ProcessStats.ownCPUSeconds()
        var serverAtEnd = serverAtStart
        var generatorCPUAtEnd = generatorCPUAtStart
        var serverAfterSetup: ProcessStats.ServerSample?
        var warmupEnd: UInt64 = 0
        var end: UInt64 = 0

        switch config.mode {
        case .idle:
            sleep(seconds: 1)  // let the server settle before sampling its memory
            serverAfterSetup = sampleServers()
            serverAtStart = serverAfterSetup
            generatorCPUAtStart = ProcessStats.ownCPUSeconds()
            sleep(seconds: config.durationSeconds)
            serverAtEnd = sampleServers()
            generatorCPUAtEnd = ProcessStats.ownCPUSeconds()

        case .paced, .closed:
            let plan = makePlan(ready: ready)
            warmupEnd = plan.warmupEnd
            end = plan.end
            if plan.observersOfSender.contains(where: \.isEmpty), config.mode == .closed {
                notes.append("some senders have no observer in their channel and do not send")
            }
            for bound in ready.values {
                bound.eventLoop.execute { bound.value.start(plan) }
            }
            log("sending for \(config.warmupSeconds) s warm-up + \(config.durationSeconds) s")
            sleep(until: plan.warmupEnd)
            serverAtStart = sampleServers()
            generatorCPUAtStart = ProcessStats.ownCPUSeconds()
            sleep(until: plan.end)
            serverAtEnd = sampleServers()
            generatorCPUAtEnd = ProcessStats.ownCPUSeconds()

            // Drain: wait until every owed delivery arrived, progress stalls, or the timeout hits.
            let drainDeadline = plan.end + UInt64(config.drainTimeoutSeconds * 1e9)
            var lastReceived: UInt64 = 0
            var lastProgress = monotonicNanos()
            while monotonicNanos() < drainDeadline {
                let snap = try snapshot(stats, histogram: false)
                if snap.deliveriesReceivedMeasured >= snap.deliveriesExpected { break }
                let now = monotonicNanos()
                if snap.deliveriesReceived != lastReceived {
                    lastReceived = snap.deliveriesReceived
                    lastProgress = now
                } else if now - lastProgress > 2_000_000_000 {
                    break
                }
                usleep(50_000)
            }
            if monotonicNanos() >= drainDeadline {
                notes.append("drain timed out after \(config.drainTimeoutSeconds) s")
            }
        }

        let totals = try snapshot(stats, histogram: true)
        let serverFinal = sampleServers()
        if !config.serverPIDs.isEmpty, serverBefore != nil, serverFinal == nil {
            notes.append("a --server-pid process could not be read at the end of the run (exited?)")
        }
        let generatorCPUFinal = ProcessStats.ownCPUSeconds()
        let channels = coordinator.beginShutdown()
        for channel in channels { channel.close(promise: nil) }

        let histogram = totals.histogram ?? LatencyHistogram()
        func ms(_ nanos: UInt64) -> Double { Double(nanos) / 1e6 }
        // Deliveries of measured messages per second, over the window or, if the server fell
        // behind, until the last of them arrived.
        var deliveryWindow = config.durationSeconds
        if totals.lastMeasuredReceiveAt > warmupEnd, warmupEnd > 0 {
            deliveryWindow = max(deliveryWindow, Double(totals.lastMeasuredReceiveAt - warmupEnd) / 1e9)
        }
        var bytesPerConnection: Double?
        if config.mode == .idle, let before = serverBefore, let after = serverAfterSetup, !ready.isEmpty {
            bytesPerConnection = Double(after.total.rssKiB - before.total.rssKiB) * 1024 / Double(ready.count)
        }
        // Per-process CPU seconds in the measured window (same order as --server-pid).
        var cpuPerProcess: [Double]?
        if let start = serverAtStart, let end = serverAtEnd, start.perProcess.count == end.perProcess.count {
            cpuPerProcess = zip(end.perProcess, start.perProcess).map { $0.cpuSeconds - $1.cpuSeconds }
        }
        _ = end

        return BenchReport(
            mode: config.mode.rawValue, host: config.host, port: config.ports[0], ports: config.ports,
            clients: config.clients,
            senders: config.effectiveSenders, channels: config.channels,
            rate: config.mode == .paced ? config.rate : nil, window: config.mode == .closed ? config.window : nil,
            messageSize: config.messageSize, durationSeconds: config.durationSeconds,
            warmupSeconds: config.mode == .idle ? 0 : config.warmupSeconds, generatorThreads: config.threads,
            connectionsEstablished: progress.connected, registered: progress.registered, ready: ready.count,
            setupFailures: progress.failed, failureReasons: progress.failures,
            registrationSeconds: registrationSeconds, setupSeconds: setupSeconds,
            complete: ready.count == config.clients,
            messagesSent: totals.messagesSent, messagesSentMeasured: totals.messagesSentMeasured,
            deliveriesExpected: totals.deliveriesExpected, deliveriesReceived: totals.deliveriesReceivedMeasured,
            lost: Int64(totals.deliveriesExpected) - Int64(totals.deliveriesReceivedMeasured),
            duplicatesOrReordered: totals.duplicatesOrReordered, sequenceGaps: totals.sequenceGaps,
            deliveriesPerSecond: deliveryWindow > 0 ? Double(totals.deliveriesReceivedMeasured) / deliveryWindow : 0,
            messagesPerSecond: config.durationSeconds > 0
                ? Double(totals.messagesSentMeasured) / config.durationSeconds : 0,
            latencyP50Ms: ms(histogram.value(atPercentile: 50)), latencyP90Ms: ms(histogram.value(atPercentile: 90)),
            latencyP99Ms: ms(histogram.value(atPercentile: 99)),
            latencyP999Ms: ms(histogram.value(atPercentile: 99.9)), latencyMaxMs: ms(histogram.maxValue),
            latencyMeanMs: histogram.mean / 1e6,
            serverPIDs: config.serverPIDs,
            serverCPUSeconds: serverAtEnd.flatMap { e in serverAtStart.map { e.total.cpuSeconds - $0.total.cpuSeconds } },
            serverCPUSecondsTotal: serverFinal.flatMap { e in
                serverBefore.map { e.total.cpuSeconds - $0.total.cpuSeconds }
            },
            serverCPUSecondsPerProcess: cpuPerProcess,
            serverRSSBeforeKiB: serverBefore?.total.rssKiB,
            serverRSSAfterKiB: (serverAfterSetup ?? serverFinal)?.total.rssKiB,
            serverPeakRSSKiB: serverFinal?.total.peakRSSKiB,
            serverPeakRSSKiBPerProcess: serverFinal?.perProcess.map(\.peakRSSKiB),
            serverBytesPerConnection: bytesPerConnection,
            generatorCPUSeconds: generatorCPUAtEnd - generatorCPUAtStart,
            generatorCPUSecondsTotal: generatorCPUFinal - generatorCPUStart,
            generatorPeakRSSKiB: ProcessStats.ownPeakRSSKiB(),
            errorLines: totals.errorLines, kicks: totals.kicks, errorNumerics: totals.errorNumerics,
            disconnects: totals.unexpectedDisconnects, nickRetries: totals.nickRetries,
            firstError: totals.firstErrorText, notes: notes)
    }

    /// CPU time and RSS of every `--server-pid` process, summed (nil without PIDs or if one exited).
    private func sampleServers() -> ProcessStats.ServerSample? {
        ProcessStats.servers(pids: config.serverPIDs)
    }

    /// Roles and schedule for the measured phase, from the connections that are ready.
    private func makePlan(ready: [Int: NIOLoopBound<BenchClientHandler>]) -> RunPlan {
        var members = Array(repeating: [Int](), count: config.channels)
        for index in ready.keys.sorted() { members[config.channelIndex(for: index)].append(index) }
        let senderCount = config.effectiveSenders
        // Observers of a sender, one per distinct server port: the channel's first member on
        // that port that does not send, else its first member there other than the sender.
        // With one port this is the channel's first non-sending member (its own messages are
        // observed by the channel's second member). With several (linked) servers, waiting for
        // one observer per server keeps the window closed over the relays between servers too.
        let distinctPorts = config.ports.reduce(into: [Int]()) { if !$0.contains($1) { $0.append($1) } }
        var observersOfSender = Array(repeating: [Int](), count: senderCount)
        for sender in 0..<senderCount where ready[sender] != nil {
            let others = members[config.channelIndex(for: sender)].filter { $0 != sender }
            for port in distinctPorts {
                let here = others.filter { config.port(for: $0) == port }
                if let observer = here.first(where: { !config.isSender($0) }) ?? here.first {
                    observersOfSender[sender].append(observer)
                }
            }
        }
        let start = monotonicNanos() + 300_000_000
        let warmupEnd = start + UInt64(config.warmupSeconds * 1e9)
        let end = warmupEnd + UInt64(config.durationSeconds * 1e9)
        return RunPlan(
            start: start, warmupEnd: warmupEnd, end: end, mode: config.mode, rate: config.rate,
            window: config.window, messageSize: config.messageSize, senderCount: senderCount,
            channelNames: (0..<config.channels).map(config.channelName),
            deliveriesPerMessage: members.map { $0.count - 1 },
            senders: (0..<senderCount).map { ready[$0] }, observersOfSender: observersOfSender)
    }
}
