import Testing
@testable import ChatCore

/// OPER, KILL, WALLOPS and user mode +w.
@Suite struct ServerStateOperatorsTests {
    static func configuration(name: String = "chatty.local", federated: Bool = false) -> ServerConfiguration {
        ServerConfiguration(name: name, motd: [], operators: ["boss": "secret"], messageIDPrefix: name.prefix(1) + "-",
                            federated: federated)
    }

    @Test func killDisconnectsTheUserAndTellsItsPeers() {
        var server = ServerHarness(configuration: Self.configuration())
        let boss = server.register("boss")
        let victim = server.register("victim")
        let peer = server.register("peer")
        server.send(victim, "JOIN #c")
        server.send(peer, "JOIN #c")
        _ = server.take(victim)
        _ = server.take(peer)
        server.send(victim, "KILL peer :no")
        #expect(server.commands(victim) == ["481"])
        server.send(boss, "OPER boss secret")
        _ = server.take(boss)
        server.send(boss, "KILL ghost :x")
        #expect(server.commands(boss) == ["401"])
        server.send(boss, "KILL victim :spamming")
        #expect(server.closed[victim] == "Killed (boss (spamming))")
        #expect(server.take(peer) == [":victim!victim@127.0.0.1 QUIT :Killed (boss (spamming))"])
        #expect(server.state.clientID(nick: "victim") == nil)
    }

    @Test func wallopsReachOnlyUsersWithModeW() {
        var server = ServerHarness(configuration: Self.configuration())
        let boss = server.register("boss")
        let reader = server.register("reader")
        let other = server.register("other")
        server.send(reader, "MODE reader +w")
        #expect(server.take(reader) == [":reader!reader@127.0.0.1 MODE reader :+w"])
        server.send(reader, "MODE reader")
        #expect(server.takeMessages(reader).first?.parameters.last == "+w")
        server.send(boss, "WALLOPS :hello")
        #expect(server.commands(boss) == ["481"])
        server.send(boss, "OPER boss secret")
        _ = server.take(boss)
        server.send(boss, "WALLOPS :network maintenance at noon")
        #expect(server.take(reader) == [":boss!boss@127.0.0.1 WALLOPS :network maintenance at noon"])
        #expect(server.take(other).isEmpty)
    }

    @Test func killAndWallopsCrossLinks() {
        var a = ServerHarness(configuration: Self.configuration(name: "a.chatty", federated: true))
        var b = ServerHarness(configuration: Self.configuration(name: "b.chatty", federated: true))
        let boss = a.register("boss")
        let victim = b.register("victim")
        let reader = b.register("reader")
        b.send(reader, "MODE reader +w")
        _ = b.take(reader)
        for event in b.propagated { a.route(a.state.remoteEventReceived(event, from: "b.chatty", now: a.now)) }
        for event in a.propagated { b.route(b.state.remoteEventReceived(event, from: "a.chatty", now: b.now)) }
        let sent = a.propagated.count
        a.send(boss, "OPER boss secret")
        a.send(boss, "WALLOPS :hi all")
        a.send(boss, "KILL victim :bye")
        #expect(a.state.clientID(nick: "victim") == nil)
        for event in a.propagated.dropFirst(sent) { b.route(b.state.remoteEventReceived(event, from: "a.chatty", now: b.now)) }
        #expect(b.take(reader).contains(":boss!boss@127.0.0.1 WALLOPS :hi all"))
        #expect(b.closed[victim] == "Killed (boss (bye))")
        #expect(b.state.clientID(nick: "victim") == nil)
    }

    @Test func theBurstCarriesTheServerDescription() {
        var configuration = Self.configuration(name: "a.chatty", federated: true)
        configuration.description = "Server A"
        let a = ServerHarness(configuration: configuration)
        var b = ServerHarness(configuration: Self.configuration(name: "b.chatty", federated: true))
        b.state.serverLinked("a.chatty", description: "Chatty server")
        for event in a.state.burst() { b.route(b.state.remoteEventReceived(event, from: "a.chatty", now: b.now)) }
        #expect(b.state.linkedServers["a.chatty"] == "Server A")
    }
}
