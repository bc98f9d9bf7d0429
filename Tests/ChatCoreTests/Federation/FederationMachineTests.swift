import ChattyTestSupport
import NIOCore
import Testing

@testable import ChatCore

/// The link protocol as values: one machine driven by hand, then servers back to back in memory.
@Suite struct FederationMachineTests {
    static let a = OriginID(name: "a.chatty", incarnation: "one")
    static let b = OriginID(name: "b.chatty", incarnation: "two")
    static let c = OriginID(name: "c.chatty", incarnation: "six")

    static func lines(_ actions: [FederationMachine.Action], on link: Int) -> [String] {
        actions.compactMap { action -> String? in
            guard case .send(let target, let bytes) = action, target == link else { return nil }
            return String(buffer: bytes)
        }
    }

    @Test func anAuthenticatedLinkGetsClockThenBurstThenServers() {
        var machine = FederationMachine(local: Self.a, linkAddress: "127.0.0.1:7000")
        let link = machine.linkOpened()
        let actions = machine.linkAuthenticated(link, peer: Self.b)
        #expect(actions.count == 4)
        #expect(actions[0] == .serverLinked("b.chatty"))
        #expect(Self.lines([actions[1]], on: link).first?.hasPrefix("CLOCK ") == true)
        #expect(actions[2] == .sendBurst(link))
        #expect(Self.lines([actions[3]], on: link) == ["SERVERS :a.chatty=127.0.0.1:7000\r\n"])
        #expect(machine.linkedServers == ["b.chatty"])
    }

    @Test func linesBeforeAuthenticationCloseTheLink() {
        var machine = FederationMachine(local: Self.a, linkAddress: "127.0.0.1:7000")
        let link = machine.linkOpened()
        #expect(machine.lineReceived(IRCMessage(command: "CLOCK", parameters: [""]), raw: nil, on: link)
            == [.close(link, reason: "not authenticated")])
    }

    @Test func localEventsGoToEveryAuthenticatedLinkAndAreRelayedOnceByPeers() throws {
        var a = FederationMachine(local: Self.a, linkAddress: "h:1")
        var b = FederationMachine(local: Self.b, linkAddress: "h:2")
        let ab = a.linkOpened(), ba = b.linkOpened(), bc = b.linkOpened(), pending = a.linkOpened()
        _ = a.linkAuthenticated(ab, peer: Self.b)
        _ = b.linkAuthenticated(ba, peer: Self.a)
        _ = b.linkAuthenticated(bc, peer: Self.c)
        let sent = a.localEvent(IRCMessage(source: "ann!ann@h", "PRIVMSG", "#x", "hi"))
        #expect(sent.count == 1, "only the authenticated link, not \(pending)")
        guard case .send(ab, let bytes) = sent.first else { Issue.record("no send: \(sent)"); return }
        var copy = bytes
        let next = copy.readLine()
        let line = try #require(next)
        let message = try IRCMessage.parse(line)
        let delivered = b.lineReceived(message, raw: line, on: ba)
        #expect(delivered.count == 2)
        #expect(Self.lines([delivered[0]], on: bc) == [String(buffer: bytes)], "relayed as it came, to the other link only")
        #expect(delivered[1] == .apply(IRCMessage(source: "ann!ann@h", "PRIVMSG", "#x", "hi"), origin: "a.chatty"))
        #expect(b.lineReceived(message, raw: line, on: bc) == [], "a flooded copy is dropped unread")
    }

    @Test func aClockFromAPeerReplaysWhatItMissed() throws {
        var a = FederationMachine(local: Self.a, linkAddress: "h:1")
        let first = a.linkOpened()
        _ = a.linkAuthenticated(first, peer: Self.b)
        for text in ["one", "two", "three"] { _ = a.localEvent(IRCMessage(source: "ann!ann@h", "PRIVMSG", "#x", text)) }
        _ = a.linkClosed(first)
        let again = a.linkOpened()
        _ = a.linkAuthenticated(again, peer: Self.b)
        // b had delivered a's first event only.
        let clock = VectorClock([Self.a: 1]).wireEncoding
        let replay = a.lineReceived(IRCMessage(command: "CLOCK", parameters: [clock]), raw: nil, on: again)
        let texts = Self.lines(replay, on: again).map { line in
            (try? LinkEvent.decode(IRCMessage.parse(String(line.dropLast()))))??.payload.parameters.last
        }
        #expect(texts == ["two", "three"])
    }

    @Test func gossipLearnsNewServersAndTellsTheOtherPeers() {
        var a = FederationMachine(local: Self.a, linkAddress: "h:1")
        let ab = a.linkOpened(), ac = a.linkOpened()
        _ = a.linkAuthenticated(ab, peer: Self.b)
        _ = a.linkAuthenticated(ac, peer: Self.c)
        let actions = a.lineReceived(IRCMessage(command: "SERVERS", parameters: ["d.chatty=10.0.0.4:7000", "junk", "e=no-port"]),
                                     raw: nil, on: ab)
        #expect(actions.last == .learned(["d.chatty": "10.0.0.4:7000"]))
        #expect(Self.lines(actions, on: ac) == ["SERVERS a.chatty=h:1 :d.chatty=10.0.0.4:7000\r\n"])
        #expect(Self.lines(actions, on: ab).isEmpty)
        #expect(a.lineReceived(IRCMessage(command: "SERVERS", parameters: ["d.chatty=10.0.0.4:7000"]), raw: nil, on: ab) == [],
                "nothing new: nothing to tell")
    }

    @Test func theLastLinkToAServerClosingSplitsIt() {
        var a = FederationMachine(local: Self.a, linkAddress: "h:1")
        let one = a.linkOpened(), two = a.linkOpened()
        _ = a.linkAuthenticated(one, peer: Self.b)
        _ = a.linkAuthenticated(two, peer: Self.b)
        #expect(a.linkClosed(one) == [])
        #expect(a.linkClosed(two) == [.serverSplit("b.chatty")])
        #expect(a.linkedServers == [])
    }

    @Test func aNewIncarnationOfAServerSplitsTheOldOne() {
        var a = FederationMachine(local: Self.a, linkAddress: "h:1")
        let first = a.linkOpened()
        _ = a.linkAuthenticated(first, peer: Self.b)
        let second = a.linkOpened()
        let restarted = OriginID(name: "b.chatty", incarnation: "three")
        let actions = a.linkAuthenticated(second, peer: restarted)
        #expect(actions.prefix(2) == [.serverSplit("b.chatty"), .serverLinked("b.chatty")])
    }

    @Test func malformedLinesCloseTheLinkWithAReason() {
        var a = FederationMachine(local: Self.a, linkAddress: "h:1")
        let link = a.linkOpened()
        _ = a.linkAuthenticated(link, peer: Self.b)
        #expect(a.lineReceived(IRCMessage(command: "CLOCK", parameters: ["%%%"]), raw: nil, on: link) == [.close(link, reason: "malformed CLOCK")])
        #expect(a.lineReceived(IRCMessage(command: "EV", parameters: ["x"]), raw: nil, on: link) == [.close(link, reason: "malformed event")])
        #expect(a.lineReceived(IRCMessage(command: "NOPE"), raw: nil, on: link) == [.close(link, reason: "unknown link command NOPE")])
    }

    // MARK: Servers back to back in memory

    /// Joins one client per nick (round-robin over the nodes) to `channel` and lets the network settle.
    static func members(_ network: inout InMemoryNetwork, _ nicks: [String], channel: String) -> [(node: Int, client: ClientID)] {
        var clients: [(Int, ClientID)] = []
        for (index, nick) in nicks.enumerated() {
            let node = index % network.nodes.count
            let client = network.register(nick, on: node)
            network.send(client, on: node, "JOIN \(channel)")
            clients.append((node, client))
            network.run()
        }
        return clients
    }

    @Test func everyServerStoresWhatItDeliversUnderTheSameMsgid() {
        var network = InMemoryNetwork(["a.chatty", "b.chatty", "c.chatty"])
        network.fullMesh()
        network.run()
        let clients = Self.members(&network, ["ann", "ben", "cid"], channel: "#kept")
        network.send(clients[0].client, on: clients[0].node, "PRIVMSG #kept :one")
        network.send(clients[1].client, on: clients[1].node, "PRIVMSG #kept :two")
        network.send(clients[2].client, on: clients[2].node, "PRIVMSG ann :private")
        network.run()
        let channelIDs = network.nodes.map { node in node.stored.filter { $0.conversation == "#kept" && $0.command == "PRIVMSG" }.map(\.msgid).sorted() }
        #expect(channelIDs[0].count == 2)
        #expect(channelIDs.allSatisfy { $0 == channelIDs[0] }, "\(channelIDs)")
        let privateIDs = network.nodes.map { node in node.stored.filter { $0.conversation == "ann cid" }.map(\.msgid) }
        #expect(privateIDs.allSatisfy { $0.count == 1 && $0 == privateIDs[0] }, "a failover finds private messages too: \(privateIDs)")
    }

    @Test func aSlowLinkStillYieldsCausalOrderEverywhere() {
        var network = InMemoryNetwork(["a.chatty", "b.chatty", "c.chatty"])
        network.fullMesh()
        network.run()
        // Lines a sends to c take 400 ms; b's relay of them is fast.
        network.delays = [0: [2: 400]]
        let clients = Self.members(&network, ["ann", "ben", "cid"], channel: "#order")
        let (ann, ben, cid) = (clients[0], clients[1], clients[2])
        for round in 0..<5 {
            network.send(ann.client, on: ann.node, "PRIVMSG #order :question \(round)")
            network.run { $0.texts(ben.client, on: ben.node).contains("question \(round)") }
            network.send(ben.client, on: ben.node, "PRIVMSG #order :answer \(round)")
            network.run { $0.texts(ann.client, on: ann.node).contains("answer \(round)") }
        }
        network.run()
        #expect(network.texts(cid.client, on: cid.node) == (0..<5).flatMap { ["question \($0)", "answer \($0)"] })
    }

    @Test func randomDelaysKeepFifoCausalExactlyOnceAndLoseNothing() {
        var generator = FederationRNG(seed: 7)
        for _ in 0..<5 {
            var network = InMemoryNetwork(["a.chatty", "b.chatty", "c.chatty"])
            network.fullMesh()
            network.run()
            for from in 0..<3 { for to in 0..<3 where from != to { network.delays[from, default: [:]][to] = Int64.random(in: 0...200, using: &generator) } }
            let nicks = ["p0", "p1", "p2", "p3", "p4", "p5"]
            let clients = Self.members(&network, nicks, channel: "#check")
            let perClient = 10
            var sent = [Int](repeating: 0, count: nicks.count)
            while sent.contains(where: { $0 < perClient }) {
                let index = Int.random(in: 0..<nicks.count, using: &generator)
                guard sent[index] < perClient else { continue }
                sent[index] += 1
                let (node, client) = clients[index]
                let deps = TranscriptChecker.lastSeen(network.nodes[node].inbox[client] ?? [], me: nicks[index])
                let text = "\(nicks[index]) \(sent[index]) " + deps.map { "\($0.key):\($0.value)" }.sorted().joined(separator: ",")
                network.send(client, on: node, "PRIVMSG #check :\(text)")
                for _ in 0..<Int.random(in: 0...3, using: &generator) { network.step() }
            }
            network.run()
            for (index, (node, client)) in clients.enumerated() {
                let problems = TranscriptChecker.check(network.nodes[node].inbox[client] ?? [], me: nicks[index],
                                                       senders: nicks, perSender: perClient)
                #expect(problems.isEmpty, "\(nicks[index]): \(problems)")
            }
        }
    }

    @Test func aMessageSurvivesItsOriginDyingMidway() {
        var network = InMemoryNetwork(["a.chatty", "b.chatty", "c.chatty"])
        network.fullMesh()
        network.run()
        network.delays = [0: [2: 3_000]]
        let clients = Self.members(&network, ["ann", "ben", "cid"], channel: "#relay")
        let sentAt = network.clock
        network.send(clients[0].client, on: 0, "PRIVMSG #relay :last words")
        // Everything but a's slow copy to c arrives (b has relayed it)…
        network.run { ($0.nextDelivery ?? .max) >= sentAt + 1_000 }
        #expect(network.texts(clients[1].client, on: 1) == ["last words"])
        // …then a dies: what it still had on the wire to c is lost with it.
        network.cut(0, 1)
        network.cut(0, 2)
        network.run()
        #expect(network.texts(clients[2].client, on: 2) == ["last words"], "b relayed it")
    }

    @Test func aCutLinkIsHealedByReplayWhenItComesBack() {
        var network = InMemoryNetwork(["a.chatty", "b.chatty"])
        network.fullMesh()
        network.run()
        let clients = Self.members(&network, ["ann", "ben"], channel: "#heal")
        network.cut(0, 1)
        network.run()
        let (ann, ben) = (clients[0], clients[1])
        // The split made ben quit on a; what ann says now is for a's history only.
        network.send(ann.client, on: ann.node, "PRIVMSG #heal :while apart")
        network.link(0, 1)
        network.run()
        #expect(network.nodes[1].server.clientID(nick: "ann") != nil, "the burst brought ann back to b")
        #expect(network.texts(ben.client, on: ben.node) == ["while apart"], "replayed from a's history")
    }
}
