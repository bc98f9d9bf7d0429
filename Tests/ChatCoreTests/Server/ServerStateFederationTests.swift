import Testing

@testable import ChatCore

/// Two servers' states wired together by hand: what one propagates, the other applies.
@Suite struct ServerStateFederationTests {
    private func network() -> (ServerHarness, ServerHarness) {
        let a = ServerHarness(configuration: ServerConfiguration(name: "a.chatty", motd: nil, messageIDPrefix: "a-", federated: true))
        let b = ServerHarness(configuration: ServerConfiguration(name: "b.chatty", motd: nil, messageIDPrefix: "b-", federated: true))
        return (a, b)
    }

    /// Applies everything `from` propagated since the last call to `to`.
    private func relay(_ from: inout ServerHarness, _ to: inout ServerHarness, sent: inout Int) {
        let events = from.propagated.dropFirst(sent)
        sent = from.propagated.count
        for event in events {
            to.route(to.state.remoteEventReceived(event, from: from.state.configuration.name, now: to.now))
        }
    }

    @Test func usersChannelsAndMessagesSpanServers() {
        var (a, b) = network()
        var sentA = 0, sentB = 0
        let alice = a.register("alice")
        let bob = b.register("bob")
        relay(&a, &b, sent: &sentA); relay(&b, &a, sent: &sentB)
        a.send(alice, "JOIN #chatty")
        relay(&a, &b, sent: &sentA)
        b.send(bob, "JOIN #chatty")
        relay(&b, &a, sent: &sentB)
        #expect(a.take(alice).last == ":bob!bob@127.0.0.1 JOIN :#chatty")
        b.send(bob, "NAMES #chatty")
        #expect(b.take(bob).contains(":b.chatty 353 bob = #chatty :@alice bob"))

        a.send(alice, "PRIVMSG #chatty :hello from a")
        let msgidAtA = a.propagated.last?.tag("msgid")
        relay(&a, &b, sent: &sentA)
        let received = b.takeMessages(bob)
        #expect(received.map(\.command) == ["PRIVMSG"])
        #expect(received.first?.source == "alice!alice@127.0.0.1")
        #expect(received.first?.tag("msgid") == msgidAtA, "the msgid is the same on every server")
        #expect(received.first?.tag("uid") == nil, "internal tags never reach clients")

        b.send(bob, "PRIVMSG alice :psst")
        relay(&b, &a, sent: &sentB)
        #expect(a.take(alice) == [":bob!bob@127.0.0.1 PRIVMSG alice :psst"])

        b.send(bob, "NICK robert")
        relay(&b, &a, sent: &sentB)
        #expect(a.take(alice) == [":bob!bob@127.0.0.1 NICK :robert"])
        a.send(alice, "WHOIS robert")
        #expect(a.take(alice).contains(":a.chatty 312 alice robert b.chatty :Chatty"))

        b.send(bob, "QUIT :later")
        relay(&b, &a, sent: &sentB)
        #expect(a.take(alice) == [":robert!bob@127.0.0.1 QUIT :Quit: later"])
        #expect(a.state.clientID(nick: "robert") == nil)
        #expect(a.state.remoteCount == 0)
    }

    @Test func netsplitQuitsTheServersUsers() {
        var (a, b) = network()
        var sentA = 0, sentB = 0
        let alice = a.register("alice")
        a.send(alice, "JOIN #c")
        let bob = b.register("bob")
        b.send(bob, "JOIN #c")
        relay(&a, &b, sent: &sentA); relay(&b, &a, sent: &sentB)
        _ = a.take(alice)
        a.route(a.state.serverSplit("b.chatty", now: a.now))
        #expect(a.take(alice) == [":bob!bob@127.0.0.1 QUIT :a.chatty b.chatty"])
        #expect(a.state.channel(named: "#c")?.members.count == 1)
    }

    /// A third server may relay what a split server's user said before the split: it is shown and
    /// kept, not dropped because the user is gone here (no line is lost).
    @Test func aMessageRelayedAfterItsServerSplitIsStillDelivered() throws {
        var (a, b) = network()
        var sentA = 0, sentB = 0
        let alice = a.register("alice")
        a.send(alice, "JOIN #c")
        let bob = b.register("bob")
        b.send(bob, "JOIN #c")
        relay(&a, &b, sent: &sentA); relay(&b, &a, sent: &sentB)
        b.send(bob, "PRIVMSG #c :said just before the split")
        let late = try #require(b.propagated.last)
        a.route(a.state.serverSplit("b.chatty", now: a.now))
        _ = a.take(alice)
        a.route(a.state.remoteEventReceived(late, from: "c.chatty", now: a.now))
        let shown = a.takeMessages(alice)
        #expect(shown.map { $0.serialized(includeTags: false) } == [":bob!bob@127.0.0.1 PRIVMSG #c :said just before the split\r\n"])
        #expect(shown.first?.tag("uid") == nil, "internal tags stay internal")
        #expect(shown.first?.tag("msgid") == late.tag("msgid"))
        // A late TAGMSG, like any TAGMSG, reaches only members with message-tags (alice has none).
        var tagmsg = late
        tagmsg.command = "TAGMSG"
        tagmsg.parameters = ["#c"]
        a.route(a.state.remoteEventReceived(tagmsg, from: "c.chatty", now: a.now))
        #expect(a.take(alice).isEmpty)
        // Nothing else from an unknown user applies.
        var part = late
        part.command = "PART"
        part.parameters = ["#c"]
        #expect(a.state.remoteEventReceived(part, from: "c.chatty", now: a.now).isEmpty)
    }

    @Test func burstIsIdempotentAndRebuildsState() {
        var (a, b) = network()
        let alice = a.register("alice")
        a.send(alice, "JOIN #c")
        a.send(alice, "TOPIC #c :the topic")
        a.send(alice, "MODE #c +k key")
        a.send(alice, "MODE #c +bI bad *!*@friends")
        for _ in 0..<2 {
            for message in a.state.burst() {
                b.route(b.state.remoteEventReceived(message, from: "a.chatty", now: b.now))
            }
        }
        #expect(b.state.remoteCount == 1)
        let channel = b.state.channel(named: "#c")
        #expect(channel?.members.count == 1)
        #expect(channel?.topic == "the topic")
        #expect(channel?.modes.key == "key")
        #expect(channel?.memberModes.values.first == .op)
        #expect(channel?.modes.lists.bans.map(\.mask) == ["bad!*@*"])
        #expect(channel?.modes.lists.bans.first?.setter == "alice!alice@127.0.0.1")
        #expect(channel?.modes.lists.inviteExceptions.map(\.mask) == ["*!*@friends"])
    }

    @Test func presenceChangesSpanServers() throws {
        var (a, b) = network()
        var sentA = 0, sentB = 0
        let alice = a.register("alice")
        let bob = b.register("bob", caps: ["away-notify", "setname", "chghost", "invite-notify", "message-tags"])
        let watcher = b.register("watcher")
        a.send(alice, "JOIN #c")
        relay(&a, &b, sent: &sentA)
        b.send(bob, "JOIN #c")
        b.send(watcher, "MONITOR + alice,ghost")
        relay(&b, &a, sent: &sentB)
        _ = b.take(bob)
        #expect(b.take(watcher) == [":b.chatty 730 watcher :alice!alice@127.0.0.1", ":b.chatty 731 watcher :ghost"])
        a.send(alice, "AWAY :away")
        a.send(alice, "SETNAME :Alice L")
        a.send(alice, "MODE alice +B")
        a.send(alice, "INVITE watcher #c")
        relay(&a, &b, sent: &sentA)
        #expect(b.take(bob) == [":alice!alice@127.0.0.1 AWAY :away", ":alice!alice@127.0.0.1 SETNAME :Alice L",
                                ":alice!alice@127.0.0.1 INVITE watcher :#c"])
        #expect(b.take(watcher) == [":alice!alice@127.0.0.1 INVITE watcher :#c"])
        let remote = try #require(b.state.clientID(nick: "alice").flatMap { b.state.client($0) })
        #expect(remote.realName == "Alice L" && remote.bot && remote.away == "away")
        a.send(alice, "NICK ghost")
        relay(&a, &b, sent: &sentA)
        #expect(b.take(watcher) == [":b.chatty 731 watcher :alice", ":b.chatty 730 watcher :ghost!alice@127.0.0.1"])
    }

    @Test func aNickCollisionDoesNotTellWatchersTheWinnersNickWentOffline() {
        var (a, b) = network()
        a.now = Timestamp(millisecondsSinceEpoch: 1_000)
        b.now = Timestamp(millisecondsSinceEpoch: 2_000)
        let first = a.register("dani")
        let watcher = b.register("watcher")
        b.send(watcher, "MONITOR + dani")
        _ = b.take(watcher)
        _ = b.register("dani")
        _ = b.take(watcher)
        // a's dani (earlier) arrives at b: it wins, b's dani becomes a Guest.
        for event in a.propagated { b.route(b.state.remoteEventReceived(event, from: "a.chatty", now: b.now)) }
        let told = b.take(watcher)
        #expect(!told.contains(":b.chatty 731 watcher :dani"), "\(told)")
        #expect(b.state.clientID(nick: "dani").flatMap { b.state.client($0) }?.isRemote == true)
        _ = first
    }

    @Test func bansSpanServers() {
        var (a, b) = network()
        var sentA = 0, sentB = 0
        let alice = a.register("alice")
        let mallory = b.register("mallory")
        a.send(alice, "JOIN #c")
        relay(&a, &b, sent: &sentA); relay(&b, &a, sent: &sentB)
        a.send(alice, "MODE #c +b mallory")
        relay(&a, &b, sent: &sentA)
        b.send(mallory, "JOIN #c")
        #expect(b.commands(mallory).last == "474")
        a.send(alice, "MODE #c -b mallory!*@*")
        relay(&a, &b, sent: &sentA)
        b.send(mallory, "JOIN #c")
        #expect(b.commands(mallory).contains("JOIN"))
    }

    @Test func nickCollisionIsResolvedTheSameWayOnBothServers() {
        var (a, b) = network()
        var sentA = 0, sentB = 0
        a.now = Timestamp(millisecondsSinceEpoch: 1_000)
        let first = a.register("dani")
        b.now = Timestamp(millisecondsSinceEpoch: 2_000)
        let second = b.register("dani")
        relay(&a, &b, sent: &sentA); relay(&b, &a, sent: &sentB)
        // The older claim (on a) keeps the nick on both servers; b's user is renamed and told.
        #expect(a.state.clientID(nick: "dani") == first)
        #expect(b.state.clientID(nick: "dani") != second)
        let renamed = b.state.client(second)!.nick
        #expect(renamed.hasPrefix("Guest"))
        #expect(a.state.client(a.state.clientID(nick: renamed)!)?.isRemote == true)
        let told = b.take(second)
        #expect(told.contains { $0.contains("NICK :\(renamed)") })
        #expect(told.contains { $0.contains("Nick collision") })
    }

    @Test func notFederatedProducesNoNetworkEvents() {
        var server = ServerHarness()
        let alice = server.register("alice")
        server.send(alice, "JOIN #c")
        server.send(alice, "PRIVMSG #c :x")
        #expect(server.propagated.isEmpty)
    }
}
