import ChatCore
import Crypto
import Logging
import NIOCore
import NIOSSL

/// One server-to-server link: authenticates the peer (challenge–response, the secret never
/// crosses the wire), keeps the link alive, and hands authenticated lines to the hub. A peer
/// that sends anything malformed, oversized or unauthenticated is dropped.
final class LinkChannelHandler: ChannelInboundHandler {
    typealias InboundIn = IRCLineFrame

    private let hub: ServerHub
    private let logger: Logger
    private let onLearned: @Sendable ([String: String]) -> Void
    private var handshake: LinkHandshake
    private var keepalive: PeerKeepalive
    private var linkID: Int?
    private var peer: OriginID?
    private var timer: Scheduled<Void>?
    private var context: ChannelHandlerContext?

    init(hub: ServerHub, role: LinkHandshake.Role, local: OriginID, secret: [UInt8],
         keepalive: PeerKeepalive.Configuration, logger: Logger,
         onLearned: @escaping @Sendable ([String: String]) -> Void) {
        self.hub = hub
        self.logger = logger
        self.onLearned = onLearned
        var nonce = [UInt8](repeating: 0, count: LinkHandshake.nonceLength)
        var generator = SystemRandomNumberGenerator()
        for index in nonce.indices { nonce[index] = UInt8.random(in: 0...255, using: &generator) }
        self.handshake = LinkHandshake(role: role, local: local, nonce: nonce) { message in
            Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        }
        self.keepalive = PeerKeepalive(configuration: keepalive, now: Self.now())
    }

    static func now() -> Int64 { WallClock.monotonicMilliseconds() }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// The context holds this handler strongly: keeping it after removal would leak both (the
    /// client handler did, about 0.5 KiB per connection).
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let id = hub.registerLink(channel: context.channel) else {
            context.close(promise: nil)
            return
        }
        linkID = id
        run(handshake.start(), context: context)
        scheduleKeepalive()
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let linkID else { return }
        let message: IRCMessage
        let raw: ByteBuffer
        switch unwrapInboundIn(data) {
        case .tooLong:
            drop("oversized line", context: context)
            return
        case .line(let line):
            guard let parsed = try? IRCMessage.parse(line, limits: IRCLimits(maxLineLength: 64 * 1024, maxTagsLength: 8191)) else {
                drop("malformed line", context: context)
                return
            }
            message = parsed
            raw = line
        }
        keepalive.lineReceived(now: Self.now())
        guard peer != nil else {
            run(handshake.lineReceived(message), context: context)
            return
        }
        let (verdict, learned) = hub.linkLine(linkID, message, line: raw, now: WallClock.now())
        if !learned.isEmpty { onLearned(learned) }
        if case .close(let reason) = verdict { drop(reason, context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        if let linkID {
            hub.linkClosed(linkID, now: WallClock.now())
            if let peer { logger.info("link down", metadata: ["peer": "\(peer)"]) }
        }
        linkID = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        if error is NIOSSLError {
            // A peer that does not speak TLS (or whose certificate failed): the operator must see it.
            logger.warning("dropping link", metadata: [
                "address": "\(context.channel.remoteAddress.map { "\($0)" } ?? "-")", "reason": "TLS: \(error)",
            ])
        } else {
            logger.debug("link error", metadata: ["error": "\(error)"])
        }
        context.close(promise: nil)
    }

    private func run(_ action: LinkHandshake.Action, context: ChannelHandlerContext) {
        switch action {
        case .none:
            break
        case .send(let message):
            context.writeAndFlush(wrapOutbound(message, context: context), promise: nil)
        case .authenticated(let peer, let reply):
            if let reply { context.writeAndFlush(wrapOutbound(reply, context: context), promise: nil) }
            self.peer = peer
            logger.info("link up", metadata: ["peer": "\(peer)"])
            let (verdict, learned) = hub.linkAuthenticated(linkID!, peer: peer, now: WallClock.now())
            if !learned.isEmpty { onLearned(learned) }
            if case .close(let reason) = verdict { drop(reason, context: context) }
        case .reject(let reason):
            drop("authentication failed: \(reason)", context: context, level: .warning)
        }
    }

    private func wrapOutbound(_ message: IRCMessage, context: ChannelHandlerContext) -> NIOAny {
        var buffer = context.channel.allocator.buffer(capacity: 128)
        message.serialize(into: &buffer)
        return NIOAny(buffer)
    }

    private func drop(_ reason: String, context: ChannelHandlerContext, level: Logger.Level = .notice) {
        logger.log(level: level, "dropping link", metadata: ["peer": "\(peer.map { "\($0)" } ?? "unauthenticated")",
                                                             "reason": "\(reason)",
                                                             "address": "\(context.channel.remoteAddress.map { "\($0)" } ?? "-")"])
        var buffer = context.channel.allocator.buffer(capacity: 64)
        IRCMessage(command: "ERROR", parameters: [reason]).serialize(into: &buffer)
        let channel = context.channel
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    private func scheduleKeepalive() {
        guard let context, let deadline = keepalive.nextDeadline else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(max(0, deadline - Self.now()))) { [self] in
            switch keepalive.timerFired(now: Self.now()) {
            case .none:
                break
            case .sendPing(let token):
                if let linkID, peer != nil { hub.pingLink(linkID, token: token) }
            case .timedOut:
                logger.notice("link timed out", metadata: ["peer": "\(peer.map { "\($0)" } ?? "unauthenticated")"])
                context.close(promise: nil)
                return
            }
            scheduleKeepalive()
        }
    }
}

@available(*, unavailable)
extension LinkChannelHandler: Sendable {}
