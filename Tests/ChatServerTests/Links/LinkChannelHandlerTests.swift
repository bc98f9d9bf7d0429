import ChatCore
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatServer

/// Two servers' link handlers back to back on `EmbeddedChannel`s (as swift-nio-ssh's
/// `BackToBackEmbeddedChannel`): the real handshake, hubs and federation machines, bytes shuttled
/// in memory, no sockets and no threads.
@Suite struct LinkChannelHandlerTests {
    static let secret = Array("a shared secret of the embedded network".utf8)

    final class Server {
        let loop = EmbeddedEventLoop()
        let hub: ServerHub
        let origin: OriginID

        init(name: String) {
            origin = OriginID(name: name, incarnation: name.prefix(1) + "1")
            var core = ServerConfiguration(name: name, motd: nil)
            core.federated = true
            core.messageIDPrefix = origin.incarnation + "-"
            let link = FederationConfiguration(linkListen: .hostname("127.0.0.1", port: 7000), secret: LinkChannelHandlerTests.secret)
            hub = ServerHub(configuration: core, loops: [loop], sendQueueLimit: 1 << 20,
                            now: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000),
                            federation: FederationState(local: origin, configuration: link))
        }

        func linkChannel(role: LinkHandshake.Role, secret: [UInt8] = LinkChannelHandlerTests.secret) throws -> EmbeddedChannel {
            let channel = EmbeddedChannel(loop: loop)
            try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IRCLineDecoder(maximumLength: 80 * 1024)))
            try channel.pipeline.syncOperations.addHandler(LinkChannelHandler(
                hub: hub, role: role, local: origin, secret: secret, keepalive: .link(silence: 120_000),
                logger: Logger(label: "test"), onLearned: { _ in }))
            return channel
        }

        /// A registered client whose connection is an `EmbeddedChannel` too.
        func client(_ nick: String, joining channel: String) throws -> EmbeddedChannel {
            let connection = EmbeddedChannel(loop: loop)
            guard case .success(let id) = hub.connect(channel: connection, host: "127.0.0.1", now: now) else {
                throw Failure(description: "not filed")
            }
            for line in ["NICK \(nick)", "USER \(nick) 0 * :\(nick)", "JOIN \(channel)"] {
                _ = hub.received(try IRCMessage.parse(line), from: id, now: now)
            }
            self.ids[nick] = id
            return connection
        }

        func say(_ nick: String, _ line: String) throws {
            _ = hub.received(try IRCMessage.parse(line), from: ids[nick]!, now: now)
        }

        var ids: [String: ClientID] = [:]
        var now: Timestamp { Timestamp(millisecondsSinceEpoch: 1_795_000_000_000) }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Moves bytes between the two link channels until neither has anything to say.
    static func shuttle(_ a: (Server, EmbeddedChannel), _ b: (Server, EmbeddedChannel)) throws {
        var moved = true
        while moved {
            moved = false
            for (from, to) in [(a, b), (b, a)] {
                from.0.loop.run()
                while let bytes = try from.1.readOutbound(as: ByteBuffer.self) {
                    guard to.1.isActive else { continue }
                    try to.1.writeInbound(bytes)
                    moved = true
                }
                to.0.loop.run()
            }
        }
    }

    static func received(_ connection: EmbeddedChannel, on server: Server) throws -> [String] {
        server.loop.run()
        var text = ""
        while var buffer = try connection.readOutbound(as: ByteBuffer.self) {
            text += buffer.readString(length: buffer.readableBytes) ?? ""
        }
        return text.split(separator: "\r\n").map(String.init)
    }

    @Test func twoServersAuthenticateLinkAndCarryAChannelMessage() throws {
        let a = Server(name: "a.chatty"), b = Server(name: "b.chatty")
        let ab = try a.linkChannel(role: .initiator), ba = try b.linkChannel(role: .acceptor)
        try ba.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40001)).wait()
        try ab.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7000)).wait()
        try Self.shuttle((a, ab), (b, ba))
        #expect(a.hub.linkedPeers == ["b.chatty"])
        #expect(b.hub.linkedPeers == ["a.chatty"])

        let ann = try a.client("ann", joining: "#link")
        let ben = try b.client("ben", joining: "#link")
        try Self.shuttle((a, ab), (b, ba))
        _ = try Self.received(ann, on: a)
        _ = try Self.received(ben, on: b)
        try a.say("ann", "PRIVMSG #link :over the embedded link")
        try Self.shuttle((a, ab), (b, ba))
        let atBen = try Self.received(ben, on: b)
        #expect(atBen.contains { $0.hasPrefix(":ann!ann@") && $0.hasSuffix("PRIVMSG #link :over the embedded link") }, "\(atBen)")

        // The link goes away: ann quits on b with a netsplit reason.
        try ab.close().wait()
        try Self.shuttle((a, ab), (b, ba))
        try ba.close().wait()
        let split = try Self.received(ben, on: b)
        #expect(split.contains { $0.hasPrefix(":ann!") && $0.contains("QUIT :b.chatty a.chatty") }, "\(split)")
        #expect(b.hub.linkedPeers.isEmpty)
    }

    @Test func aWrongSecretIsRefusedAndNothingLinks() throws {
        let a = Server(name: "a.chatty"), b = Server(name: "b.chatty")
        let ab = try a.linkChannel(role: .initiator, secret: Array("not the network's secret at all".utf8))
        let ba = try b.linkChannel(role: .acceptor)
        try ba.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40001)).wait()
        try ab.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 7000)).wait()
        try Self.shuttle((a, ab), (b, ba))
        #expect(a.hub.linkedPeers.isEmpty && b.hub.linkedPeers.isEmpty)
        #expect(!ab.isActive || !ba.isActive, "the side that found the wrong MAC closed the link")
    }
}
