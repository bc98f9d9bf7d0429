import Testing

@testable import ChatCore

@Suite struct HistorySyncTests {
    let time = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    private func message(_ text: String, id: String?, in channel: String = "#c") -> ClientEvent {
        .message(ChatMessage(conversation: .channel(channel), sender: "ann", text: text, time: time, msgid: id))
    }

    private func texts(_ events: [ClientEvent]) -> [String] {
        events.compactMap { event in
            if case .message(let message) = event { return message.text + (message.isHistory ? " (history)" : "") }
            return nil
        }
    }

    @Test func firstJoinShowsTheLatestMarkedAsHistory() {
        var sync = HistorySync(configuration: .init(latestOnJoin: 50, pageSize: 100))
        #expect(sync.opened("#c", key: "#c", supported: true) == IRCMessage("CHATHISTORY", "LATEST", "#c", "*", "50"))
        #expect(sync.opened("#c", key: "#c", supported: true) == nil, "one request at a time")
        sync.batchStarted(id: "b1", type: "chathistory", parameters: ["#c"], .ascii)
        #expect(texts(sync.chat(message("old", id: "m1"), key: "#c", msgid: "m1", batch: "b1")) == ["old (history)"])
        #expect(sync.chat(message("live", id: "m2"), key: "#c", msgid: "m2", batch: nil).isEmpty, "waits for the replay")
        let (request, events) = sync.batchEnded(id: "b1")
        #expect(request == nil)
        #expect(events.first == .historyReplayed(target: "#c", count: 1, resumed: false))
        #expect(texts(events) == ["live"])
        #expect(sync.lastSeen["#c"] == "m2")
    }

    @Test func withoutServerSupportOrWithLatestOffNothingIsAsked() {
        var sync = HistorySync(configuration: .init(latestOnJoin: 0, pageSize: 100))
        #expect(sync.opened("#c", key: "#c", supported: true) == nil)
        #expect(texts(sync.chat(message("a", id: "m1"), key: "#c", msgid: "m1", batch: nil)) == ["a"])
        #expect(sync.opened("#c", key: "#c", supported: false) == nil)
    }

    @Test func aReconnectCatchesUpAfterTheLastMessageWithoutGapOrDuplicate() {
        var sync = HistorySync(configuration: .init(latestOnJoin: 0, pageSize: 2))
        _ = sync.chat(message("one", id: "m1"), key: "#c", msgid: "m1", batch: nil)
        // Connection lost, back again: the JOIN comes back.
        #expect(sync.connectionLost().isEmpty)
        #expect(sync.opened("#c", key: "#c", supported: true) == IRCMessage("CHATHISTORY", "AFTER", "#c", "msgid=m1", "2"))
        // A live message arrives before the replay: it waits.
        #expect(sync.chat(message("four", id: "m4"), key: "#c", msgid: "m4", batch: nil).isEmpty)
        sync.batchStarted(id: "r1", type: "chathistory", parameters: ["#c"], .ascii)
        var shown = texts(sync.chat(message("two", id: "m2"), key: "#c", msgid: "m2", batch: "r1"))
        shown += texts(sync.chat(message("three", id: "m3"), key: "#c", msgid: "m3", batch: "r1"))
        let page = sync.batchEnded(id: "r1")
        #expect(page.request == IRCMessage("CHATHISTORY", "AFTER", "#c", "msgid=m3", "2"), "a full page asks for the next")
        #expect(page.events.isEmpty)
        sync.batchStarted(id: "r2", type: "chathistory", parameters: ["#c"], .ascii)
        shown += texts(sync.chat(message("four", id: "m4"), key: "#c", msgid: "m4", batch: "r2"))
        let end = sync.batchEnded(id: "r2")
        #expect(end.request == nil)
        shown += texts(end.events)
        #expect(shown == ["two", "three", "four"], "missed messages are not marked as old history; m4 once")
        #expect(end.events.first == .historyReplayed(target: "#c", count: 1, resumed: true))
    }

    @Test func aFailedRequestOrALostConnectionReleasesWhatWaited() {
        var sync = HistorySync(configuration: .init(latestOnJoin: 10, pageSize: 100))
        _ = sync.opened("#c", key: "#c", supported: true)
        _ = sync.chat(message("waiting", id: "m9"), key: "#c", msgid: "m9", batch: nil)
        #expect(texts(sync.failed(target: "#C", .ascii)) == ["waiting"])
        _ = sync.opened("#d", key: "#d", supported: true)
        _ = sync.chat(message("also", id: "n1", in: "#d"), key: "#d", msgid: "n1", batch: nil)
        #expect(texts(sync.connectionLost()) == ["also"])
    }

    @Test func privateConversationsAreResumedAtRegistration() {
        var sync = HistorySync(configuration: .init(latestOnJoin: 0, pageSize: 100))
        _ = sync.chat(message("hi", id: "p1"), key: "bob", msgid: "p1", batch: nil)
        _ = sync.chat(message("x", id: "c1"), key: "#c", msgid: "c1", batch: nil)
        #expect(sync.privateConversationsToResume(channels: { $0.hasPrefix("#") }) == ["bob"])
    }
}

@Suite struct ClientStateMachineHistoryTests: ClientTestCase {
    @Test func aReconnectAsksForWhatWasMissedAndMergesIt() {
        var machine = ClientStateMachine(configuration: ClientConfiguration(nick: "me", channels: ["#c"], historyOnJoin: 0),
                                         random: SystemRandomNumberGenerator())
        func register() {
            _ = machine.connectRequested(now: t(0))
            _ = machine.connected(now: t(0))
            _ = machine.messageReceived(irc(":srv CAP * LS :batch draft/chathistory message-tags"), now: t(1))
            _ = machine.messageReceived(irc(":srv CAP * ACK :batch draft/chathistory message-tags"), now: t(1))
            _ = machine.messageReceived(irc(":srv 001 me :Welcome"), now: t(2))
        }
        register()
        let firstJoin = machine.messageReceived(irc(":me!u@h JOIN #c"), now: t(3))
        #expect(!firstJoin.contains { if case .send = $0 { true } else { false } }, "no LATEST with historyOnJoin 0")
        _ = machine.messageReceived(irc("@msgid=m1 :ann!a@h PRIVMSG #c :one"), now: t(4))
        _ = machine.connectionClosed(error: nil, now: t(5))
        _ = machine.timerFired(now: t(100_000))
        register()
        let rejoin = machine.messageReceived(irc(":me!u@h JOIN #c"), now: t(100_010))
        #expect(rejoin.contains(.send(IRCMessage("CHATHISTORY", "AFTER", "#c", "msgid=m1", "100"))))
        #expect(machine.messageReceived(irc("@msgid=m3 :ann!a@h PRIVMSG #c :three"), now: t(100_020)).isEmpty)
        _ = machine.messageReceived(irc(":srv BATCH +h1 chathistory #c"), now: t(100_030))
        let replayed = machine.messageReceived(irc("@batch=h1;msgid=m2 :ann!a@h PRIVMSG #c :two"), now: t(100_031))
        let end = machine.messageReceived(irc(":srv BATCH -h1"), now: t(100_032))
        let texts = (replayed + end).compactMap { action -> String? in
            if case .emit(.message(let message)) = action { return message.text }
            return nil
        }
        #expect(texts == ["two", "three"])
    }
}

@Suite struct ClientStateMachineReplayedCTCPTests: ClientTestCase {
    /// A CTCP request in a private conversation's history was answered when it was new: replayed
    /// at the next start of the client it gets no second reply and no second notice.
    @Test func aReplayedCTCPRequestIsNeverAnsweredAgain() {
        var machine = registeredMachine(ClientConfiguration(nick: "me", channels: [], historyOnJoin: 20),
                                        offered: "batch draft/chathistory message-tags", now: t(2))
        #expect(machine.messageReceived(irc(":srv CHATHISTORY TARGETS carol 2026-12-01T10:00:00.000Z"), now: t(3))
            == [.send(IRCMessage("CHATHISTORY", "LATEST", "carol", "*", "20"))])
        _ = machine.messageReceived(irc(":srv BATCH +r1 chathistory carol"), now: t(4))
        let replayed = machine.messageReceived(irc("@batch=r1;msgid=c1 :carol!c@h PRIVMSG me :\u{01}VERSION\u{01}"), now: t(5))
        #expect(replayed.isEmpty, "no reply, no CTCP notice: \(replayed)")
        let action = machine.messageReceived(irc("@batch=r1;msgid=c2 :carol!c@h PRIVMSG me :\u{01}ACTION waves\u{01}"), now: t(6))
        #expect(action.events.count == 1, "an action in the history is still shown")
        _ = machine.messageReceived(irc(":srv BATCH -r1"), now: t(7))
        // The same request live is answered.
        let live = machine.messageReceived(irc("@msgid=c3 :carol!c@h PRIVMSG me :\u{01}VERSION\u{01}"), now: t(8))
        #expect(live.sentLines.count == 1 && live.sentLines[0].hasPrefix("NOTICE carol :\u{01}VERSION "), "\(live.sentLines)")
        #expect(live.events == [.ctcpRequest(from: "carol", command: "VERSION", argument: "")])
    }
}

@Suite struct ClientStateMachineTargetsTests: ClientTestCase {
    @Test func privateConversationsOfAnEarlierRunComeBackOnce() {
        var machine = ClientStateMachine(configuration: ClientConfiguration(nick: "me", channels: [], historyOnJoin: 20),
                                         random: SystemRandomNumberGenerator())
        func register(at ms: Int64) -> [ClientAction] {
            _ = machine.connectRequested(now: t(ms))
            _ = machine.connected(now: t(ms))
            _ = machine.messageReceived(irc(":srv CAP * LS :batch draft/chathistory"), now: t(ms))
            _ = machine.messageReceived(irc(":srv CAP * ACK :batch draft/chathistory"), now: t(ms))
            return machine.messageReceived(irc(":srv 001 me :Welcome"), now: t(ms))
        }
        let now: Int64 = 1_795_000_000_000
        let first = register(at: now)
        let week = Timestamp(millisecondsSinceEpoch: now - 7 * 86_400_000).iso8601
        let tomorrow = Timestamp(millisecondsSinceEpoch: now + 86_400_000).iso8601
        #expect(first.contains(.send(IRCMessage("CHATHISTORY", "TARGETS", "timestamp=" + week, "timestamp=" + tomorrow, "50"))))
        #expect(machine.messageReceived(irc(":srv CHATHISTORY TARGETS bob 2026-12-01T10:00:00.000Z"), now: t(now))
            == [.send(IRCMessage("CHATHISTORY", "LATEST", "bob", "*", "20"))])
        #expect(machine.messageReceived(irc(":srv CHATHISTORY TARGETS #c 2026-12-01T10:00:00.000Z"), now: t(now)).isEmpty,
                "channels come back by joining")
        _ = machine.connectionClosed(error: nil, now: t(now + 10))
        _ = machine.timerFired(now: t(now + 100_000))
        let again = register(at: now + 100_000)
        #expect(!again.contains { if case .send(let m) = $0 { m.command == "CHATHISTORY" && m.parameters.first == "TARGETS" } else { false } },
                "once per run")
    }
}

@Suite struct HistorySyncOlderPagesTests {
    let time = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    private func message(_ id: String) -> ClientEvent {
        .message(ChatMessage(conversation: .channel("#c"), sender: "ann", text: id, time: time, msgid: id))
    }

    @Test func scrollingBackFetchesPagesBeforeTheOldestUntilThereAreNone() {
        var sync = HistorySync(configuration: .init(latestOnJoin: 0, pageSize: 2))
        #expect(sync.olderPage("#c", key: "#c", supported: true) == nil, "nothing shown yet")
        _ = sync.chat(message("m5"), key: "#c", msgid: "m5", batch: nil)
        _ = sync.chat(message("m6"), key: "#c", msgid: "m6", batch: nil)
        #expect(sync.olderPage("#c", key: "#c", supported: true) == IRCMessage("CHATHISTORY", "BEFORE", "#c", "msgid=m5", "2"))
        #expect(sync.isFetchingOlder("#c"))
        #expect(sync.olderPage("#c", key: "#c", supported: true) == nil, "one page at a time")
        sync.batchStarted(id: "o1", type: "chathistory", parameters: ["#c"], .ascii)
        #expect(sync.chat(message("m3"), key: "#c", msgid: "m3", batch: "o1").isEmpty, "collected until the end")
        #expect(sync.chat(message("m4"), key: "#c", msgid: "m4", batch: "o1").isEmpty)
        let page = sync.batchEnded(id: "o1")
        #expect(page.request == nil)
        guard case .olderHistory(let target, let events) = page.events.first, page.events.count == 1 else {
            Issue.record("expected one older page, got \(page.events)")
            return
        }
        #expect(target == "#c")
        #expect(events.compactMap { if case .message(let m) = $0 { m.isHistory ? m.text : nil } else { nil } } == ["m3", "m4"])
        #expect(sync.lastSeen["#c"] == "m6", "a resume still starts after the newest")
        #expect(sync.oldestSeen["#c"] == "m3")
        #expect(sync.olderPage("#c", key: "#c", supported: true) == IRCMessage("CHATHISTORY", "BEFORE", "#c", "msgid=m3", "2"))
        sync.batchStarted(id: "o2", type: "chathistory", parameters: ["#c"], .ascii)
        #expect(sync.batchEnded(id: "o2").events == [.olderHistory(target: "#c", events: [])], "nothing older")
    }
}

@Suite struct HistorySyncSearchTests {
    let time = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    @Test func aSearchIsSentEscapedAndItsBatchBecomesOneResult() {
        var sync = HistorySync(configuration: .init(latestOnJoin: 0, pageSize: 10))
        #expect(sync.search("deploy; failed", in: "#ops") == IRCMessage("SEARCH", "in=#ops;text=deploy\\:\\sfailed"))
        #expect(sync.search("again", in: nil) == nil, "one at a time")
        sync.batchStarted(id: "s1", type: "soju.im/search", parameters: [], .ascii)
        let hit = ChatMessage(conversation: .channel("#ops"), sender: "ann", text: "deploy; failed", time: time, msgid: "x1")
        #expect(sync.chat(.message(hit), key: "#ops", msgid: "x1", batch: "s1").isEmpty)
        #expect(sync.lastSeen["#ops"] == nil, "results are not the conversation's progress")
        let end = sync.batchEnded(id: "s1")
        #expect(end.events == [.searchResults(query: "deploy; failed", target: "#ops", results: [hit])])
        #expect(sync.search("next", in: nil) == IRCMessage("SEARCH", "text=next"))
        #expect(sync.searchFailed() == [.searchResults(query: "next", target: nil, results: [])])
    }

    @Test func aContextIsAskedAroundTheResultAndComesBackAsOneEvent() {
        var sync = HistorySync(configuration: .init(latestOnJoin: 50, pageSize: 10))
        #expect(sync.context(of: "x5", in: "#Ops", key: "#ops") == IRCMessage("CHATHISTORY", "AROUND", "#Ops", "msgid=x5", "21"))
        #expect(sync.context(of: "x6", in: "#ops", key: "#ops") == nil, "one at a time")
        sync.batchStarted(id: "c1", type: "chathistory", parameters: ["#ops"], .ascii)
        let before = ChatMessage(conversation: .channel("#ops"), sender: "ann", text: "hi", time: time, msgid: "x4")
        #expect(sync.chat(.message(before), key: "#ops", msgid: "x4", batch: "c1").isEmpty)
        #expect(sync.lastSeen["#ops"] == nil, "context is not the conversation's progress")
        var marked = before
        marked.isHistory = true
        #expect(sync.batchEnded(id: "c1").events == [.historyContext(target: "#Ops", msgid: "x5", events: [.message(marked)])])
        // A conversation still loading its own history: the answers could not be told apart.
        _ = sync.opened("#c", key: "#c", supported: true)
        #expect(sync.context(of: "m1", in: "#c", key: "#c") == nil)
        // A refusal (e.g. the message was pruned) ends the request with nothing to show.
        _ = sync.context(of: "gone", in: "#ops", key: "#ops")
        #expect(sync.failed(target: "#OPS", .ascii) == [.historyContext(target: "#ops", msgid: "gone", events: [])])
        // A refusal that names no target (`FAIL CHATHISTORY INVALID_PARAMS AROUND :…`) ends it too.
        _ = sync.context(of: "x", in: "#ops", key: "#ops")
        #expect(sync.contextFailed() == [.historyContext(target: "#ops", msgid: "x", events: [])])
        #expect(sync.context(of: "y", in: "#ops", key: "#ops") != nil, "not stuck")
    }
}

@Suite struct ClientStateMachineSearchTests: ClientTestCase {
    @Test func withoutServerSearchTheFrontEndSearchesLocally() {
        var machine = ClientStateMachine(configuration: ClientConfiguration(nick: "me", channels: []),
                                         random: SystemRandomNumberGenerator())
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        _ = machine.messageReceived(irc(":srv 001 me :Welcome"), now: t(1))
        #expect(machine.search("x", in: "#c") == [.emit(.searchResults(query: "x", target: "#c", results: nil))])
    }
}

@Suite struct ClientStateMachineReadMarkerTests: ClientTestCase {
    @Test func markersGoForwardOnlyAndComeBackAsEvents() {
        var machine = ClientStateMachine(configuration: ClientConfiguration(nick: "me", channels: []),
                                         random: SystemRandomNumberGenerator())
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        _ = machine.messageReceived(irc(":srv CAP * LS :draft/read-marker"), now: t(1))
        _ = machine.messageReceived(irc(":srv CAP * ACK :draft/read-marker"), now: t(1))
        _ = machine.messageReceived(irc(":srv 001 me :Welcome"), now: t(2))
        let noon = ServerTime.parse("2026-12-02T12:00:00.000Z")!
        #expect(machine.markRead(target: "#c", time: noon) == [.send(IRCMessage("MARKREAD", "#c", "timestamp=2026-12-02T12:00:00.000Z"))])
        #expect(machine.markRead(target: "#C", time: noon).isEmpty, "not again, not back")
        #expect(machine.messageReceived(irc(":srv MARKREAD #d timestamp=2026-12-02T13:00:00.000Z"), now: t(3))
            == [.emit(.readMarker(target: "#d", time: ServerTime.parse("2026-12-02T13:00:00.000Z")))])
        #expect(machine.markRead(target: "#d", time: noon).isEmpty, "behind what the server has")
        #expect(machine.messageReceived(irc(":srv MARKREAD #e *"), now: t(4)) == [.emit(.readMarker(target: "#e", time: nil))])
    }
}
