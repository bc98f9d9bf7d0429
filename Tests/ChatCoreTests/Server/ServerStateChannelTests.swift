import Testing

@testable import ChatCore

@Suite struct ServerStateChannelTests {
    @Test func joinCreatesChannelWithOpAndNames() {
        var server = ServerHarness()
        let alice = server.register("alice")
        server.send(alice, "JOIN #chatty")
        #expect(server.take(alice) == [
            ":alice!alice@127.0.0.1 JOIN :#chatty",
            ":chatty.local 353 alice = #chatty :@alice",
            ":chatty.local 366 alice #chatty :End of /NAMES list",
        ])
        let bob = server.register("bob")
        server.send(bob, "JOIN #Chatty")
        #expect(server.take(alice) == [":bob!bob@127.0.0.1 JOIN :#chatty"])
        #expect(server.take(bob) == [
            ":bob!bob@127.0.0.1 JOIN :#chatty",
            ":chatty.local 353 bob = #chatty :@alice bob",
            ":chatty.local 366 bob #chatty :End of /NAMES list",
        ])
    }

    @Test func joinSeveralAndZero() {
        var server = ServerHarness()
        let alice = server.register("alice")
        server.send(alice, "JOIN #a,#b")
        #expect(server.state.client(alice)?.channels == ["#a", "#b"])
        _ = server.take(alice)
        server.send(alice, "JOIN 0")
        #expect(server.take(alice) == [":alice!alice@127.0.0.1 PART :#a", ":alice!alice@127.0.0.1 PART :#b"])
        #expect(server.state.channelCount == 0)
    }

    @Test func badChannelName() {
        var server = ServerHarness()
        let alice = server.register("alice")
        server.send(alice, "JOIN chatty")
        #expect(server.take(alice) == [":chatty.local 403 alice chatty :No such channel"])
    }

    @Test func multiPrefixAndUserhostInNames() {
        var server = ServerHarness()
        let alice = server.register("alice")
        server.send(alice, "JOIN #c")
        server.send(alice, "MODE #c +v alice")
        let bob = server.register("bob", caps: ["multi-prefix", "userhost-in-names"])
        server.send(bob, "JOIN #c")
        #expect(server.take(bob).contains(":chatty.local 353 bob = #c :@+alice!alice@127.0.0.1 bob!bob@127.0.0.1"))
        server.send(alice, "NAMES #c")
        #expect(server.take(alice).contains(":chatty.local 353 alice = #c :@alice bob"))
    }

    @Test func partWithReasonAndErrors() {
        var server = ServerHarness()
        let alice = server.register("alice")
        let bob = server.register("bob")
        server.send(alice, "JOIN #c")
        server.send(bob, "JOIN #c")
        _ = server.take(alice); _ = server.take(bob)
        server.send(bob, "PART #c :see you")
        #expect(server.take(alice) == [":bob!bob@127.0.0.1 PART #c :see you"])
        #expect(server.take(bob) == [":bob!bob@127.0.0.1 PART #c :see you"])
        server.send(bob, "PART #c")
        #expect(server.take(bob) == [":chatty.local 442 bob #c :You're not on that channel"])
        server.send(bob, "PART #nope")
        #expect(server.take(bob) == [":chatty.local 403 bob #nope :No such channel"])
    }

    @Test func topic() {
        var server = ServerHarness()
        let alice = server.register("alice")
        let bob = server.register("bob")
        server.send(alice, "JOIN #c")
        server.send(bob, "JOIN #c")
        _ = server.take(alice); _ = server.take(bob)
        server.send(bob, "TOPIC #c")
        #expect(server.take(bob) == [":chatty.local 331 bob #c :No topic is set"])
        server.send(bob, "TOPIC #c :mine")
        #expect(server.take(bob) == [":chatty.local 482 bob #c :You're not channel operator"])
        server.send(alice, "TOPIC #c :Welcome all")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 TOPIC #c :Welcome all"])
        #expect(server.take(alice) == [":alice!alice@127.0.0.1 TOPIC #c :Welcome all"])
        server.send(bob, "TOPIC #c")
        #expect(server.take(bob) == [
            ":chatty.local 332 bob #c :Welcome all",
            ":chatty.local 333 bob #c alice!alice@127.0.0.1 :\(server.now.secondsSinceEpoch)",
        ])
        let carol = server.register("carol")
        server.send(carol, "JOIN #c")
        #expect(server.take(carol).contains(":chatty.local 332 carol #c :Welcome all"))
        server.send(alice, "MODE #c -t")
        server.send(bob, "TOPIC #c :now bob can")
        #expect(server.take(carol).last == ":bob!bob@127.0.0.1 TOPIC #c :now bob can")
    }

    @Test func channelModesAndReplies() {
        var server = ServerHarness()
        let alice = server.register("alice")
        let bob = server.register("bob")
        server.send(alice, "JOIN #c")
        _ = server.take(alice)
        server.send(alice, "MODE #c")
        #expect(server.take(alice) == [
            ":chatty.local 324 alice #c :+nt",
            ":chatty.local 329 alice #c :\(server.now.secondsSinceEpoch)",
        ])
        server.send(alice, "MODE #c +ik sesame")
        #expect(server.take(alice) == [":alice!alice@127.0.0.1 MODE #c +ik :sesame"])
        server.send(bob, "JOIN #c")
        #expect(server.take(bob) == [":chatty.local 473 bob #c :Cannot join channel (+i)"])
        server.send(alice, "MODE #c -i")
        _ = server.take(alice)
        server.send(bob, "JOIN #c wrong")
        #expect(server.take(bob) == [":chatty.local 475 bob #c :Cannot join channel (+k)"])
        server.send(alice, "MODE #c +l 1")
        _ = server.take(alice)
        server.send(bob, "JOIN #c sesame")
        #expect(server.take(bob) == [":chatty.local 471 bob #c :Cannot join channel (+l)"])
        server.send(alice, "MODE #c -l")
        server.send(bob, "JOIN #c sesame")
        #expect(server.take(bob).first == ":bob!bob@127.0.0.1 JOIN :#c")
        _ = server.take(alice)
        server.send(bob, "MODE #c +m")
        #expect(server.take(bob) == [":chatty.local 482 bob #c :You're not channel operator"])
        server.send(alice, "MODE #c +x")
        #expect(server.take(alice) == [":chatty.local 472 alice x :is unknown mode char to me"])
        server.send(alice, "MODE #c +o carol")
        #expect(server.take(alice) == [":chatty.local 401 alice carol :No such nick/channel"], "carol does not exist (issue 13)")
        server.send(bob, "MODE #c b")
        #expect(server.take(bob) == [":chatty.local 368 bob #c :End of channel ban list"])
    }

    @Test func moderatedAndVoice() {
        var server = ServerHarness()
        let alice = server.register("alice")
        let bob = server.register("bob")
        server.send(alice, "JOIN #c")
        server.send(bob, "JOIN #c")
        server.send(alice, "MODE #c +m")
        _ = server.take(alice); _ = server.take(bob)
        server.send(bob, "PRIVMSG #c :hi")
        #expect(server.take(bob) == [":chatty.local 404 bob #c :Cannot send to channel"])
        server.send(alice, "MODE #c +v bob")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 MODE #c +v :bob"])
        server.send(bob, "PRIVMSG #c :hi")
        #expect(server.take(alice).last == ":bob!bob@127.0.0.1 PRIVMSG #c :hi")
    }

    @Test func kickAndInvite() {
        var server = ServerHarness()
        let alice = server.register("alice")
        let bob = server.register("bob")
        server.send(alice, "JOIN #c")
        server.send(bob, "JOIN #c")
        _ = server.take(alice); _ = server.take(bob)
        server.send(bob, "KICK #c alice")
        #expect(server.take(bob) == [":chatty.local 482 bob #c :You're not channel operator"])
        server.send(alice, "KICK #c bob :behave")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 KICK #c bob :behave"])
        #expect(server.take(alice) == [":alice!alice@127.0.0.1 KICK #c bob :behave"])
        #expect(server.state.channel(named: "#c")?.contains(bob) == false)
        server.send(alice, "MODE #c +i")
        server.send(alice, "INVITE bob #c")
        #expect(server.take(alice).last == ":chatty.local 341 alice bob :#c")
        #expect(server.take(bob) == [":alice!alice@127.0.0.1 INVITE bob :#c"])
        server.send(bob, "JOIN #c")
        #expect(server.take(bob).first == ":bob!bob@127.0.0.1 JOIN :#c")
        _ = server.take(alice)
        server.send(alice, "INVITE bob #c")
        #expect(server.take(alice) == [":chatty.local 443 alice bob #c :is already on channel"])
    }

    @Test func listAndWho() {
        var server = ServerHarness()
        let alice = server.register("alice")
        server.send(alice, "JOIN #a")
        server.send(alice, "TOPIC #a :topic a")
        server.send(alice, "JOIN #secret")
        server.send(alice, "MODE #secret +s")
        let bob = server.register("bob")
        server.send(bob, "LIST")
        #expect(server.take(bob) == [
            ":chatty.local 321 bob Channel :Users  Name",
            ":chatty.local 322 bob #a 1 :topic a",
            ":chatty.local 323 bob :End of /LIST",
        ])
        server.send(bob, "WHO #a")
        #expect(server.take(bob) == [
            ":chatty.local 352 bob #a alice 127.0.0.1 chatty.local alice H@ :0 Real alice",
            ":chatty.local 315 bob #a :End of WHO list",
        ])
    }

    @Test func listTakesNamesAndMasks() {
        var server = ServerHarness()
        let alice = server.register("alice")
        for channel in ["#chatty", "#cooking", "#ops", "#secretchat"] { server.send(alice, "JOIN \(channel)") }
        server.send(alice, "MODE #secretchat +s")
        let bob = server.register("bob")
        func listed(_ line: String) -> [String] {
            server.send(bob, line)
            return server.take(bob).compactMap { line in
                let message = try? IRCMessage.parse(line)
                return message?.command == "322" ? message?.parameters[1] : nil
            }
        }
        #expect(listed("LIST #c*") == ["#chatty", "#cooking"])
        #expect(listed("LIST *CHAT*") == ["#chatty"], "case-insensitive; a secret channel stays hidden")
        #expect(listed("LIST #ops,#ch?tty") == ["#chatty", "#ops"])
        #expect(listed("LIST #OPS") == ["#ops"])
        #expect(listed("LIST #nothing*").isEmpty)
        #expect(listed("LIST").count == 3)
    }

    @Test func emptyChannelIsDeleted() {
        var server = ServerHarness()
        let alice = server.register("alice")
        server.send(alice, "JOIN #c")
        server.send(alice, "PART #c")
        #expect(server.state.channel(named: "#c") == nil)
    }
}
