import ChatCore
import Crypto
import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// The per-connection handler: cuts reads into lines and interprets them against the ``ServerHub``.
///
/// It owns what is private to one connection and needs no lock: the line decoder, the keepalive
/// machine, the flood-control bucket and the queue of lines delayed by flood control. It is the
/// only handler in a client's pipeline: the framing (``IRCLineDecoder``, sans-IO) runs here
/// rather than in a `ByteToMessageHandler`, which saved about 0.4 KiB per connection (the handler,
/// its context and its buffer state) on a server that holds tens of thousands of them.
final class ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let settings: ClientConnectionSettings
    private var hub: ServerHub { settings.hub }
    private var logger: Logger { settings.logger }
    private var id: ClientID?
    private var keepalive: PeerKeepalive
    private var flood: FloodControl
    /// Lines delayed by flood control (an empty array costs no allocation).
    private var delayed: [IRCLineFrame] = []
    private var drainTask: Scheduled<Void>?
    private var sweepers: KeepaliveSweepers { settings.sweepers }
    private var context: ChannelHandlerContext?
    private var decoder: IRCLineDecoder
    /// The unterminated tail of earlier reads (at most the line limit: the decoder skips longer lines).
    private var partial: ByteBuffer?
    /// Set once the connection was dropped for flooding: the rest of its input is ignored.
    private var dropped = false
    /// The client's open `draft/multiline` batch and how many of its lines came: a pasted block is
    /// one message to flood control (its `BATCH +` costs a token, its lines do not, up to the limit).
    private var openBatch: (reference: String, lines: Int)?
    /// Some input arrived (the first read is checked for a TLS handshake on the plaintext port).
    private var sawInput = false
    /// Lines are still wanted: the connection is open and was not dropped for flooding.
    private var readingLines: Bool { id != nil && !dropped }

    init(settings: ClientConnectionSettings) {
        self.settings = settings
        self.decoder = IRCLineDecoder(maximumLength: settings.limits.maxFrameLength)
        let now = Self.monotonicNow()
        self.keepalive = PeerKeepalive(configuration: settings.keepalive, now: now)
        self.flood = FloodControl(configuration: settings.flood, now: now)
    }

    static func monotonicNow() -> Int64 {
        WallClock.monotonicMilliseconds()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// The context holds this handler strongly (`ChannelHandlerContext.handler`): keeping it after
    /// removal made a cycle that leaked the handler, its context and the channel (about 0.5 KiB) for
    /// every connection ever accepted.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        drainTask?.cancel()
        drainTask = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let host = context.channel.remoteAddress?.ipAddress ?? "unknown"
        let id: ClientID
        switch hub.connect(channel: context.channel, host: host, secure: settings.secure, now: WallClock.now(),
                           capacity: settings.admission.capacity) {
        case .success(let filed):
            id = filed
        case .failure(.full):
            settings.admission.refused(now: Self.monotonicNow())
            refuse(context: context, host: host, reason: "Server full")
            return
        case .failure(.shuttingDown):
            context.close(promise: nil)
            return
        }
        self.id = id
        logger.debug("connection accepted", metadata: ["client": "\(id)", "host": "\(host)"])
        sweepers.sweeper(for: context.eventLoop)?.add(self)
        context.fireChannelActive()
    }

    /// Tells a connection the server cannot take it, then closes it.
    private func refuse(context: ChannelHandlerContext, host: String, reason: String) {
        var line = context.channel.allocator.buffer(capacity: 64)
        IRCMessage.closingLink(host: host, reason: reason).serialize(into: &line, includeTags: false)
        let channel = context.channel
        context.writeAndFlush(NIOAny(line)).whenComplete { _ in channel.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        sweepers.sweeper(for: context.eventLoop)?.remove(self)
        drainTask?.cancel()
        finishInput(context: context)
        if let id {
            hub.disconnected(id, reason: "Connection closed", now: WallClock.now())
            logger.debug("connection closed", metadata: ["client": "\(id)"])
        }
        id = nil
        delayed.removeAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard readingLines else { return }
        var input = unwrapInboundIn(data)
        if !settings.secure, !sawInput, let id {
            sawInput = true
            // 0x16 opens a TLS handshake record: a TLS client on the plaintext port. Closing at
            // once gives it a clear error instead of a wait for the registration timeout.
            if input.readableBytesView.first == 0x16 {
                logger.info("TLS handshake on the plaintext port", metadata: ["client": "\(id)"])
                dropped = true
                hub.drop(id, reason: "TLS handshake on a plaintext port")
                return
            }
        }
        if var earlier = partial {
            partial = nil
            earlier.writeBuffer(&input)
            input = earlier
        }
        while readingLines, let frame = decoder.nextFrame(&input) {
            lineArrived(frame, context: context)
        }
        if readingLines, input.readableBytes > 0 {
            // Copy the tail so it does not pin the whole read buffer.
            var tail = context.channel.allocator.buffer(capacity: input.readableBytes)
            tail.writeBuffer(&input)
            partial = tail
        }
    }

    /// End of input: an unterminated last line still counts (nothing accepted is lost).
    private func finishInput(context: ChannelHandlerContext) {
        guard var rest = partial else { return }
        partial = nil
        if readingLines, let frame = decoder.finalFrame(&rest) {
            lineArrived(frame, context: context)
        }
    }

    private func lineArrived(_ frame: IRCLineFrame, context: ChannelHandlerContext) {
        let now = Self.monotonicNow()
        keepalive.lineReceived(now: now)
        if delayed.isEmpty, isFreeBatchLine(frame) {
            process(frame)
            return
        }
        if delayed.isEmpty, case .process = flood.lineArrived(now: now) {
            process(frame)
            return
        }
        delayed.append(frame)
        if delayed.count > flood.configuration.hardLimit {
            delayed.removeAll()
            dropped = true
            hub.drop(id!, reason: "Excess Flood")
            return
        }
        if drainTask == nil {
            // Reading goes on, so that a flood shows as delayed lines piling up (and is cut off
            // within seconds) rather than hiding in the TCP buffers and trickling out for minutes.
            scheduleDrain(now: now)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let id { hub.writable(id) }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("connection error", metadata: ["client": "\(id.map { "\($0)" } ?? "-")", "error": "\(error)"])
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent, let id,
           let tls = try? context.pipeline.syncOperations.handler(type: NIOSSLServerHandler.self),
           let certificate = tls.peerCertificate, let der = try? certificate.toDERBytes(),
           let fingerprint = CertificateFingerprint(sha256Digest: Array(SHA256.hash(data: der))) {
            hub.run { $0.server.certificatePresented(id, fingerprint: fingerprint.description) }
        }
        if let event = event as? ChannelEvent, event == .inputClosed {
            // Half-closed by the peer: nothing more will arrive; finish like a disconnect.
            finishInput(context: context)
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: Internals

    private func process(_ frame: IRCLineFrame) {
        guard let id else { return }
        switch frame {
        case .tooLong:
            hub.invalidLine(.lineTooLong, from: id)
        case .line(let line):
            do {
                let message = try IRCMessage.parse(line, limits: settings.limits)
                if hub.received(message, from: id, now: WallClock.now()) {
                    keepalive.registered(now: Self.monotonicNow())
                }
            } catch {
                hub.invalidLine(error, from: id)
            }
        }
    }

    /// Whether `frame` is a line of the client's open multiline batch (or the `BATCH -` closing it),
    /// which costs no token. Only lines that start with `@` or `BATCH` are looked at.
    private func isFreeBatchLine(_ frame: IRCLineFrame) -> Bool {
        guard case .line(let bytes) = frame, let first = bytes.getInteger(at: bytes.readerIndex, as: UInt8.self),
              first == UInt8(ascii: "@") || first | 0x20 == UInt8(ascii: "b"),
              let message = try? IRCMessage.parse(bytes, limits: settings.limits) else { return false }
        if message.command == "BATCH", let reference = message.parameters.first {
            if reference.hasPrefix("+"), message.parameters.count >= 3, message.parameters[1] == "draft/multiline" {
                openBatch = (String(reference.dropFirst()), 0)
                return false
            }
            if reference.hasPrefix("-"), openBatch?.reference == String(reference.dropFirst()) {
                openBatch = nil
                return true
            }
            return false
        }
        guard let open = openBatch, message.tag("batch") == open.reference, open.lines < MultilineBatch.maxLines + 1 else {
            return false
        }
        openBatch = (open.reference, open.lines + 1)
        return true
    }

    private func scheduleDrain(now: Int64) {
        guard let context, case .delay(let until) = flood.lineArrived(now: now) else {
            drain()
            return
        }
        drainTask = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(until - now)) { [self] in
            drainTask = nil
            scheduleDrain(now: Self.monotonicNow())
        }
    }

    /// Processes delayed lines as the bucket allows.
    /// Called after ``scheduleDrain(now:)`` took a token for the first line.
    private func drain() {
        guard context != nil, id != nil else { return }
        var first = true
        while let frame = delayed.first {
            let now = Self.monotonicNow()
            if !first, case .delay = flood.lineArrived(now: now) {
                scheduleDrain(now: now)
                return
            }
            first = false
            delayed.removeFirst()
            process(frame)
            if id == nil { return }
        }
    }

    /// When the keepalive machine wants to be asked again (checked by the loop's sweeper).
    var keepaliveDeadline: Int64? { id == nil ? nil : keepalive.nextDeadline }

    func keepaliveDue(now: Int64) {
        guard let id else { return }
        switch keepalive.timerFired(now: now) {
        case .none:
            break
        case .sendPing(let token):
            hub.ping(id, token: token)
        case .timedOut(let timeout):
            hub.drop(id, reason: timeout.reason)
        }
    }
}

@available(*, unavailable)
extension ClientChannelHandler: Sendable {}
