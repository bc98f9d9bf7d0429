import ChatCore
import ChattyTestSupport
import Crypto
import NIOCore
import Testing

@testable import ChatServer

@Suite(.serialized, .timeLimit(.minutes(2))) struct FederationConflictTests {
    @Test func nickCollisionAfterLinkingIsResolvedTheSameWayEverywhere() async throws {
        // a and c run apart; each gets a "dani" (a's first), then b links them into one network.
        var network = try await TestNetwork.start(["a.chatty"])
        try await network.add("c.chatty", peers: [])
        let older = try await TestIRCClient.connect(port: network.ports[0], name: "older")
        try await older.register("dani")
        let newer = try await TestIRCClient.connect(port: network.ports[1], name: "newer")
        try await newer.register("dani")
        let linkA = BindAddress.hostname("127.0.0.1", port: network.servers[0].linkAddress!.port!)
        let linkC = BindAddress.hostname("127.0.0.1", port: network.servers[1].linkAddress!.port!)
        try await network.add("b.chatty", peers: [linkA, linkC])
        try await network.waitForFullMesh()

        let rename = try await newer.expect { $0.command == "NICK" }
        let newNick = rename.parameters[0]
        #expect(rename.sourceNick == "dani" && newNick.hasPrefix("Guest"))
        let notice = try await newer.expect { $0.command == "NOTICE" }
        #expect(notice.parameters.last?.contains("Nick collision") == true)
        // Every server applies the rename as its event arrives (c's own first).
        let servers = network.servers
        try await Eventually.holds({ "every server knows \(newNick) and gives dani to a.chatty" }) {
            servers.allSatisfy { server in
                server.state.clientID(nick: newNick) != nil
                    && server.state.clientID(nick: "dani").flatMap { server.state.client($0)?.server } == "a.chatty"
            }
        }
        try await older.send("PING :still-dani")
        try await older.expect { $0.command == "PONG" }
        #expect(!older.allMessages.contains { $0.command == "NICK" }, "the older claim keeps its nick")
        await older.close(); await newer.close()
        await network.shutdown()
    }

    @Test func concurrentJoinsAndLeavesDuringBroadcastsConverge() async throws {
        let network = try await TestNetwork.start(["a.chatty", "b.chatty", "c.chatty"])
        try await network.waitForFullMesh()
        let speakerA = try await TestIRCClient.connect(port: network.ports[0], name: "sa")
        let speakerC = try await TestIRCClient.connect(port: network.ports[2], name: "sc")
        for (client, nick) in [(speakerA, "sa"), (speakerC, "sc")] {
            try await client.register(nick)
            try await client.send("JOIN #room")
            try await client.expect { $0.command == "366" }
        }
        try await speakerA.expect { $0.command == "JOIN" && $0.sourceNick == "sc" }
        var churners: [TestIRCClient] = []
        for index in 0..<3 {
            let client = try await TestIRCClient.connect(port: network.ports[index], name: "ch\(index)")
            try await client.register("ch\(index)")
            churners.append(client)
        }
        let count = 60
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (speaker, nick) in [(speakerA, "sa"), (speakerC, "sc")] {
                group.addTask {
                    for seq in 1...count { try await speaker.send("PRIVMSG #room :\(nick) \(seq) ") }
                }
            }
            for churner in churners {
                group.addTask {
                    for _ in 0..<10 {
                        try await churner.send("JOIN #room", "PART #room :bye")
                    }
                    try await churner.send("JOIN #room")
                }
            }
            try await group.waitForAll()
        }
        // The two stable members got each other's messages exactly once, in order.
        for (listener, other) in [(speakerA, "sc"), (speakerC, "sa")] {
            try await listener.expect(timeout: .seconds(15)) { $0.command == "PRIVMSG" && $0.parameters[1] == "\(other) \(count) " }
            let sequence = TranscriptChecker.received(listener.allMessages).filter { $0.sender == other }.map(\.sequence)
            #expect(sequence == Array(1...count))
        }
        // Every server ends with the same members.
        let expected: Set<String> = ["sa", "sc", "ch0", "ch1", "ch2"]
        try await withDeadline(.seconds(10), what: "membership converges") {
            while true {
                let views = network.servers.map { server -> Set<String> in
                    let state = server.state
                    return Set(state.channel(named: "#room")?.members.compactMap { state.client($0)?.nick } ?? [])
                }
                if views.allSatisfy({ $0 == expected }) { return }
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        for client in [speakerA, speakerC] + churners { await client.close() }
        await network.shutdown()
    }

    @Test func authenticatedPeerSendingGarbageIsDropped() async throws {
        let network = try await TestNetwork.start(["a.chatty"])
        let watcher = try await TestIRCClient.connect(port: network.ports[0], name: "watcher")
        try await watcher.register("watcher")
        for garbage in ["EV :not an event", "FROB x", "BURST :", String(repeating: "x", count: 100_000)] {
            let peer = try await TestIRCClient.connect(port: network.servers[0].linkAddress!.port!, name: "peer", answerPings: false)
            let challenge = try await peer.expect { $0.command == "LINK" }
            var handshake = LinkHandshake(role: .initiator, local: OriginID(name: "rogue.chatty", incarnation: "x1"),
                                          nonce: Array(repeating: 7, count: LinkHandshake.nonceLength)) { message in
                Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: TestNetwork.secret)))
            }
            _ = handshake.start()
            guard case .send(let auth) = handshake.lineReceived(challenge) else {
                Issue.record("no AUTH to send")
                return
            }
            try await peer.send(String(auth.serialized().dropLast()))
            let reply = try await peer.expect { $0.command == "LINK" }
            guard case .authenticated = handshake.lineReceived(reply) else {
                Issue.record("not authenticated")
                return
            }
            try await peer.send(garbage)
            let messages = try await peer.waitClosed()
            #expect(messages.last?.command == "ERROR", "dropped after \(garbage.prefix(20))")
        }
        try await watcher.send("PING :alive")
        try await watcher.expect { $0.command == "PONG" }
        #expect(network.servers[0].linkedServers.isEmpty)
        await watcher.close()
        await network.shutdown()
    }
}

extension TestIRCClient {
    /// Polls NAMES until the channel has exactly these members.
    static func waitForNames(_ client: TestIRCClient, _ channel: String, _ expected: Set<String>,
                             timeout: Duration = .seconds(20)) async throws {
        try await withDeadline(timeout, what: "\(client.name): members of \(channel)") {
            while true {
                try await client.send("NAMES \(channel)")
                let names = try await client.expect { $0.command == "353" }
                try await client.expect { $0.command == "366" }
                let members = Set(names.parameters.last!.split(separator: " ").map { $0.trimmingCharacters(in: ["@", "+"]) })
                if members == expected { return }
            }
        }
    }
}
