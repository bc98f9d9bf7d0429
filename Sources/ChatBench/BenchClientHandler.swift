#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// One benchmark IRC connection: registers, joins its channel, then sends and/or receives.
///
/// It is the only handler in the pipeline. Lines are cut straight out of each read with
/// `memchr` and dispatched on the command bytes, so a received PRIVMSG costs a short scan and
/// no allocation. Everything written while handling a read (PONGs, JOIN, new messages) is
/// collected in one buffer and flushed once in `channelReadComplete`.
final class BenchClientHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Phase { case registering, joining, ready, failed }

    let index: Int
    private let config: BenchConfiguration
    private let stats: LoopStats
    private let coordinator: Coordinator
    private var nick: String
    private var phase = Phase.registering
    private var context: ChannelHandlerContext?
    private var carry: ByteBuffer?
    private var out = ByteBuffer()
    private var readTime: UInt64 = 0
    private var setupError: String?

    // Receiving: next expected sequence number per sender id (allocated on first message).
    private var plan: RunPlan?
    private var nextSequence: [UInt32] = []

    // Sending.
    private let senderID: Int?
    private var sequence: UInt32 = 0
    private var acknowledged: UInt32 = 0
    /// Closed loop: highest sequence each of this sender's observers has seen; `acknowledged`
    /// is their minimum.
    private var acknowledgedBy: [UInt32] = []
    private var target = ""
    private var deliveriesPerMessage: UInt64 = 0

    // Observing (closed loop): latest sequence seen per sender since the last acknowledgement.
    private var isObserver = false
    private var pendingAck: [UInt32] = []
    /// Per sender id: this connection's position in that sender's observer list, or -1.
    private var observerSlot: [Int] = []
    private var dirtySenders: [Int] = []

    init(index: Int, config: BenchConfiguration, stats: LoopStats, coordinator: Coordinator) {
        self.index = index
        self.config = config
        self.stats = stats
        self.coordinator = coordinator
        self.nick = config.nick(for: index)
        self.senderID = config.isSender(index) ? index : nil
    }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        out = context.channel.allocator.buffer(capacity: 256)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        out.writeString("NICK \(nick)\r\nUSER \(nick) 0 * :chatty-bench\r\n")
        flushOut()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch phase {
        case .registering, .joining:
            phase = .failed
            coordinator.settle(index, failure: setupError ?? "connection closed during setup")
        case .ready:
            if !coordinator.isShuttingDown { stats.unexpectedDisconnects += 1 }
        case .failed:
            break
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if setupError == nil { setupError = "\(error)" }
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readTime = monotonicNanos()
        var buffer = unwrapInboundIn(data)
        if var pending = carry {
            carry = nil
            pending.writeBuffer(&buffer)
            processLines(&pending)
            if pending.readableBytes > 0 { carry = pending }
        } else {
            processLines(&buffer)
            if buffer.readableBytes > 0 { carry = buffer }
        }
        if let pending = carry, pending.readableBytes > 65_536 {
            // No line is this long; drop it rather than buffer without bound.
            carry = nil
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushAcknowledgements()
        flushOut()
        context.fireChannelReadComplete()
    }

    // MARK: Line handling

    private func processLines(_ buffer: inout ByteBuffer) {
        let consumed = buffer.withUnsafeReadableBytes { bytes -> Int in
            guard let base = bytes.baseAddress else { return 0 }
            var start = 0
            while start < bytes.count {
                guard let newline = memchr(base + start, 0x0A, bytes.count - start) else { break }
                let end = UnsafeRawPointer(newline) - base
                var lineEnd = end
                if lineEnd > start, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                if lineEnd > start { handleLine(UnsafeRawBufferPointer(rebasing: bytes[start..<lineEnd])) }
                start = end + 1
            }
            return start
        }
        buffer.moveReaderIndex(forwardBy: consumed)
    }

    @inline(__always)
    private static func matches(_ line: UnsafeRawBufferPointer, at offset: Int, _ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard offset + count <= line.count else { return false }
        let pointer = word.utf8Start
        for i in 0..<count where line[offset + i] != pointer[i] { return false }
        return true
    }

    private func handleLine(_ line: UnsafeRawBufferPointer) {
        let n = line.count
        var i = 0
        if line[0] == UInt8(ascii: ":") {
            while i < n, line[i] != UInt8(ascii: " ") { i += 1 }
            while i < n, line[i] == UInt8(ascii: " ") { i += 1 }
        }
        let commandStart = i
        while i < n, line[i] != UInt8(ascii: " ") { i += 1 }
        let commandLength = i - commandStart
        let argumentsStart = min(i + 1, n)

        switch commandLength {
        case 7 where Self.matches(line, at: commandStart, "PRIVMSG"):
            handlePrivmsg(line, from: argumentsStart)
        case 3:
            let d0 = line[commandStart] &- 48, d1 = line[commandStart + 1] &- 48, d2 = line[commandStart + 2] &- 48
            guard d0 <= 9, d1 <= 9, d2 <= 9 else { return }
            handleNumeric(Int(d0) * 100 + Int(d1) * 10 + Int(d2), line)
        case 4 where Self.matches(line, at: commandStart, "PING"):
            out.writeStaticString("PONG ")
            out.writeBytes(UnsafeRawBufferPointer(rebasing: line[argumentsStart...]))
            out.writeStaticString("\r\n")
        case 4 where Self.matches(line, at: commandStart, "KICK"):
            stats.kicks += 1
            noteError(line)
        case 5 where Self.matches(line, at: commandStart, "ERROR"):
            stats.errorLines += 1
            noteError(line)
        default:
            break
        }
    }

    private func noteError(_ line: UnsafeRawBufferPointer) {
        let text = String(decoding: line.prefix(200), as: UTF8.self)
        if stats.firstErrorText == nil { stats.firstErrorText = text }
        if phase != .ready, setupError == nil { setupError = text }
    }

    private func handleNumeric(_ code: Int, _ line: UnsafeRawBufferPointer) {
        switch code {
        case 376, 422:  // end of MOTD / no MOTD: registration is complete
            guard phase == .registering else { return }
            coordinator.noteRegistered()
            if config.joinsChannels {
                phase = .joining
                out.writeString("JOIN \(config.channelName(config.channelIndex(for: index)))\r\n")
            } else {
                becomeReady()
            }
        case 366:  // end of NAMES: the JOIN went through
            if phase == .joining { becomeReady() }
        case 433 where phase == .registering:  // nickname in use: try another
            stats.nickRetries += 1
            guard nick.count < config.nickPrefix.count + 12 else { return failSetup(line) }
            nick += "_"
            out.writeString("NICK \(nick)\r\n")
        case 400..<600:
            stats.errorNumerics += 1
            noteError(line)
            let joinFailures: Set<Int> = [403, 405, 471, 473, 474, 475, 477]
            if phase == .registering && (code == 432 || code == 465) || phase == .joining && joinFailures.contains(code) {
                failSetup(line)
            }
        default:
            break
        }
    }

    private func becomeReady() {
        guard let context else { return }
        phase = .ready
        coordinator.settleReady(index, handler: NIOLoopBound(self, eventLoop: context.eventLoop))
    }

    private func failSetup(_ line: UnsafeRawBufferPointer) {
        phase = .failed
        coordinator.settle(index, failure: String(decoding: line.prefix(120), as: UTF8.self))
        context?.close(promise: nil)
    }

    private func handlePrivmsg(_ line: UnsafeRawBufferPointer, from start: Int) {
        guard let plan else { return }
        var i = start
        let n = line.count
        while i < n, line[i] != UInt8(ascii: " ") { i += 1 }  // the target
        i += 1
        guard i < n else { return }
        if line[i] == UInt8(ascii: ":") { i += 1 }
        guard let fields = Payload.decode(UnsafeRawBufferPointer(rebasing: line[i...])),
            fields.sender < plan.senderCount
        else { return }

        if nextSequence.isEmpty { nextSequence = Array(repeating: 1, count: plan.senderCount) }
        let expected = nextSequence[fields.sender]
        if fields.sequence < expected {
            stats.duplicatesOrReordered += 1
            return
        }
        if fields.sequence > expected { stats.sequenceGaps += UInt64(fields.sequence - expected) }
        nextSequence[fields.sender] = fields.sequence &+ 1
        stats.deliveriesReceived += 1
        if fields.sentAt >= plan.warmupEnd {
            stats.deliveriesReceivedMeasured += 1
            stats.lastMeasuredReceiveAt = readTime
            stats.histogram.record(readTime > fields.sentAt ? readTime - fields.sentAt : 0)
        }
        if isObserver, observerSlot[fields.sender] >= 0 {
            if pendingAck[fields.sender] == 0 { dirtySenders.append(fields.sender) }
            pendingAck[fields.sender] = fields.sequence
        }
    }

    // MARK: Measurement

    /// Called on this handler's event loop when the run starts.
    func start(_ plan: RunPlan) {
        guard phase == .ready, let context else { return }
        self.plan = plan
        if plan.mode == .closed {
            let slots = plan.observersOfSender.map { $0.firstIndex(of: index) ?? -1 }
            if slots.contains(where: { $0 >= 0 }) {
                isObserver = true
                observerSlot = slots
                pendingAck = Array(repeating: 0, count: plan.senderCount)
            }
        }
        guard let senderID else { return }
        let channel = config.channelIndex(for: index)
        target = plan.channelNames[channel]
        deliveriesPerMessage = UInt64(max(0, plan.deliveriesPerMessage[channel]))
        let now = monotonicNanos()
        switch plan.mode {
        case .paced:
            // Spread the senders' first messages evenly over one interval.
            let interval = pacedInterval(plan)
            let offset = interval * UInt64(senderID) / UInt64(max(1, plan.senderCount))
            let first = plan.start + offset
            scheduleTick(at: first, now: now, firstSendAt: first, context: context)
        case .closed:
            guard !plan.observersOfSender[senderID].isEmpty else { return }
            acknowledgedBy = Array(repeating: 0, count: plan.observersOfSender[senderID].count)
            context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(plan.start > now ? plan.start - now : 0))) {
                self.sendWindow()
            }
        case .idle:
            break
        }
    }

    private func pacedInterval(_ plan: RunPlan) -> UInt64 {
        max(1_000_000, UInt64(1_000_000_000 / max(plan.rate, 0.001)))
    }

    private func scheduleTick(at deadline: UInt64, now: UInt64, firstSendAt: UInt64, context: ChannelHandlerContext) {
        let delay = deadline > now ? deadline - now : 0
        context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(delay))) {
            self.pacedTick(firstSendAt: firstSendAt, deadline: deadline)
        }
    }

    private func pacedTick(firstSendAt: UInt64, deadline: UInt64) {
        guard let plan, let context, context.channel.isActive else { return }
        let now = monotonicNanos()
        guard now < plan.end else { return }
        // Send everything that is due by now, so a late timer never lowers the offered rate.
        let elapsed = Double(now > firstSendAt ? now - firstSendAt : 0)
        let due = UInt32(min(elapsed * plan.rate / 1e9 + 1, Double(UInt32.max - 1)))
        var batch = 0
        while sequence < due, batch < 10_000 {
            writeMessage(plan, now: now)
            batch += 1
        }
        flushOut()
        let next = deadline + pacedInterval(plan)
        scheduleTick(at: next, now: now, firstSendAt: firstSendAt, context: context)
    }

    /// Closed loop: fill the window of unacknowledged messages.
    private func sendWindow() {
        guard let plan, let context, context.channel.isActive else { return }
        let now = monotonicNanos()
        guard now < plan.end else { return }
        while Int(sequence &- acknowledged) < plan.window {
            writeMessage(plan, now: now)
        }
        flushOut()
    }

    /// Closed loop: observer number `slot` has seen this sender's messages up to `sequence`.
    func acknowledge(_ sequence: UInt32, slot: Int) {
        guard acknowledgedBy.indices.contains(slot) else { return }
        if sequence > acknowledgedBy[slot] { acknowledgedBy[slot] = sequence }
        let lowest = acknowledgedBy.min() ?? 0
        if lowest > acknowledged { acknowledged = lowest }
        sendWindow()
    }

    @inline(__always)
    private func writeMessage(_ plan: RunPlan, now: UInt64) {
        sequence &+= 1
        Payload.writePrivmsg(
            into: &out, target: target, sender: senderID ?? 0, sequence: sequence, sentAt: now,
            textSize: plan.messageSize)
        stats.messagesSent += 1
        if now >= plan.warmupEnd {
            stats.messagesSentMeasured += 1
            stats.deliveriesExpected += deliveriesPerMessage
        }
    }

    private func flushAcknowledgements() {
        guard !dirtySenders.isEmpty, let plan else { return }
        for sender in dirtySenders {
            let sequence = pendingAck[sender]
            let slot = observerSlot[sender]
            pendingAck[sender] = 0
            guard let bound = plan.senders[sender] else { continue }
            if bound.eventLoop.inEventLoop {
                bound.value.acknowledge(sequence, slot: slot)
            } else {
                bound.eventLoop.execute { bound.value.acknowledge(sequence, slot: slot) }
            }
        }
        dirtySenders.removeAll(keepingCapacity: true)
    }

    private func flushOut() {
        guard out.readableBytes > 0, let context else { return }
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
        out = context.channel.allocator.buffer(capacity: 256)
    }
}
