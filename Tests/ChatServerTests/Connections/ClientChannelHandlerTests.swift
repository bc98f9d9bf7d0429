import ChatCore
import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import ChatServer

/// The client handler on an `EmbeddedChannel`: bytes in, bytes out, no sockets.
@Suite struct ClientChannelHandlerTests {
    struct Fixture {
        let loop = EmbeddedEventLoop()
        let channel: EmbeddedChannel
        let hub: ServerHub
        /// The handler, not kept alive by the fixture (for the leak test).
        weak var handler: ClientChannelHandler?

        init(capacity: Int = 10) throws {
            var configuration = ChatServerConfiguration(listen: .hostname("127.0.0.1", port: 0), threads: 1)
            configuration.core.motd = ["embedded"]
            configuration.flood = .init(rate: 0, burst: 10, hardLimit: 100)
            hub = ServerHub(configuration: configuration.core, loops: [loop], sendQueueLimit: 1 << 20,
                            now: Timestamp(millisecondsSinceEpoch: 1_795_000_000_000))
            let settings = ClientConnectionSettings(
                hub: hub, configuration: configuration, sweepers: KeepaliveSweepers(loops: [loop]),
                admission: AdmissionControl(capacity: capacity, logger: Logger(label: "test")), logger: Logger(label: "test"))
            let handler = ClientChannelHandler(settings: settings)
            self.handler = handler
            channel = EmbeddedChannel(handler: handler, loop: loop)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 40000)).wait()
        }

        /// Everything the server wrote since the last call, as lines without CR LF.
        func output() throws -> [String] {
            loop.run()
            var text = ""
            while var buffer = try channel.readOutbound(as: ByteBuffer.self) {
                text += buffer.readString(length: buffer.readableBytes) ?? ""
            }
            return text.split(separator: "\r\n").map(String.init)
        }

        func send(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }
    }

    /// Found by `scripts/resource-attacks` (issue 15): the handler kept its context, which keeps the
    /// handler, so every connection ever accepted stayed in memory (about 0.5 KiB each).
    @Test func aClosedConnectionFreesItsHandlerAndContext() throws {
        let fixture = try Fixture()
        try fixture.send("NICK gone\r\nUSER gone 0 * :Gone\r\n")
        _ = try fixture.output()
        #expect(fixture.handler != nil)
        _ = try fixture.channel.finish()
        fixture.loop.run()
        #expect(fixture.handler == nil, "the handler (and its context) are freed once the connection is closed")
    }

    @Test func registersWhenFedWholeLinesOrOneByteAtATime() throws {
        for byByte in [false, true] {
            let fixture = try Fixture()
            let input = "NICK ann\r\nUSER ann 0 * :Ann\r\n"
            if byByte {
                for byte in input.utf8 { try fixture.send(String(decoding: [byte], as: UTF8.self)) }
            } else {
                try fixture.send(input)
            }
            let lines = try fixture.output()
            #expect(lines.first?.contains(" 001 ann ") == true, "\(lines)")
            #expect(lines.contains { $0.contains(" 376 ann ") })
            #expect(fixture.hub.connectionCount == 1)
            _ = try fixture.channel.finish()
        }
    }

    @Test func anOversizedLineGets417AndTheConnectionGoesOn() throws {
        let fixture = try Fixture()
        try fixture.send("NICK ann\r\nUSER ann 0 * :Ann\r\n")
        _ = try fixture.output()
        try fixture.send("PRIVMSG #x :" + String(repeating: "a", count: 600) + "\r\nPING :still\r\n")
        let lines = try fixture.output()
        #expect(lines.contains { $0.contains(" 417 ") }, "\(lines)")
        #expect(lines.last?.hasSuffix("PONG chatty.local :still") == true, "\(lines)")
        _ = try fixture.channel.finish()
    }

    @Test func aFullServerRefusesWithErrorAndCloses() throws {
        let fixture = try Fixture(capacity: 0)
        let lines = try fixture.output()
        #expect(lines == ["ERROR :Closing Link: 127.0.0.1 (Server full)"])
        #expect(!fixture.channel.isActive)
        #expect(fixture.hub.connectionCount == 0)
    }
}
