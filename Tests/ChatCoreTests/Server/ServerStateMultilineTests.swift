import Testing
@testable import ChatCore

/// `draft/multiline`: batches in, batch or line-by-line out, the limits.
@Suite struct ServerStateMultilineTests {
    static let caps = ["draft/multiline", "batch", "message-tags", "echo-message"]

    static func channel() -> (ServerHarness, alice: ClientID, modern: ClientID, plain: ClientID) {
        var server = ServerHarness(configuration: ServerConfiguration(motd: [], historyLimit: 100))
        let alice = server.register("alice", caps: Self.caps)
        let modern = server.register("modern", caps: Self.caps)
        let plain = server.register("plain")
        for client in [alice, modern, plain] { server.send(client, "JOIN #c") }
        for client in [alice, modern, plain] { _ = server.take(client) }
        return (server, alice, modern, plain)
    }

    static func send(_ server: inout ServerHarness, _ client: ClientID, target: String = "#c", _ lines: [String]) {
        server.send(client, "@+draft/reply=abc BATCH +b1 draft/multiline \(target)")
        for line in lines { server.send(client, line) }
        server.send(client, "BATCH -b1")
    }

    @Test func aBatchReachesCapableClientsAsABatchAndOthersLineByLine() throws {
        var (server, alice, modern, plain) = Self.channel()
        Self.send(&server, alice, ["@batch=b1 PRIVMSG #c :hello", "@batch=b1 PRIVMSG #c :world",
                                   "@batch=b1;draft/multiline-concat PRIVMSG #c :!"])
        let batch = server.takeMessages(modern)
        #expect(batch.map(\.command) == ["BATCH", "PRIVMSG", "PRIVMSG", "PRIVMSG", "BATCH"])
        let start = batch[0]
        let msgid = try #require(start.tag("msgid"))
        #expect(start.parameters == ["+" + msgid, "draft/multiline", "#c"])
        #expect(start.tag("+draft/reply") == "abc")
        #expect(start.source == "alice!alice@127.0.0.1")
        #expect(batch[1...3].allSatisfy { $0.tag("batch") == msgid })
        #expect(batch[3].tags.contains { $0.key == "draft/multiline-concat" })
        #expect(batch[4].parameters == ["-" + msgid])
        // The sender gets its echo as the same batch.
        #expect(server.takeMessages(alice).map(\.command) == ["BATCH", "PRIVMSG", "PRIVMSG", "PRIVMSG", "BATCH"])
        #expect(server.take(plain) == [":alice!alice@127.0.0.1 PRIVMSG #c :hello", ":alice!alice@127.0.0.1 PRIVMSG #c :world",
                                       ":alice!alice@127.0.0.1 PRIVMSG #c :!"])
        // The history keeps the lines, each with a msgid derived from the batch's.
        #expect(server.recorded.filter { $0.message.command == "PRIVMSG" }.compactMap { $0.message.tag("msgid") }
                == [msgid + "-0", msgid + "-1", msgid + "-2"])
    }

    @Test func refusedBatchesSayWhyAndDeliverNothing() {
        var (server, alice, modern, plain) = Self.channel()
        Self.send(&server, alice, ["@batch=b1 PRIVMSG #c :one", "@batch=b1 NOTICE #c :two"])
        #expect(server.take(alice).first?.hasPrefix(":chatty.local FAIL BATCH MULTILINE_INVALID") == true)
        Self.send(&server, alice, ["@batch=b1 PRIVMSG #other :one"])
        #expect(server.take(alice).first?.hasPrefix(":chatty.local FAIL BATCH MULTILINE_INVALID_TARGET #other") == true)
        Self.send(&server, alice, (0...MultilineBatch.maxLines).map { "@batch=b1 PRIVMSG #c :line \($0)" })
        #expect(server.take(alice) == [":chatty.local FAIL BATCH MULTILINE_MAX_LINES 100 :Multiline batch has too many lines"])
        Self.send(&server, alice, (0..<11).map { _ in "@batch=b1 PRIVMSG #c :" + String(repeating: "x", count: 400) })
        #expect(server.take(alice) == [":chatty.local FAIL BATCH MULTILINE_MAX_BYTES 4096 :Multiline batch is too long"])
        Self.send(&server, alice, ["@batch=b1;draft/multiline-concat PRIVMSG #c :first cannot concat"])
        #expect(server.take(alice).count == 1)
        server.send(alice, "BATCH -nosuch")
        #expect(server.take(alice).first?.contains("MULTILINE_INVALID") == true)
        #expect(server.take(modern).isEmpty)
        #expect(server.take(plain).isEmpty)
    }

    @Test func aBatchNeedsTheCapabilityAndAPrivateBatchGoesToOnePerson() {
        var (server, alice, modern, plain) = Self.channel()
        Self.send(&server, plain, ["@batch=b1 PRIVMSG #c :x"])
        #expect(server.take(plain).first?.contains("FAIL BATCH MULTILINE_INVALID") == true)
        Self.send(&server, alice, target: "modern", ["@batch=b1 PRIVMSG modern :psst", "@batch=b1 PRIVMSG modern :again"])
        #expect(server.commands(modern) == ["BATCH", "PRIVMSG", "PRIVMSG", "BATCH"])
        #expect(server.take(plain).isEmpty)
    }

    @Test func aBatchCrossesALink() {
        var a = ServerHarness(configuration: ServerConfiguration(name: "a.chatty", motd: nil, messageIDPrefix: "a-", federated: true))
        var b = ServerHarness(configuration: ServerConfiguration(name: "b.chatty", motd: nil, messageIDPrefix: "b-", federated: true))
        let alice = a.register("alice", caps: Self.caps)
        let modern = b.register("modern", caps: Self.caps)
        let plain = b.register("plain")
        a.send(alice, "JOIN #c")
        b.send(modern, "JOIN #c")
        b.send(plain, "JOIN #c")
        var sentA = 0
        func relay(_ from: inout ServerHarness, _ to: inout ServerHarness, _ sent: inout Int) {
            for event in from.propagated.dropFirst(sent) {
                to.route(to.state.remoteEventReceived(event, from: from.state.configuration.name, now: to.now))
            }
            sent = from.propagated.count
        }
        var sentB = 0
        relay(&a, &b, &sentA)
        relay(&b, &a, &sentB)
        _ = b.take(modern)
        _ = b.take(plain)
        Self.send(&a, alice, ["@batch=b1 PRIVMSG #c :over", "@batch=b1;draft/multiline-concat PRIVMSG #c :the link"])
        relay(&a, &b, &sentA)
        let batch = b.takeMessages(modern)
        #expect(batch.map(\.command) == ["BATCH", "PRIVMSG", "PRIVMSG", "BATCH"])
        #expect(batch[2].tags.contains { $0.key == "draft/multiline-concat" })
        #expect(b.take(plain) == [":alice!alice@127.0.0.1 PRIVMSG #c :over", ":alice!alice@127.0.0.1 PRIVMSG #c :the link"])
    }
}

@Suite struct MultilineBatchTests {
    @Test func textJoinsLinesAndConcatenations() throws {
        var batch = MultilineBatch(reference: "r", target: "#c", clientTags: [])
        try batch.add(IRCMessage(command: "PRIVMSG", parameters: ["#c", "a"]))
        try batch.add(IRCMessage(tags: [.init("draft/multiline-concat")], command: "PRIVMSG", parameters: ["#C", "b"]))
        try batch.add(IRCMessage(command: "PRIVMSG", parameters: ["#c", ""]))
        try batch.add(IRCMessage(command: "PRIVMSG", parameters: ["#c", "c"]))
        #expect(batch.text == "ab\n\nc")
        #expect(batch.bytes == 5)
    }
}

@Suite struct MultilineLinkSizeTests {
    @Test func aBatchWithTooManyTagBytesIsRefusedAndABigEventCrossesALink() throws {
        var server = ServerHarness(configuration: ServerConfiguration(motd: [], historyLimit: 100))
        let alice = server.register("alice", caps: ServerStateMultilineTests.caps)
        server.send(alice, "@+big=\(String(repeating: "x", count: 4100)) BATCH +b1 draft/multiline alice")
        #expect(server.commands(alice) == ["417"])
        server.send(alice, "@batch=b1 PRIVMSG alice :swallowed")
        server.send(alice, "BATCH -b1")
        #expect(server.take(alice).isEmpty)
        // 4096 bytes of spaces and semicolons double when escaped: the link's event parser takes it.
        let text = String(repeating: "; ", count: 2000)
        let event = IRCMessage(tags: [.init("uid", "u1"), .init("msgid", "m"), .init("lines", text + "\n" + text),
                                      .init("+reply", String(repeating: "y", count: 4000))],
                               command: "MULTILINE", parameters: ["PRIVMSG", "#c"])
        let wire = event.serialized()
        let parsed = try IRCMessage.parse(wire, limits: IRCLimits(maxLineLength: 16_384, maxTagsLength: 32_768))
        #expect(parsed.tag("lines") == text + "\n" + text)
    }
}

/// labeled-response with draft/multiline: the label goes on the echo's opening BATCH (or an ACK),
/// never as a labeled-response batch around the echo.
@Suite struct MultilineLabelTests {
    @Test func theLabelOfTheOpeningBatchMarksTheEcho() throws {
        var server = ServerHarness(configuration: ServerConfiguration(motd: []))
        let alice = server.register("alice", caps: ServerStateMultilineTests.caps + ["labeled-response"])
        let bob = server.register("bob", caps: ServerStateMultilineTests.caps)
        server.send(alice, "@label=L1 BATCH +b1 draft/multiline bob")
        #expect(server.take(alice).isEmpty, "answered when the batch closes")
        server.send(alice, "@batch=b1 PRIVMSG bob :one")
        server.send(alice, "@batch=b1 PRIVMSG bob :two")
        server.send(alice, "BATCH -b1")
        let echo = server.takeMessages(alice)
        #expect(echo.map(\.command) == ["BATCH", "PRIVMSG", "PRIVMSG", "BATCH"])
        #expect(echo.first?.tag("label") == "L1")
        #expect(echo[1].tags.filter { $0.key == "batch" }.count == 1, "one batch tag per line")
        #expect(server.takeMessages(bob).allSatisfy { $0.tag("label") == nil })
    }

    @Test func withoutEchoTheLabelGetsAnAckAndARefusalIsLabelled() {
        var server = ServerHarness(configuration: ServerConfiguration(motd: []))
        let alice = server.register("alice", caps: ["draft/multiline", "batch", "message-tags", "labeled-response"])
        _ = server.register("bob")
        server.send(alice, "@label=L2 BATCH +b2 draft/multiline bob")
        server.send(alice, "@batch=b2 PRIVMSG bob :one")
        server.send(alice, "BATCH -b2")
        let ack = server.takeMessages(alice)
        #expect(ack.map(\.command) == ["ACK"])
        #expect(ack.first?.tag("label") == "L2")
        server.send(alice, "@label=L3 BATCH -nosuch")
        let refusal = server.takeMessages(alice)
        #expect(refusal.map(\.command) == ["FAIL"])
        #expect(refusal.first?.tag("label") == "L3")
    }
}
