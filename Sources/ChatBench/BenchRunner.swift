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

        let serverBefore = config.serverPID.flatMap(ProcessStats.server)
        if config.serverPID != nil, serverBefore == nil { notes.append("could not read /proc for --server-pid") }
        let generatorCPUStart = ProcessStats.ownCPUSeconds()

        // Setup: connect, register and join with bounded concurrency.
        let coordinator = Coordinator(config: config, loops: loops, stats: stats)
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

        var serverAtStart = config.serverPID.flatMap(ProcessStats.server)
        var generatorCPUAtStart = ProcessStats.ownCPUSeconds()
        var serverAtEnd = serverAtStart
        var generatorCPUAtEnd = generatorCPUAtStart
        var serverAfterSetup: ProcessStats.Server?
        var warmupEnd: UInt64 = 0
        var end: UInt64 = 0

        switch config.mode {
        case .idle:
            sleep(seconds: 1)  // let the server settle before sampling its memory
            serverAfterSetup = config.serverPID.flatMap(ProcessStats.server)
            serverAtStart = serverAfterSetup
            generatorCPUAtStart = ProcessStats.ownCPUSeconds()
            sleep(seconds: config.durationSeconds)
            serverAtEnd = config.serverPID.flatMap(ProcessStats.server)
            generatorCPUAtEnd = ProcessStats.ownCPUSeconds()

        case .paced, .closed:
            let plan = makePlan(ready: ready)
            warmupEnd = plan.warmupEnd
            end = plan.end
            if plan.observerOfSender.contains(-1), config.mode == .closed {
                notes.append("some senders have no observer in their channel and do not send")
            }
            for bound in ready.values {
                bound.eventLoop.execute { bound.value.start(plan) }
            }
            log("sending for \(config.warmupSeconds) s warm-up + \(config.durationSeconds) s")
            sleep(until: plan.warmupEnd)
            serverAtStart = config.serverPID.flatMap(ProcessStats.server)
            generatorCPUAtStart = ProcessStats.ownCPUSeconds()
            sleep(until: plan.end)
            serverAtEnd = config.serverPID.flatMap(ProcessStats.server)
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
        let serverFinal = config.serverPID.flatMap(ProcessStats.server)
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
            bytesPerConnection = Double(after.rssKiB - before.rssKiB) * 1024 / Double(ready.count)
        }
        _ = end

        return BenchReport(
            mode: config.mode.rawValue, host: config.host, port: config.port, clients: config.clients,
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
            serverCPUSeconds: serverAtEnd.flatMap { e in serverAtStart.map { e.cpuSeconds - $0.cpuSeconds } },
            serverCPUSecondsTotal: serverFinal.flatMap { e in serverBefore.map { e.cpuSeconds - $0.cpuSeconds } },
            serverRSSBeforeKiB: serverBefore?.rssKiB, serverRSSAfterKiB: (serverAfterSetup ?? serverFinal)?.rssKiB,
            serverPeakRSSKiB: serverFinal?.peakRSSKiB, serverBytesPerConnection: bytesPerConnection,
            generatorCPUSeconds: generatorCPUAtEnd - generatorCPUAtStart,
            generatorCPUSecondsTotal: generatorCPUFinal - generatorCPUStart,
            generatorPeakRSSKiB: ProcessStats.ownPeakRSSKiB(),
            errorLines: totals.errorLines, kicks: totals.kicks, errorNumerics: totals.errorNumerics,
            disconnects: totals.unexpectedDisconnects, nickRetries: totals.nickRetries,
            firstError: totals.firstErrorText, notes: notes)
    }

    /// Roles and schedule for the measured phase, from the connections that are ready.
    private func makePlan(ready: [Int: NIOLoopBound<BenchClientHandler>]) -> RunPlan {
        var members = Array(repeating: [Int](), count: config.channels)
        for index in ready.keys.sorted() { members[config.channelIndex(for: index)].append(index) }
        let senderCount = config.effectiveSenders
        // Observer of a channel: its first member that does not send, else its first member;
        // that member's own messages are observed by the channel's second member.
        var observerOfSender = Array(repeating: -1, count: senderCount)
        for sender in 0..<senderCount where ready[sender] != nil {
            let list = members[config.channelIndex(for: sender)]
            let primary = list.first(where: { !config.isSender($0) }) ?? list.first
            if let primary, primary != sender {
                observerOfSender[sender] = primary
            } else if let other = list.first(where: { $0 != sender }) {
                observerOfSender[sender] = other
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
            senders: (0..<senderCount).map { ready[$0] }, observerOfSender: observerOfSender)
    }
}
