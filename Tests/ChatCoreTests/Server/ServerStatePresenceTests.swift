import Testing
@testable import ChatCore

/// away-notify, setname, chghost, invite-notify, bot mode, MONITOR and extended-monitor,
/// no-implicit-names and cap-notify.
@Suite struct ServerStatePresenceTests {
    static func pair(caps: [String]) -> (ServerHarness, alice: ClientID, bob: ClientID) {
        var server = ServerHarness(configuration: ServerConfiguration(motd: [], operators: ["boss": "pw"]))
        let alice = server.register("alice", caps: caps)
        let bob = server.register("bob", caps: caps)
        server.send(alice, "JOIN #c")
        server.send(bob, "JOIN #c")
        _ = server.take(alice)
        _ = server.take(bob)
        return (server, alice, bob)
    }

    @Test func awayNotifyTellsPeersWithTheCapabilityOnly() {
        var (server, alice, bob) = Self.pair(caps: ["away-notify"])
        let plain = server.register("plain")
        server.send(plain, "JOIN #c")
        _ = server.take(plain)
        _ = server.take(alice)
        _ = server.take(bob)
        server.send(alice, "AWAY :lunch")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 AWAY :lunch"])
        #expect(server.commands(alice) == ["306"])
        #expect(server.take(plain).isEmpty)
        server.send(alice, "AWAY")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 AWAY"])
    }

    @Test func anAwayUsersJoinIsFollowedByItsAway() {
        var (server, alice, bob) = Self.pair(caps: ["away-notify"])
        server.send(alice, "AWAY :gone")
        server.send(alice, "JOIN #other")
        server.send(bob, "JOIN #other")
        _ = server.take(alice)
        _ = server.take(bob)
        let carol = server.register("carol")
        server.send(carol, "AWAY :brb")
        server.send(carol, "JOIN #other")
        #expect(server.take(bob) == [":carol!carol@127.0.0.1 JOIN :#other", ":carol!carol@127.0.0.1 AWAY :brb"])
    }

    @Test func setnameChangesTheRealNameForEveryone() {
        var (server, alice, bob) = Self.pair(caps: ["setname"])
        server.send(alice, "SETNAME :Alice Liddell")
        #expect(server.take(alice) == [":alice!alice@127.0.0.1 SETNAME :Alice Liddell"])
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 SETNAME :Alice Liddell"])
        #expect(server.state.client(alice)?.realName == "Alice Liddell")
        server.send(alice, "SETNAME :" + String(repeating: "x", count: 201))
        #expect(server.take(alice).first?.hasPrefix(":chatty.local FAIL SETNAME INVALID_REALNAME") == true)
    }

    @Test func chghostTellsCapableClientsAndFakesAQuitAndJoinForTheOthers() {
        var (server, alice, bob) = Self.pair(caps: ["chghost"])
        let plain = server.register("plain")
        server.send(plain, "JOIN #c")
        _ = server.take(plain)
        _ = server.take(alice)
        _ = server.take(bob)
        server.send(bob, "CHGHOST alice x y")
        #expect(server.commands(bob) == ["481"])
        server.send(bob, "OPER boss pw")
        _ = server.take(bob)
        server.send(bob, "CHGHOST alice alice staff.example")
        #expect(server.take(alice) == [":alice!alice@127.0.0.1 CHGHOST alice :staff.example"])
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 CHGHOST alice :staff.example"])
        #expect(server.take(plain) == [":alice!alice@127.0.0.1 QUIT :Changing host", ":alice!alice@staff.example JOIN :#c",
                                       ":chatty.local MODE #c +o :alice"])
        #expect(server.state.client(alice)?.prefix == "alice!alice@staff.example")
    }

    @Test func inviteNotifyTellsTheOtherMembers() {
        var (server, alice, bob) = Self.pair(caps: ["invite-notify"])
        let carol = server.register("carol")
        server.send(alice, "INVITE carol #c")
        #expect(server.commands(alice) == ["341"])
        #expect(server.take(carol) == [":alice!alice@127.0.0.1 INVITE carol :#c"])
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 INVITE carol :#c"])
    }

    @Test func botModeIsShownInWhoisWhoAndTags() throws {
        var (server, alice, bob) = Self.pair(caps: ["message-tags"])
        server.send(alice, "MODE alice +B")
        #expect(server.take(alice) == [":alice!alice@127.0.0.1 MODE alice :+B"])
        server.send(bob, "WHOIS alice")
        #expect(server.commands(bob).contains("335"))
        server.send(bob, "WHO alice")
        #expect(server.takeMessages(bob).first?.parameters[6] == "HB@")
        server.send(alice, "PRIVMSG #c :beep")
        let message = try #require(server.takeMessages(bob).first)
        #expect(message.tags.contains { $0.key == "bot" })
        #expect(server.state.isupportTokens.contains("BOT=B"))
    }

    @Test func monitorTellsWhenNicksComeAndGo() {
        var server = ServerHarness()
        let watcher = server.register("watcher")
        let bob = server.register("bob")
        server.send(watcher, "MONITOR + bob,carol")
        #expect(server.take(watcher) == [":chatty.local 730 watcher :bob!bob@127.0.0.1", ":chatty.local 731 watcher :carol"])
        let carol = server.register("carol")
        #expect(server.take(watcher) == [":chatty.local 730 watcher :carol!carol@127.0.0.1"])
        server.send(bob, "NICK robert")
        #expect(server.take(watcher) == [":chatty.local 731 watcher :bob"])
        server.send(carol, "QUIT :bye")
        #expect(server.take(watcher) == [":chatty.local 731 watcher :carol"])
        server.send(watcher, "MONITOR L")
        #expect(server.take(watcher) == [":chatty.local 732 watcher :bob,carol", ":chatty.local 733 watcher :End of MONITOR list"])
        server.send(watcher, "MONITOR - bob")
        server.send(watcher, "MONITOR S")
        #expect(server.take(watcher) == [":chatty.local 731 watcher :carol"])
        server.send(watcher, "MONITOR C")
        server.send(watcher, "MONITOR L")
        #expect(server.commands(watcher) == ["733"])
        server.send(watcher, "MONITOR + " + (0...ServerState.monitorLimit).map { "n\($0)" }.joined(separator: ","))
        #expect(Set(server.commands(watcher).suffix(2)) == ["731", "734"])
    }

    @Test func extendedMonitorSendsPresenceForWatchedNicksWithoutASharedChannel() {
        var server = ServerHarness()
        let watcher = server.register("watcher", caps: ["away-notify", "extended-monitor", "setname"])
        let bob = server.register("bob")
        server.send(watcher, "MONITOR + bob")
        _ = server.take(watcher)
        server.send(bob, "AWAY :out")
        #expect(server.take(watcher) == [":bob!bob@127.0.0.1 AWAY :out"])
        server.send(bob, "SETNAME :Robert")
        #expect(server.take(watcher) == [":bob!bob@127.0.0.1 SETNAME :Robert"])
    }

    @Test func noImplicitNamesSkipsTheNamesAfterJoin() {
        var server = ServerHarness()
        let quiet = server.register("quiet", caps: ["draft/no-implicit-names"])
        server.send(quiet, "JOIN #c")
        #expect(server.commands(quiet) == ["JOIN"])
    }

    @Test func capLS302EnablesCapNotifyAndOffersTheExtensions() throws {
        var server = ServerHarness()
        let client = server.connect()
        server.send(client, "CAP LS 302")
        let listed = try #require(server.takeMessages(client).first?.parameters.last).split(separator: " ").map(String.init)
        for name in ["away-notify", "cap-notify", "chghost", "setname", "invite-notify", "extended-monitor",
                     "draft/no-implicit-names", "draft/message-redaction"] {
            #expect(listed.contains(name), "\(name)")
        }
        #expect(listed.contains("draft/multiline=max-bytes=4096,max-lines=100"))
        #expect(server.state.client(client)?.capabilities.contains(.capNotify) == true)
    }
}
