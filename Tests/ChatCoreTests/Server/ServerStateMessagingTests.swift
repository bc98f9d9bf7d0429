import Testing

@testable import ChatCore

@Suite struct ServerStateMessagingTests {
    private func room() -> (ServerHarness, ClientID, ClientID, ClientID) {
        var server = ServerHarness()
        let alice = server.register("alice")
        let bob = server.register("bob", caps: ["message-tags", "server-time"])
        let carol = server.register("carol", caps: ["echo-message", "server-time"])
        for client in [alice, bob, carol] { server.send(client, "JOIN #c") }
        for client in [alice, bob, carol] { _ = server.take(client) }
        return (server, alice, bob, carol)
    }

    @Test func channelMessageReachesEveryOtherMember() {
        var (server, alice, bob, carol) = room()
        server.send(alice, "PRIVMSG #c :hello world")
        #expect(server.take(alice).isEmpty)
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 PRIVMSG #c :hello world"])
        #expect(server.take(carol) == [":alice!alice@127.0.0.1 PRIVMSG #c :hello world"])
    }

    @Test func echoMessageReturnsSameMessageWithSameMsgid() {
        var (server, _, bob, carol) = room()
        server.send(carol, "PRIVMSG #c :echoed")
        let echoed = server.takeMessages(carol)
        let seen = server.takeMessages(bob)
        #expect(echoed.count == 1 && seen.count == 1)
        #expect(echoed[0].tag("msgid") != nil)
        #expect(echoed[0].tag("msgid") == seen[0].tag("msgid"))
        #expect(echoed[0].tag("time") == server.now.iso8601)
    }

    @Test func msgidsAreUnique() {
        var (server, alice, bob, _) = room()
        for index in 0..<50 { server.send(alice, "PRIVMSG #c :m\(index)") }
        let ids = server.takeMessages(bob).compactMap { $0.tag("msgid") }
        #expect(ids.count == 50)
        #expect(Set(ids).count == 50)
    }

    @Test func clientTagsRelayedServerTagsNotForgeable() {
        var (server, alice, bob, _) = room()
        server.send(alice, "@+typing=active;msgid=forged;time=1999-01-01T00:00:00.000Z TAGMSG #c")
        let message = server.takeMessages(bob)
        #expect(message.count == 1)
        #expect(message.first?.tag("+typing") == "active")
        #expect(message.first?.tag("msgid") != "forged")
        #expect(message.first?.tag("time") == server.now.iso8601)
    }

    @Test func privateMessagesAndAway() {
        var (server, alice, bob, _) = room()
        server.send(bob, "AWAY :lunch")
        #expect(server.take(bob) == [":chatty.local 306 bob :You have been marked as being away"])
        server.send(alice, "PRIVMSG BOB :psst")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 PRIVMSG bob :psst"])
        #expect(server.take(alice) == [":chatty.local 301 alice bob :lunch"])
        server.send(bob, "AWAY")
        #expect(server.take(bob) == [":chatty.local 305 bob :You are no longer marked as being away"])
        server.send(alice, "PRIVMSG nobody :x")
        #expect(server.take(alice) == [":chatty.local 401 alice nobody :No such nick/channel"])
        server.send(alice, "NOTICE nobody :x")
        #expect(server.take(alice).isEmpty, "NOTICE never triggers error replies")
    }

    @Test func messageErrors() {
        var (server, alice, _, _) = room()
        server.send(alice, "PRIVMSG")
        #expect(server.take(alice) == [":chatty.local 411 alice :No recipient given (PRIVMSG)"])
        server.send(alice, "PRIVMSG #c")
        #expect(server.take(alice) == [":chatty.local 412 alice :No text to send"])
        server.send(alice, "PRIVMSG #nope :x")
        #expect(server.take(alice) == [":chatty.local 403 alice #nope :No such channel"])
        let dave = server.register("dave")
        server.send(dave, "PRIVMSG #c :from outside")
        #expect(server.take(dave) == [":chatty.local 404 dave #c :Cannot send to channel"])
        server.send(alice, "PRIVMSG a,b,c,d,e :x")
        #expect(server.take(alice) == [":chatty.local 407 alice a,b,c,d,e :Too many targets"])
    }

    @Test func quitIsBroadcastOncePerPeer() {
        var (server, alice, bob, carol) = room()
        server.send(alice, "JOIN #d")
        server.send(bob, "JOIN #d")
        _ = server.take(alice); _ = server.take(bob)
        server.send(alice, "QUIT :gone fishing")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 QUIT :Quit: gone fishing"])
        #expect(server.take(carol) == [":alice!alice@127.0.0.1 QUIT :Quit: gone fishing"])
        #expect(server.closed[alice] == "Quit: gone fishing")
        #expect(server.state.clientID(nick: "alice") == nil)
        // The connection closing afterwards does not announce a second quit.
        server.disconnect(alice)
        #expect(server.take(bob).isEmpty)
    }

    @Test func droppedConnectionAnnouncesReason() {
        var (server, alice, bob, _) = room()
        server.disconnect(alice, reason: "Ping timeout: 60 seconds")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 QUIT :Ping timeout: 60 seconds"])
        #expect(server.state.channel(named: "#c")?.members.count == 2)
    }

    @Test func nickChangeBroadcastOnceIncludingSelf() {
        var (server, alice, bob, carol) = room()
        server.send(alice, "JOIN #d")
        server.send(bob, "JOIN #d")
        _ = server.take(alice); _ = server.take(bob)
        server.send(alice, "NICK Alicia")
        #expect(server.take(alice) == [":alice!alice@127.0.0.1 NICK :Alicia"])
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 NICK :Alicia"])
        #expect(server.take(carol) == [":alice!alice@127.0.0.1 NICK :Alicia"])
        #expect(server.state.clientID(nick: "alicia") == alice)
        #expect(server.state.clientID(nick: "alice") == nil)
        server.send(bob, "NICK ALICIA")
        #expect(server.take(bob) == [":chatty.local 433 bob ALICIA :Nickname is already in use"])
        // A case-only change of one's own nick is allowed.
        server.send(alice, "NICK ALICIA")
        #expect(server.take(alice) == [":Alicia!alice@127.0.0.1 NICK :ALICIA"])
    }

    @Test func joinAndPartSemantics() {
        var (server, alice, _, _) = room()
        let late = server.register("late")
        server.send(alice, "PRIVMSG #c :before join")
        server.send(late, "JOIN #c")
        _ = server.take(late)
        server.send(alice, "PRIVMSG #c :after join")
        #expect(server.take(late) == [":alice!alice@127.0.0.1 PRIVMSG #c :after join"])
        server.send(late, "PART #c")
        _ = server.take(late)
        server.send(alice, "PRIVMSG #c :after part")
        #expect(server.take(late).isEmpty)
    }

    @Test func labeledResponse() {
        var server = ServerHarness()
        let client = server.register("lab", caps: ["labeled-response", "batch", "echo-message"])
        server.send(client, "@label=one PING x")
        let single = server.takeMessages(client)
        #expect(single.count == 1)
        #expect(single[0].tag("label") == "one")
        server.send(client, "@label=none PONG x")
        let ack = server.takeMessages(client)
        #expect(ack.map(\.command) == ["ACK"])
        #expect(ack.first?.tag("label") == "none")
        server.send(client, "@label=many JOIN #c")
        let batch = server.takeMessages(client)
        #expect(batch.map(\.command) == ["BATCH", "JOIN", "353", "366", "BATCH"])
        #expect(batch.first?.tag("label") == "many")
        let reference = String(batch.first!.parameters[0].dropFirst())
        #expect(batch[1...3].allSatisfy { $0.tag("batch") == reference })
        #expect(batch.last?.parameters == ["-" + reference])
        server.send(client, "@label=echo PRIVMSG #c :hi")
        let echo = server.takeMessages(client)
        #expect(echo.count == 1 && echo[0].command == "PRIVMSG" && echo[0].tag("label") == "echo")
    }

    @Test func whoisAndOper() {
        var server = ServerHarness(configuration: ServerConfiguration(operators: ["root": "toor"]))
        let alice = server.register("alice")
        server.send(alice, "JOIN #c")
        let bob = server.register("bob")
        server.send(bob, "WHOIS alice")
        let lines = server.take(bob)
        #expect(lines.first == ":chatty.local 311 bob alice alice 127.0.0.1 * :Real alice")
        #expect(lines.contains(":chatty.local 319 bob alice :@#c"))
        #expect(lines.last == ":chatty.local 318 bob alice :End of /WHOIS list")
        server.send(bob, "OPER root wrong")
        #expect(server.take(bob) == [":chatty.local 464 bob :Password incorrect"])
        server.send(bob, "OPER nobody toor")
        #expect(server.take(bob) == [":chatty.local 491 bob :No O-lines for your host"])
        server.send(bob, "OPER root toor")
        #expect(server.take(bob) == [":chatty.local 381 bob :You are now an IRC operator", ":bob!bob@127.0.0.1 MODE bob :+o"])
        server.send(alice, "WHOIS bob")
        #expect(server.take(alice).contains(":chatty.local 313 alice bob :is an IRC operator"))
    }

    @Test func userModes() {
        var server = ServerHarness()
        let alice = server.register("alice")
        _ = server.register("bob")
        server.send(alice, "MODE alice +i")
        #expect(server.take(alice) == [":alice!alice@127.0.0.1 MODE alice :+i"])
        server.send(alice, "MODE alice")
        #expect(server.take(alice) == [":chatty.local 221 alice :+i"])
        server.send(alice, "MODE bob +i")
        #expect(server.take(alice) == [":chatty.local 502 alice :Can't change mode for other users"])
    }

    @Test func lusersCountsInvisibleAndOperatorsAsTheyChange() {
        var server = ServerHarness(configuration: ServerConfiguration(operators: ["root": "toor"]))
        let alice = server.register("alice")
        let bob = server.register("bob")
        server.send(alice, "MODE alice +i")
        server.send(bob, "OPER root toor")
        server.send(bob, "OPER root toor")
        _ = server.take(alice); _ = server.take(bob)
        server.send(alice, "LUSERS")
        var lines = server.take(alice)
        #expect(lines.contains(":chatty.local 251 alice :There are 1 users and 1 invisible on 1 servers"))
        #expect(lines.contains(":chatty.local 252 alice 1 :operator(s) online"))
        server.send(bob, "QUIT")
        server.send(alice, "MODE alice -i")
        _ = server.take(alice)
        server.send(alice, "LUSERS")
        lines = server.take(alice)
        #expect(lines.contains(":chatty.local 251 alice :There are 1 users and 0 invisible on 1 servers"))
        #expect(lines.contains(":chatty.local 252 alice 0 :operator(s) online"))
    }

    @Test func lusersCountsRegisteredClients() {
        var server = ServerHarness()
        let alice = server.register("alice")
        _ = server.register("bob")
        _ = server.connect()
        server.send(alice, "LUSERS")
        let lines = server.take(alice)
        #expect(lines.contains(":chatty.local 251 alice :There are 2 users and 0 invisible on 1 servers"))
        #expect(lines.contains(":chatty.local 253 alice 1 :unknown connection(s)"))
    }
}

/// Issue 15's target defects: a repeated target, and targets that are only commas.
@Suite struct ServerStateMessageTargetTests {
    @Test func aRepeatedTargetGetsTheMessageOnceAndOnlyCommasGet411() {
        var server = ServerHarness()
        let alice = server.register("alice")
        let bob = server.register("bob")
        server.send(alice, "JOIN #chatty")
        server.send(bob, "JOIN #chatty")
        _ = server.take(bob)
        server.send(alice, "PRIVMSG #chatty,#CHATTY :x")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 PRIVMSG #chatty :x"])
        _ = server.take(alice)
        server.send(alice, "PRIVMSG ,,,, :x")
        #expect(server.commands(alice) == ["411"])
        server.send(alice, "NOTICE ,, :x")
        #expect(server.take(alice).isEmpty, "NOTICE never gets an error reply")
    }
}

/// Issue 15 and 13: client tags past 4094 bytes are refused (417), so that a relayed line with the
/// server's tags never exceeds the 8191 bytes recipients accept.
@Suite struct ServerStateClientTagLimitTests {
    @Test func clientTagsOverTheLimitGet417AndGoNowhere() throws {
        var server = ServerHarness()
        let alice = server.register("alice", caps: ["message-tags"])
        let bob = server.register("bob", caps: ["message-tags", "server-time"])
        server.send(alice, "JOIN #c")
        server.send(bob, "JOIN #c")
        _ = server.take(alice)
        _ = server.take(bob)
        let fits = String(repeating: "a", count: 4094 - "+x=".utf8.count)
        server.send(alice, "@+x=\(fits) TAGMSG #c")
        let relayed = try #require(server.takeMessages(bob).first)
        #expect(relayed.serialized().utf8.count - relayed.serialized(includeTags: false).utf8.count <= 8191 + 2)
        server.send(alice, "@+x=\(fits)b TAGMSG #c")
        #expect(server.commands(alice) == ["417"])
        #expect(server.take(bob).isEmpty)
        server.send(alice, "@+x=a\\sb PRIVMSG #c :escaped spaces count twice")
        #expect(server.take(bob).count == 1)
        #expect(IRCMessage.serializedLength(of: [.init("+a", "x y"), .init("+b")]) == "+a=x\\sy;+b".utf8.count)
    }
}

