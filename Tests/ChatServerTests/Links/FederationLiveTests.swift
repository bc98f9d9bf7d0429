import ChatCore
import ChattyTestSupport
import NIOCore
import NIOPosix
import Testing

@testable import ChatServer

/// A network of in-process servers on loopback.
struct TestNetwork {
    var servers: [ChatServer] = []
    var ports: [Int] = []

    static let secret = Array("a shared secret of the test network".utf8)

    /// Starts servers named `names`, each linked to the previous one (the rest is gossip).
    static func start(_ names: [String], secret: [UInt8] = TestNetwork.secret) async throws -> TestNetwork {
        var network = TestNetwork()
        for name in names {
            var peers: [BindAddress] = []
            if let previous = network.servers.last, let address = previous.linkAddress {
                peers.append(.hostname("127.0.0.1", port: address.port!))
            }
            try await network.add(name, peers: peers, secret: secret)
        }
        return network
    }

    mutating func add(_ name: String, peers: [BindAddress], secret: [UInt8] = TestNetwork.secret) async throws {
        var configuration = ChatServerConfiguration(
            listen: .hostname("127.0.0.1", port: 0),
            core: ServerConfiguration(name: name, motd: nil),
            threads: 1,
            flood: .init(rate: 0, burst: 10, hardLimit: 100),
            federation: FederationConfiguration(
                linkListen: .hostname("127.0.0.1", port: 0), peers: peers, secret: secret,
                keepalive: .link(silence: 1_500), retryDelay: 0.1, maxRetryDelay: 0.5)
        )
        configuration.core.name = name
        let server = ChatServer(configuration: configuration)
        let port = try await server.start().port!
        servers.append(server)
        ports.append(port)
    }

    /// Waits until every server is linked with every other.
    func waitForFullMesh() async throws {
        let count = servers.count
        try await withDeadline(.seconds(20), what: "full mesh of \(count) servers") {
            while !servers.allSatisfy({ $0.linkedServers.count == count - 1 }) {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    func shutdown() async {
        for server in servers { await server.shutdown() }
    }
}

@Suite(.serialized, .timeLimit(.minutes(3))) struct FederationLiveTests {
    @Test func threeServersOneChat() async throws {
        let network = try await TestNetwork.start(["a.chatty", "b.chatty", "c.chatty"])
        try await network.waitForFullMesh()
        var clients: [TestIRCClient] = []
        for (index, nick) in ["alice", "bob", "carol"].enumerated() {
            let client = try await TestIRCClient.connect(port: network.ports[index], name: nick)
            try await client.register(nick, caps: ["message-tags"])
            try await client.send("JOIN #chatty")
            try await client.expect { $0.command == "366" }
            clients.append(client)
        }
        let (alice, bob, carol) = (clients[0], clients[1], clients[2])
        try await alice.expect { $0.command == "JOIN" && $0.sourceNick == "carol" }
        try await bob.expect { $0.command == "JOIN" && $0.sourceNick == "carol" }

        try await alice.send("PRIVMSG #chatty :hello network")
        let atBob = try await bob.expect { $0.command == "PRIVMSG" }
        let atCarol = try await carol.expect { $0.command == "PRIVMSG" }
        #expect(atBob.parameters == ["#chatty", "hello network"] && atBob.sourceNick == "alice")
        #expect(atBob.tag("msgid") != nil && atBob.tag("msgid") == atCarol.tag("msgid"), "one msgid network-wide")

        try await carol.send("NAMES #chatty")
        let names = try await carol.expect { $0.command == "353" }
        #expect(Set(names.parameters.last!.split(separator: " ").map { $0.trimmingCharacters(in: ["@", "+"]) })
                == ["alice", "bob", "carol"])
        try await carol.send("WHO #chatty")
        let who = try await carol.expect { $0.command == "352" && $0.parameters[5] == "alice" }
        #expect(who.parameters[4] == "a.chatty")
        try await carol.send("LINKS")
        var linked: Set<String> = []
        while linked.count < 3 {
            let link = try await carol.expect { $0.command == "364" }
            linked.insert(link.parameters[1])
        }
        #expect(linked == ["a.chatty", "b.chatty", "c.chatty"])

        // Private messages, nick uniqueness and nick changes span the network.
        try await carol.send("PRIVMSG alice :just for you")
        let privateMessage = try await alice.expect { $0.command == "PRIVMSG" && $0.parameters[0] == "alice" }
        #expect(privateMessage.sourceNick == "carol")
        let dup = try await TestIRCClient.connect(port: network.ports[1], name: "dup")
        try await dup.send("NICK Alice", "USER d 0 * :d")
        let inUse = try await dup.expect { $0.command == "433" }
        #expect(inUse.parameters[1] == "Alice")
        try await bob.send("NICK robert")
        let rename = try await alice.expect { $0.command == "NICK" }
        #expect(rename.sourceNick == "bob" && rename.parameters == ["robert"])

        // Quit reaches everyone once.
        try await carol.send("QUIT :bye all")
        let quitAtAlice = try await alice.expect { $0.command == "QUIT" }
        #expect(quitAtAlice.parameters == ["Quit: bye all"])
        try await bob.expect { $0.command == "QUIT" && $0.sourceNick == "carol" }
        #expect(alice.allMessages.filter { $0.command == "QUIT" }.count == 1)
        for client in [alice, bob, dup] { await client.close() }
        await network.shutdown()
    }

    @Test func wrongSecretIsRefused() async throws {
        var network = try await TestNetwork.start(["a.chatty"])
        let address = BindAddress.hostname("127.0.0.1", port: network.servers[0].linkAddress!.port!)
        try await network.add("evil.chatty", peers: [address], secret: Array("not the network secret at all".utf8))
        try await network.add("good.chatty", peers: [address])
        let first = network.servers[0]
        try await withDeadline(.seconds(10), what: "good server linked") {
            while first.linkedServers != ["good.chatty"] { try await Task.sleep(for: .milliseconds(20)) }
        }
        // The wrong-secret server retried in the meantime and is still not linked anywhere.
        #expect(network.servers[1].linkedServers.isEmpty)
        #expect(!network.servers[0].linkedServers.contains("evil.chatty"))
        await network.shutdown()
    }

    @Test func unauthenticatedPeerCannotInject() async throws {
        let network = try await TestNetwork.start(["a.chatty"])
        let watcher = try await TestIRCClient.connect(port: network.ports[0], name: "watcher")
        try await watcher.register("watcher")
        try await watcher.send("JOIN #chatty")
        try await watcher.expect { $0.command == "366" }
        let intruder = try await TestIRCClient.connect(port: network.servers[0].linkAddress!.port!, name: "intruder")
        try await intruder.send(
            "BURST :@uid=x;ts=1;signon=1 USER mallory m h evil.chatty :M",
            "EV :@uid=x :mallory!m@h PRIVMSG #chatty :injected")
        let messages = try await intruder.waitClosed()
        #expect(messages.first?.command == "LINK")
        #expect(messages.last?.command == "ERROR")
        try await watcher.send("PING :check")
        try await watcher.expect { $0.command == "PONG" }
        #expect(!watcher.allMessages.contains { $0.command == "PRIVMSG" })
        #expect(network.servers[0].state.clientID(nick: "mallory") == nil)
        await watcher.close()
        await network.shutdown()
    }

    @Test func checkerVerifiesFifoCausalExactlyOnceAndNoLoss() async throws {
        // Link delays are injected by the in-memory network's transport (FederationMachineTests); here
        // the real links carry concurrent senders.
        let network = try await TestNetwork.start(["a.chatty", "b.chatty", "c.chatty"])
        try await network.waitForFullMesh()
        var clients: [TestIRCClient] = []
        let nicks = ["p0", "p1", "p2", "p3", "p4", "p5"]
        for (index, nick) in nicks.enumerated() {
            let client = try await TestIRCClient.connect(port: network.ports[index % 3], name: nick)
            try await client.register(nick)
            try await client.send("JOIN #check")
            try await client.expect { $0.command == "366" }
            clients.append(client)
        }
        // Wait until every server shows every member in the channel.
        for client in clients {
            try await withDeadline(.seconds(10), what: "\(client.name) sees all members") {
                while true {
                    try await client.send("NAMES #check")
                    let names = try await client.expect { $0.command == "353" }
                    let members = Set(names.parameters.last!.split(separator: " ").map { $0.trimmingCharacters(in: ["@", "+"]) })
                    try await client.expect { $0.command == "366" }
                    if members == Set(nicks) { return }
                }
            }
        }
        // Each client sends messages that name what it had seen: "<nick> <seq> <dep-nick>:<dep-seq>,…".
        let perClient = 15
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients {
                group.addTask {
                    for seq in 1...perClient {
                        let deps = TranscriptChecker.lastSeen(client.allMessages, me: client.name)
                        let text = "\(client.name) \(seq) " + deps.map { "\($0.key):\($0.value)" }.sorted().joined(separator: ",")
                        try await client.send("PRIVMSG #check :\(text)")
                        if seq % 5 == 0 {
                            try await client.send("PING :pace")
                            try await client.expect { $0.command == "PONG" }
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        for client in clients {
            try await withDeadline(.seconds(20), what: "\(client.name) receives everything") {
                while TranscriptChecker.received(client.allMessages).count < (nicks.count - 1) * perClient {
                    try await client.send("PING :wait")
                    try await client.expect { $0.command == "PONG" }
                }
            }
        }
        let histories = clients.map { HistoryChecker.Client(name: $0.name, shown: $0.allMessages) }
        let problems = HistoryChecker.check(histories, perSender: perClient)
        #expect(problems.isEmpty, "\(problems)")
        for client in clients { await client.close() }
        await network.shutdown()
    }
}

@Suite struct TranscriptCheckerTests {
    private func messages(_ texts: [String]) -> [IRCMessage] {
        texts.map { IRCMessage(source: "x!x@h", "PRIVMSG", "#check", $0) }
    }

    @Test func acceptsAGoodTranscript() {
        let good = messages(["a 1 ", "b 1 a:1", "a 2 b:1", "b 2 a:2"])
        #expect(TranscriptChecker.check(good, me: "c", senders: ["a", "b", "c"], perSender: 2).isEmpty)
    }

    @Test func findsEachKindOfViolation() {
        let reordered = messages(["a 2 ", "a 1 "])
        #expect(!TranscriptChecker.check(reordered, me: "c", senders: ["a", "c"], perSender: 2).isEmpty)
        let duplicated = messages(["a 1 ", "a 1 ", "a 2 "])
        #expect(!TranscriptChecker.check(duplicated, me: "c", senders: ["a", "c"], perSender: 2).isEmpty)
        let replyFirst = messages(["b 1 a:1", "a 1 "])
        #expect(TranscriptChecker.check(replyFirst, me: "c", senders: ["a", "b", "c"], perSender: 1)
            .contains { $0.contains("causal") })
        let lost = messages(["a 1 "])
        #expect(TranscriptChecker.check(lost, me: "c", senders: ["a", "c"], perSender: 2).contains { $0.contains("loss") })
    }
}

@Suite struct HistoryCheckerTests {
    /// A checker message as a client is shown it, with the msgid its server gave it.
    private func shown(_ text: String, id: String) -> IRCMessage {
        IRCMessage(tags: [.init("msgid", id)], source: "x!x@h", command: "PRIVMSG", parameters: ["#check", text])
    }

    private var good: [HistoryChecker.Client] {
        [HistoryChecker.Client(name: "a", shown: [shown("b 1 ", id: "m1"), shown("c 1 ", id: "m3")], members: ["a", "b", "c"]),
         HistoryChecker.Client(name: "b", shown: [shown("a 1 ", id: "m2"), shown("c 1 ", id: "m3")], members: ["a", "b", "c"]),
         HistoryChecker.Client(name: "c", shown: [shown("a 1 ", id: "m2"), shown("b 1 a:1", id: "m1")], members: ["a", "b", "c"])]
    }

    @Test func aGoodHistoryPasses() {
        #expect(HistoryChecker.check(good, perSender: 1).isEmpty)
    }

    @Test func findsEachKindOfProblemAcrossClients() {
        var otherID = good
        otherID[2].shown[0] = shown("a 1 ", id: "elsewhere")
        #expect(HistoryChecker.check(otherID, perSender: 1).contains { $0.contains("one message, one id") })
        var diverged = good
        diverged[1].members = ["a", "b"]
        #expect(HistoryChecker.check(diverged, perSender: 1).contains { $0.contains("convergence") })
        var lost = good
        lost[2].shown.removeFirst()
        let problems = HistoryChecker.check(lost, perSender: 1)
        #expect(problems.contains { $0.hasPrefix("c: ") && $0.contains("loss") })
        #expect(problems.contains { $0.contains("causal") }, "b 1 answers a 1, which c never saw")
        var noID = good
        noID[0].shown[0] = IRCMessage(source: "x!x@h", "PRIVMSG", "#check", "b 1 ")
        #expect(HistoryChecker.check(noID, perSender: 1).isEmpty, "without message-tags there is no id to compare")
    }

    @Test func onlyThoseThatStayedMustHaveEverything() {
        // b's server died: what b sent may be lost to others, and b itself is not owed anything,
        // but order and ids still hold for it, and a and c must agree.
        var failed = good
        failed[1].stayed = false
        failed[1].shown = []
        failed[1].members = ["b"]
        failed[2].shown = [shown("a 1 ", id: "m2")]
        failed[0].shown = [shown("c 1 ", id: "m3")]
        #expect(HistoryChecker.check(failed, perSender: 1).isEmpty, "\(HistoryChecker.check(failed, perSender: 1))")
        failed[0].members = ["a", "c"]
        #expect(HistoryChecker.check(failed, perSender: 1).contains { $0.contains("convergence") })
    }
}
