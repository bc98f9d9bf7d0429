import ChatCore
import Logging
import NIOCore

/// The per-connection handler: a thin interpreter between decoded lines and the ``ServerHub``.
///
/// It owns what is private to one connection and needs no lock: the keepalive machine, the
/// flood-control bucket and the queue of lines delayed by flood control.
final class ClientChannelHandler: ChannelInboundHandler {
    typealias InboundIn = IRCLineFrame

    private let hub: ServerHub
    private let limits: IRCLimits
    private let logger: Logger
    private var id: ClientID?
    private var keepalive: KeepaliveStateMachine
    private var flood: FloodControl
    /// Lines delayed by flood control (an empty array costs no allocation).
    private var delayed: [IRCLineFrame] = []
    private var drainTask: Scheduled<Void>?
    private let sweepers: KeepaliveSweepers
    private var context: ChannelHandlerContext?

    init(hub: ServerHub, configuration: ChatServerConfiguration, sweepers: KeepaliveSweepers, logger: Logger) {
        self.hub = hub
        self.sweepers = sweepers
        self.limits = configuration.core.limits
        self.logger = logger
        let now = Self.monotonicNow()
        self.keepalive = KeepaliveStateMachine(configuration: configuration.keepalive, now: now)
        self.flood = FloodControl(configuration: configuration.flood, now: now)
    }

    static func monotonicNow() -> Int64 {
        WallClock.monotonicMilliseconds()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        let host = context.channel.remoteAddress?.ipAddress ?? "unknown"
        guard let id = hub.connect(channel: context.channel, host: host, now: WallClock.now()) else {
            context.close(promise: nil)
            return
        }
        self.id = id
        logger.debug("connection accepted", metadata: ["client": "\(id)", "host": "\(host)"])
        sweepers.sweeper(for: context.eventLoop)?.add(self)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        sweepers.sweeper(for: context.eventLoop)?.remove(self)
        drainTask?.cancel()
        if let id {
            hub.disconnected(id, reason: "Connection closed", now: WallClock.now())
            logger.debug("connection closed", metadata: ["client": "\(id)"])
        }
        id = nil
        delayed.removeAll()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard id != nil else { return }
        let frame = unwrapInboundIn(data)
        let now = Self.monotonicNow()
        keepalive.lineReceived(now: now)
        if delayed.isEmpty, case .process = flood.lineArrived(now: now) {
            process(frame)
            return
        }
        delayed.append(frame)
        if delayed.count > flood.configuration.hardLimit {
            delayed.removeAll()
            hub.drop(id!, reason: "Excess Flood")
            return
        }
        if drainTask == nil {
            // Stop reading while lines wait: TCP pushes back on the flooder, not on the server.
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
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
        if let event = event as? ChannelEvent, event == .inputClosed {
            // Half-closed by the peer: nothing more will arrive; finish like a disconnect.
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
                let message = try IRCMessage.parse(line, limits: limits)
                if hub.received(message, from: id, now: WallClock.now()) {
                    keepalive.registered(now: Self.monotonicNow())
                }
            } catch {
                hub.invalidLine(error, from: id)
            }
        }
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

    /// Processes delayed lines as the bucket allows, then reads again once all are done.
    /// Called after ``scheduleDrain(now:)`` took a token for the first line.
    private func drain() {
        guard let context, id != nil else { return }
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
        context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        context.read()
    }

    /// When the keepalive machine wants to be asked again (checked by the loop's sweeper).
    var keepaliveDeadline: Int64? { id == nil ? nil : keepalive.nextDeadline }

    func keepaliveDue(now: Int64) {
        guard let id else { return }
        switch keepalive.timerFired(now: now) {
        case .none:
            break
        case .sendPing:
            hub.ping(id)
        case .close(let reason):
            hub.drop(id, reason: reason)
        }
    }
}

@available(*, unavailable)
extension ClientChannelHandler: Sendable {}
