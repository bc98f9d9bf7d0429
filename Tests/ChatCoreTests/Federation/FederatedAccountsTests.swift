import Testing
@testable import ChatCore

/// Accounts on a network of servers: every server learns every account (live and in bursts),
/// agrees on conflicts, and takes an owned nick back from its own clients.
@Suite struct FederatedAccountsTests {
    let credentials = AccountCredentials(salt: [1], iterations: 1, storedKey: Array(repeating: 1, count: 32),
                                         serverKey: Array(repeating: 2, count: 32))

    /// `nick` on `node` registers an account named after it.
    func registerAccount(_ network: inout InMemoryNetwork, _ client: ClientID, on node: Int) throws {
        network.send(client, on: node, "REGISTER * * long-enough-password")
        let check = try #require(network.nodes[node].passwordChecks.last)
        network.nodes[node].passwordChecks.removeAll()
        network.route(network.nodes[node].server.accountCreated(check, credentials: credentials, now: network.now), at: node)
        network.run()
    }

    func nicks(_ network: InMemoryNetwork, _ client: ClientID, on node: Int) -> [String] {
        (network.nodes[node].inbox[client] ?? []).filter { $0.command == "NICK" }.map { $0.parameters[0] }
    }

    @Test func anAccountReachesEveryServerAndItsNickIsEnforcedThere() throws {
        var network = InMemoryNetwork(["a.chatty", "b.chatty", "c.chatty"])
        network.link(0, 1)
        network.link(1, 2)
        network.run()
        let ann = network.register("ann", on: 0)
        network.run()
        try registerAccount(&network, ann, on: 0)
        for node in 0..<3 { #expect(network.nodes[node].server.owner(ofNick: "ann")?.name == "ann", "node \(node)") }
        // Ann leaves; on c someone takes her nick and is renamed after the grace.
        network.send(ann, on: 0, "QUIT")
        network.run()
        let squatter = network.register("ann", on: 2)
        network.run()
        network.clock += 31_000
        network.route(network.nodes[2].server.tick(now: network.now), at: 2)
        network.run()
        #expect(nicks(network, squatter, on: 2) == ["Guest1"])
        #expect(network.nodes[0].server.clientID(nick: "Guest1") != nil, "every server sees the rename")
    }

    @Test func theOwnerLoggingInOnOneServerTakesTheNickBackOnAnother() throws {
        var network = InMemoryNetwork(["a.chatty", "b.chatty"])
        network.link(0, 1)
        network.run()
        let ann = network.register("ann", on: 0)
        network.run()
        try registerAccount(&network, ann, on: 0)
        network.send(ann, on: 0, "NICK ann_away")
        network.run()
        let squatter = network.register("ann", on: 1)
        network.run()
        // Ann logs in from a second connection on a (SASL after registration): b renames its squatter at once.
        let again = network.register("ann_2", on: 0)
        network.send(again, on: 0, "CAP REQ :sasl")
        network.send(again, on: 0, "AUTHENTICATE PLAIN")
        network.send(again, on: 0, "AUTHENTICATE " + Base64.encode(Array("\0ann\0long-enough-password".utf8)))
        let check = try #require(network.nodes[0].passwordChecks.last)
        network.route(network.nodes[0].server.passwordChecked(check, valid: true, now: network.now), at: 0)
        network.run()
        #expect(nicks(network, squatter, on: 1) == ["Guest1"])
        #expect(network.nodes[1].server.client(network.nodes[1].server.clientID(nick: "ann_2")!)?.account == "ann",
                "b knows who is logged in (WHOIS 330)")
    }

    @Test func aServerLinkedLaterLearnsAccountsInTheBurstAndConflictsResolveAlike() throws {
        var network = InMemoryNetwork(["a.chatty", "b.chatty"])
        let onA = network.register("zed", on: 0)
        try registerAccount(&network, onA, on: 0)
        network.clock += 1_000
        let onB = network.register("zed", on: 1)
        network.send(onB, on: 1, "REGISTER * * another-long-password")
        let check = try #require(network.nodes[1].passwordChecks.last)
        let other = AccountCredentials(salt: [9], iterations: 1, storedKey: Array(repeating: 9, count: 32),
                                       serverKey: Array(repeating: 8, count: 32))
        network.route(network.nodes[1].server.accountCreated(check, credentials: other, now: network.now), at: 1)
        network.link(0, 1)
        network.run()
        // Both registered "zed" while apart; the earlier registration (a's) wins everywhere.
        #expect(network.nodes[0].server.owner(ofNick: "zed")?.credentials == credentials)
        #expect(network.nodes[1].server.owner(ofNick: "zed")?.credentials == credentials)
        // b's zed was logged in to the losing registration: logged out and told.
        #expect(network.nodes[1].server.client(onB)?.account == nil)
        #expect((network.nodes[1].inbox[onB] ?? []).contains { $0.command == "NOTICE" && $0.parameters.last?.contains("you are logged out") == true })
    }
}
