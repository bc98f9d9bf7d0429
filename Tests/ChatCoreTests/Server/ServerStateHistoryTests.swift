import Testing

@testable import ChatCore

@Suite struct ServerStateHistoryTests {
    private func harness(history: Bool = true) -> ServerHarness {
        ServerHarness(configuration: ServerConfiguration(motd: ["hello"], historyLimit: history ? 50 : nil))
    }

    @Test func channelAndPrivateMessagesAreRecordedAsDelivered() throws {
        var server = harness()
        let alice = server.register("alice", caps: ["message-tags"])
        let bob = server.register("bob")
        server.send(alice, "JOIN #c")
        server.send(bob, "JOIN #c")
        server.send(alice, "@+typing=done PRIVMSG #C :hi all")
        server.send(alice, "PRIVMSG Bob :psst")
        server.send(alice, "NOTICE #c :note")
        let messages = server.recorded.filter { $0.command != "JOIN" }
        #expect(messages.map(\.conversation) == ["#c", "alice bob", "#c"])
        let first = try #require(messages.first)
        let delivered = try #require(server.takeMessages(bob).first { $0.command == "PRIVMSG" })
        #expect(first.msgid == delivered.tag("msgid"))
        #expect(try IRCMessage.parse(first.entry.line) == delivered, "stored exactly as delivered, client tags too")
    }

    @Test func channelEventsAreRecordedWithAMsgidInEveryChannelTheyConcern() throws {
        var server = harness()
        let alice = server.register("alice")
        let bob = server.register("bob")
        server.send(alice, "JOIN #a,#b")
        server.send(bob, "JOIN #a")
        server.send(alice, "TOPIC #a :hi")
        server.send(alice, "MODE #a +m")
        server.send(alice, "KICK #a bob :out")
        server.send(alice, "NICK alicia")
        server.send(alice, "PART #b")
        server.send(alice, "QUIT :bye")
        let events = server.recorded.map { "\($0.command) \($0.conversation)" }
        #expect(events == ["JOIN #a", "JOIN #b", "JOIN #a", "TOPIC #a", "MODE #a", "KICK #a", "NICK #a", "NICK #b",
                           "PART #b", "QUIT #a"])
        #expect(server.recorded.allSatisfy { !$0.msgid.isEmpty })
        let nicks = server.recorded.filter { $0.command == "NICK" }
        #expect(nicks[0].msgid == nicks[1].msgid, "one event, kept once per channel")
    }

    @Test func withoutAStoreEventsCarryNoMsgid() {
        var server = harness(history: false)
        let alice = server.register("alice", caps: ["message-tags"])
        server.send(alice, "JOIN #a")
        let join = server.takeMessages(alice).first { $0.command == "JOIN" }
        #expect(join?.tag("msgid") == nil)
        #expect(join?.tag("time") != nil)
    }

    @Test func rejectedMessagesAreNotRecorded() {
        var server = harness()
        let alice = server.register("alice")
        server.send(alice, "PRIVMSG #nowhere :x")
        server.send(alice, "PRIVMSG nobody :x")
        #expect(server.recorded.isEmpty)
    }

    @Test func withoutAStoreNothingIsRecordedAndChathistoryIsUnknown() {
        var server = harness(history: false)
        let alice = server.register("alice")
        server.send(alice, "JOIN #c")
        server.send(alice, "PRIVMSG #c :x")
        _ = server.take(alice)
        server.send(alice, "CHATHISTORY LATEST #c * 10")
        #expect(server.recorded.isEmpty)
        #expect(server.commands(alice) == ["421"])
    }

    @Test func isupportAndCapabilitiesAdvertiseHistoryOnlyWithAStore() {
        #expect(harness().state.isupportTokens.contains("CHATHISTORY=50"))
        #expect(harness().state.isupportTokens.contains("MSGREFTYPES=msgid,timestamp"))
        #expect(!harness(history: false).state.isupportTokens.contains { $0.hasPrefix("CHATHISTORY") })
        var without = harness(history: false)
        let client = without.connect()
        without.send(client, "CAP LS 302")
        #expect(without.take(client).first?.contains("draft/chathistory") == false)
        without.send(client, "CAP REQ :draft/chathistory")
        #expect(without.take(client).first?.contains("NAK") == true)
        var with = harness()
        let other = with.connect()
        with.send(other, "CAP LS 302")
        #expect(with.take(other).first?.contains("draft/chathistory draft/event-playback") == true)
        #expect(with.take(other).isEmpty)
        with.send(other, "CAP LS 302")
        #expect(with.take(other).first?.contains("soju.im/search") == true)
    }

    @Test func onlyMembersReadAChannelAndAPrivateKeyIsAlwaysTheAskersOwn() throws {
        var server = harness()
        let alice = server.register("alice")
        let mallory = server.register("mallory")
        server.send(alice, "JOIN #secret")
        server.send(alice, "MODE #secret +s")
        _ = server.take(mallory)
        server.send(mallory, "CHATHISTORY LATEST #secret * 10")
        #expect(server.take(mallory) == [":chatty.local FAIL CHATHISTORY INVALID_TARGET LATEST #secret :You are not on that channel"])
        #expect(server.historyQueries.isEmpty)
        // Asking for "bob" reads mallory's own conversation with bob, never alice's.
        server.send(mallory, "CHATHISTORY LATEST bob * 10")
        let request = try #require(server.historyQueries.last)
        #expect(request.conversation == "bob mallory")
        #expect(request.client == mallory)
        server.send(alice, "CHATHISTORY BEFORE #Secret msgid=x 500")
        #expect(server.historyQueries.last?.conversation == "#secret")
        #expect(server.historyQueries.last?.query.limit == 50, "capped at CHATHISTORY=50")
    }

    @Test func searchIsCheckedLikeHistory() throws {
        var server = harness()
        let alice = server.register("alice")
        let bob = server.register("bob")
        server.send(alice, "JOIN #c")
        server.send(bob, "SEARCH in=#c;text=x")
        #expect(server.take(bob) == [":chatty.local FAIL SEARCH INVALID_TARGET SEARCH #c :You are not on that channel"])
        server.send(bob, "SEARCH text=x")
        let everywhere = try #require(server.historyQueries.last)
        #expect(everywhere.conversation == "" && everywhere.nick == "bob" && everywhere.channels.isEmpty)
        server.send(alice, "SEARCH in=bob;text=x")
        #expect(server.historyQueries.last?.conversation == "alice bob")
        server.send(alice, "SEARCH")
        #expect(server.take(alice).last == ":chatty.local FAIL SEARCH NEED_MORE_PARAMS :Missing search attributes")
        var without = harness(history: false)
        let carol = without.register("carol")
        without.send(carol, "SEARCH text=x")
        #expect(without.commands(carol) == ["421"])
    }

    @Test func aLabelledRequestIsAnsweredLaterNotWithAnAck() throws {
        var server = harness()
        let alice = server.register("alice", caps: ["labeled-response", "batch"])
        server.send(alice, "JOIN #c")
        _ = server.take(alice)
        server.send(alice, "@label=q1 CHATHISTORY LATEST #c * 10")
        #expect(server.take(alice).isEmpty, "no ACK: the batch comes from the store")
        #expect(server.historyQueries.last?.label == "q1")
        server.send(alice, "@label=q2 CHATHISTORY LATEST #c * zero")
        let failure = try #require(server.takeMessages(alice).first)
        #expect(failure.command == "FAIL" && failure.tag("label") == "q2")
    }

    @Test func repliesWrapStoredLinesInABatchWithTheLabel() throws {
        let entries = try ["m1", "m2"].map { id in
            try #require(HistoryEntry(try IRCMessage.parse("@time=2026-12-02T12:00:00.000Z;msgid=\(id) :a!u@h PRIVMSG #c :\(id)"),
                                      conversation: "#c", time: Timestamp(millisecondsSinceEpoch: 0)))
        }
        let tagOnly = try #require(HistoryEntry(try IRCMessage.parse("@msgid=m3;+typing=active :a!u@h TAGMSG #c"),
                                                conversation: "#c", time: Timestamp(millisecondsSinceEpoch: 0)))
        let request = HistoryRequest(client: ClientID(1), uid: "u1",
                                     query: HistoryQuery(target: "#c", selection: .latest(after: nil), limit: 10),
                                     conversation: "#c", channels: ["#c"], nick: "bob", label: "L")
        let batched = HistoryReply.messages(entries + [tagOnly], for: request, capabilities: [.batch, .messageTags],
                                            batchID: "h1", source: "srv")
        #expect(batched.map { $0.serialized() } == [
            "@label=L :srv BATCH +h1 chathistory :#c\r\n",
            "@batch=h1;time=2026-12-02T12:00:00.000Z;msgid=m1 :a!u@h PRIVMSG #c :m1\r\n",
            "@batch=h1;time=2026-12-02T12:00:00.000Z;msgid=m2 :a!u@h PRIVMSG #c :m2\r\n",
            ":srv BATCH :-h1\r\n",
        ], "TAGMSG only with event-playback")
        let played = HistoryReply.messages([tagOnly], for: request, capabilities: [.batch, .messageTags, .eventPlayback],
                                           batchID: "h2", source: "srv")
        #expect(played.map(\.command) == ["BATCH", "TAGMSG", "BATCH"])
        let join = try #require(HistoryEntry(try IRCMessage.parse("@msgid=j1 :a!u@h JOIN #c"), conversation: "#c",
                                             time: Timestamp(millisecondsSinceEpoch: 0)))
        #expect(HistoryReply.messages([join] + entries, for: request, capabilities: [.batch], batchID: "h4", source: "srv")
            .map(\.command) == ["BATCH", "PRIVMSG", "PRIVMSG", "BATCH"], "events only with event-playback")
        #expect(HistoryReply.messages([join], for: request, capabilities: [.batch, .eventPlayback], batchID: "h5", source: "srv")
            .map(\.command) == ["BATCH", "JOIN", "BATCH"])
        let plain = HistoryReply.messages([], for: request, capabilities: [], batchID: "h3", source: "srv")
        #expect(plain.map { $0.serialized() } == ["@label=L :srv ACK\r\n"])
    }

    @Test func channelsKeepTheirTopicAndModesAfterTheLastMemberLeaves() throws {
        var server = harness()
        let alice = server.register("alice")
        server.send(alice, "JOIN #kept")
        server.send(alice, "TOPIC #kept :still here")
        server.send(alice, "MODE #kept +ms")
        #expect(server.savedChannels.last?.topic == "still here")
        #expect(server.savedChannels.last?.flags == "mnst")
        server.send(alice, "QUIT :gone")
        let bob = server.register("bob")
        server.send(bob, "JOIN #kept")
        let lines = server.take(bob)
        #expect(lines.contains(":chatty.local 332 bob #kept :still here"), "\(lines)")
        server.send(bob, "MODE #kept")
        #expect(server.take(bob).first == ":chatty.local 324 bob #kept :+mnst")
    }

    @Test func restoredChannelsComeBackOnJoinAndAskForTheirKey() throws {
        var server = harness()
        let created = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        server.state.restore([ChannelSnapshot(name: "#Old", topic: "from before", topicSetter: "ann!a@h",
                                              topicTime: created, modes: ChannelSnapshot.modes(flags: "nt", key: "sesame", limit: 5),
                                              created: created)])
        let bob = server.register("bob")
        server.send(bob, "JOIN #old")
        #expect(server.commands(bob) == ["475"], "the kept key is asked for")
        server.send(bob, "JOIN #old sesame")
        let lines = server.take(bob)
        #expect(lines.first == ":bob!bob@127.0.0.1 JOIN :#Old", "the kept name")
        #expect(lines.contains(":chatty.local 332 bob #Old :from before"))
        server.send(bob, "MODE #old")
        #expect(server.take(bob) == [":chatty.local 324 bob #Old +klnt sesame :5", ":chatty.local 329 bob #Old :1700000000"])
    }

    @Test func withoutAStoreAnEmptyChannelIsGone() {
        var server = harness(history: false)
        let alice = server.register("alice")
        server.send(alice, "JOIN #gone")
        server.send(alice, "TOPIC #gone :bye")
        server.send(alice, "PART #gone")
        server.send(alice, "JOIN #gone")
        #expect(!server.take(alice).contains { $0.contains(" 332 ") })
        #expect(server.savedChannels.isEmpty)
    }

    @Test func readMarkersMoveForwardOnlyAndComeWithJoin() throws {
        var server = harness()
        let alice = server.register("alice", caps: ["draft/read-marker"])
        server.send(alice, "MARKREAD #c")
        #expect(server.take(alice) == [":chatty.local MARKREAD #c :*"])
        server.send(alice, "MARKREAD #C timestamp=2026-12-02T12:00:00.000Z")
        #expect(server.take(alice) == [":chatty.local MARKREAD #C :timestamp=2026-12-02T12:00:00.000Z"])
        server.send(alice, "MARKREAD #c timestamp=2026-12-02T11:00:00.000Z")
        #expect(server.take(alice) == [":chatty.local MARKREAD #c :timestamp=2026-12-02T12:00:00.000Z"], "never back")
        #expect(server.savedMarkers == [ReadMarker(owner: "alice", target: "#c", time: ServerTime.parse("2026-12-02T12:00:00.000Z")!)])
        server.send(alice, "JOIN #c")
        #expect(server.take(alice).last == ":chatty.local MARKREAD #c :timestamp=2026-12-02T12:00:00.000Z")
        server.send(alice, "MARKREAD #c timestamp=noon")
        #expect(server.commands(alice) == ["FAIL"])
        server.send(alice, "MARKREAD")
        #expect(server.take(alice) == [":chatty.local FAIL MARKREAD NEED_MORE_PARAMS :Missing target"])
        var restarted = harness()
        restarted.state.restore(server.savedMarkers)
        let again = restarted.register("Alice", caps: ["draft/read-marker"])
        restarted.send(again, "MARKREAD #c")
        #expect(restarted.take(again) == [":chatty.local MARKREAD #c :timestamp=2026-12-02T12:00:00.000Z"])
    }
}
