import Testing
@testable import ChatCore

/// `labeled-response` and `message-tags` as the IRCv3 specifications (and the public conformance
/// suite) expect them for messages: who gets the label, who gets tags, who gets TAGMSG at all.
@Suite struct LabeledResponseTests {
    static let full = ["echo-message", "batch", "labeled-response", "message-tags"]

    @Test func aLabelledMessageToAnotherClientLabelsOnlyTheEcho() {
        var server = ServerHarness()
        let foo = server.register("foo", caps: Self.full)
        let bar = server.register("bar", caps: Self.full)
        for command in ["PRIVMSG", "NOTICE"] {
            server.send(foo, "@label=12345 \(command) bar :hi")
            let echo = server.takeMessages(foo)
            #expect(echo.map(\.command) == [command])
            #expect(echo.first?.tag("label") == "12345")
            let relayed = server.takeMessages(bar)
            #expect(relayed.map(\.command) == [command])
            #expect(relayed.first?.tag("label") == nil)
        }
    }

    @Test func aLabelledMessageToOneselfComesBackTwiceWithOneLabel() {
        var server = ServerHarness()
        let foo = server.register("foo", caps: Self.full)
        for line in ["PRIVMSG foo :hi", "NOTICE foo :hi", "TAGMSG foo"] {
            server.send(foo, "@label=12345;+draft/react=x " + line)
            let got = server.takeMessages(foo)
            #expect(got.count == 2, "\(line)")
            #expect(Set(got.map(\.command)).count == 1)
            #expect(got.filter { $0.tag("label") != nil }.map { $0.tag("label") } == ["12345"], "\(line)")
        }
    }

    @Test func aLabelledMessageToSeveralClientsIsABatchOfEchoes() throws {
        var server = ServerHarness()
        let foo = server.register("foo", caps: Self.full)
        let others = ["bar", "carl", "alice"].map { server.register($0, caps: Self.full) }
        server.send(foo, "@label=12345 PRIVMSG bar,carl,alice :hi")
        let got = server.takeMessages(foo)
        #expect(got.map(\.command) == ["BATCH", "PRIVMSG", "PRIVMSG", "PRIVMSG", "BATCH"])
        #expect(got.first?.tag("label") == "12345")
        for other in others {
            let relayed = try #require(server.takeMessages(other).first)
            #expect(relayed.tag("label") == nil)
        }
    }

    @Test func withoutEchoMessageALabelledMessageIsAcknowledged() {
        var server = ServerHarness()
        let foo = server.register("foo", caps: ["batch", "labeled-response"])
        let bar = server.register("bar", caps: Self.full)
        server.send(foo, "JOIN #c")
        server.send(bar, "JOIN #c")
        _ = server.take(foo)
        _ = server.take(bar)
        for target in ["#c", "bar"] {
            server.send(foo, "@label=ack PRIVMSG \(target) :hi")
            let got = server.takeMessages(foo)
            #expect(got.map(\.command) == ["ACK"])
            #expect(got.first?.tag("label") == "ack")
            #expect(server.takeMessages(bar).map { $0.tag("label") } == [nil])
        }
    }

    @Test func anUnknownCommandIsAnswered421WithItsLabel() {
        var server = ServerHarness()
        let foo = server.register("foo", caps: Self.full)
        server.send(foo, "@label=x NONEXISTENT_COMMAND")
        let got = server.takeMessages(foo)
        #expect(got.map(\.command) == ["421"])
        #expect(got.first?.parameters == ["foo", "NONEXISTENT_COMMAND", "Unknown command"])
        #expect(got.first?.tag("label") == "x")
    }

    @Test func tagmsgReachesOnlyMembersWithMessageTags() {
        var server = ServerHarness()
        let alice = server.register("alice", caps: ["message-tags"])
        let bob = server.register("bob", caps: ["message-tags", "echo-message"])
        let carol = server.register("carol")
        let dave = server.register("dave", caps: ["server-time"])
        for client in [alice, bob, carol, dave] {
            server.send(client, "JOIN #test")
        }
        for client in [alice, bob, carol, dave] { _ = server.take(client) }
        server.send(bob, "@+buzz=fizz\\:buzz;cat=dog;+steel=wootz TAGMSG #test")
        #expect(server.commands(alice) == ["TAGMSG"])
        #expect(server.commands(bob) == ["TAGMSG"])
        #expect(server.take(carol).isEmpty)
        #expect(server.take(dave).isEmpty)
    }

    @Test func tagDataIsLimitedTo4094BytesClientOnlyOrNot() {
        var server = ServerHarness()
        let alice = server.register("alice", caps: ["message-tags", "echo-message"])
        let bob = server.register("bob", caps: ["message-tags"])
        server.send(alice, "JOIN #test")
        server.send(bob, "JOIN #test")
        _ = server.take(alice)
        _ = server.take(bob)
        server.send(alice, "@foo=bar;+baz=\(String(repeating: "a", count: 4081)) TAGMSG #test")
        #expect(server.commands(alice) == ["TAGMSG"])
        #expect(server.commands(bob) == ["TAGMSG"])
        server.send(alice, "@foo=bar;+baz=\(String(repeating: "a", count: 4082)) TAGMSG #test")
        #expect(server.commands(alice) == ["417"])
        #expect(server.take(bob).isEmpty)
        server.send(alice, "@foo=bar;+baz=\(String(repeating: "a", count: 4082)) PRIVMSG #test \(String(repeating: "b", count: 495))")
        #expect(server.commands(alice) == ["417"])
        #expect(server.take(bob).isEmpty)
    }

    @Test func clientOnlyTagsNeedMessageTags() {
        #expect(CapabilitySet([.batch, .labeledResponse]).tagClass == .serverTags)
        #expect(CapabilitySet([.accountTag]).tagClass == .serverTags)
        #expect(CapabilitySet([.messageTags]).tagClass == .all)
        #expect(CapabilitySet([.serverTime]).tagClass == .timeOnly)
        #expect(CapabilitySet().tagClass == TagClass.none)
    }
}
