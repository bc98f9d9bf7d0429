import Testing
@testable import ChatCore

/// The client side of the IRCv3 extensions: away states in the roster, typing, reactions,
/// replies, redactions, MONITOR.
@Suite struct ClientPresenceTests: ClientTestCase {
    static let offered = "message-tags server-time multi-prefix batch away-notify draft/message-redaction"

    func joined() -> TestMachine {
        var machine = registeredMachine(offered: Self.offered)
        _ = machine.messageReceived(irc(":srv 005 alice WHOX MONITOR=100 :are supported"), now: t(1_000))
        _ = machine.messageReceived(irc(":alice!a@h JOIN #c"), now: t(1_000))
        _ = machine.messageReceived(irc(":srv 353 alice = #c :alice bob carol"), now: t(1_000))
        return machine
    }

    @Test func awayStatesComeFromOurOwnWhoAndThenFromAwayNotify() throws {
        var machine = joined()
        let end = machine.messageReceived(irc(":srv 366 alice #c :End of /NAMES list."), now: t(1_000))
        #expect(end.sentLines == ["WHO #c :%tnf,742"])
        #expect(machine.messageReceived(irc(":srv 354 alice 742 bob G"), now: t(1_000)).isEmpty)
        #expect(machine.messageReceived(irc(":srv 354 alice 742 carol H"), now: t(1_000)).isEmpty)
        let done = machine.messageReceived(irc(":srv 315 alice #c :End of WHO list"), now: t(1_000))
        #expect(done.events == [.members(channel: "#c", members: [ChannelMember(nick: "alice"), ChannelMember(nick: "bob", isAway: true),
                                                                   ChannelMember(nick: "carol")])])
        let back = machine.messageReceived(irc(":bob!b@h AWAY"), now: t(2_000))
        #expect(back.events.last == .members(channel: "#c", members: [ChannelMember(nick: "alice"), ChannelMember(nick: "bob"),
                                                                        ChannelMember(nick: "carol")]))
        let gone = machine.messageReceived(irc(":carol!c@h AWAY :lunch"), now: t(2_000))
        guard case .members(_, let members)? = gone.events.last else {
            Issue.record("no member update for an AWAY")
            return
        }
        #expect(members.last?.isAway == true)
        // A user's WHO is shown as usual.
        #expect(!machine.messageReceived(irc(":srv 315 alice #c :End of WHO list"), now: t(2_000)).events.isEmpty)
    }

    @Test func aRejoiningMemberIsNotShownAwayFromBefore() {
        var machine = joined()
        _ = machine.messageReceived(irc(":bob!b@h AWAY :lunch"), now: t(1_000))
        _ = machine.messageReceived(irc(":bob!b@h PART #c"), now: t(1_000))
        // Back from away while sharing no channel with us (no notice reaches us), then rejoins.
        let rejoin = machine.messageReceived(irc(":bob!b@h JOIN #c"), now: t(2_000))
        guard case .members(_, let members)? = rejoin.events.last else {
            Issue.record("no member update for a JOIN")
            return
        }
        #expect(members.first { $0.nick == "bob" }?.isAway == false)
    }

    @Test func typingReactionsAndRedactionsBecomeEvents() {
        var machine = joined()
        let typing = machine.messageReceived(irc("@+typing=active :bob!b@h TAGMSG #c"), now: t(1_000))
        #expect(typing.events == [.typing(conversation: .channel("#c"), nick: "bob", active: true)])
        let done = machine.messageReceived(irc("@+typing=done :bob!b@h TAGMSG alice"), now: t(1_000))
        #expect(done.events == [.typing(conversation: .privateChat("bob"), nick: "bob", active: false)])
        let react = machine.messageReceived(irc("@+draft/react=👍;+draft/reply=m1 :bob!b@h TAGMSG #c"), now: t(1_000))
        #expect(react.events == [.reaction(conversation: .channel("#c"), msgid: "m1", nick: "bob", reaction: "👍")])
        let redact = machine.messageReceived(irc(":bob!b@h REDACT #c m1 :oops"), now: t(1_000))
        #expect(redact.events == [.redacted(conversation: .channel("#c"), msgid: "m1", by: "bob")])
        let reply = machine.messageReceived(irc("@+draft/reply=m0;msgid=m2 :bob!b@h PRIVMSG #c :yes"), now: t(1_000))
        #expect(reply.events.first?.chatMessage?.replyTo == "m0")
    }

    @Test func realNamesHostsInvitesAndBotsBecomeEvents() {
        var machine = joined()
        _ = machine.messageReceived(irc(":srv 366 alice #c :End"), now: t(1_000))
        #expect(machine.messageReceived(irc(":bob!b@h SETNAME :Robert B"), now: t(1_000)).events
                == [.realNameChanged(nick: "bob", realName: "Robert B", channels: ["#c"])])
        #expect(machine.messageReceived(irc(":bob!b@h CHGHOST rob staff.example"), now: t(1_000)).events
                == [.hostChanged(nick: "bob", user: "rob", host: "staff.example", channels: ["#c"])])
        #expect(machine.messageReceived(irc(":bob!b@h INVITE dave #c"), now: t(1_000)).events
                == [.invitedOther(channel: "#c", nick: "dave", by: "bob")])
        #expect(machine.messageReceived(irc(":bob!b@h INVITE alice #d"), now: t(1_000)).events == [.invited(channel: "#d", by: "bob")])
        #expect(machine.messageReceived(irc(":dave!d@h AWAY :lunch"), now: t(1_000)).events == [.awayChanged(nick: "dave", message: "lunch")])
        let bot = machine.messageReceived(irc("@bot :helper!h@h PRIVMSG #c :beep"), now: t(1_000))
        #expect(bot.events.first?.chatMessage?.isBot == true)
    }

    @Test func aFallbackNickIsGivenBackForOursOnceItIsFree() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        _ = machine.messageReceived(irc(":srv CAP * LS :message-tags"), now: t(0))
        _ = machine.messageReceived(irc(":srv CAP * ACK :message-tags"), now: t(0))
        let taken = machine.messageReceived(irc(":srv 433 * alice :Nickname is already in use"), now: t(0))
        #expect(taken.sentLines.contains("NICK :alice_"))
        _ = machine.messageReceived(irc(":srv 001 alice_ :Welcome"), now: t(0))
        #expect(machine.messageReceived(irc(":srv 005 alice_ MONITOR=100 :are supported"), now: t(0)).sentLines
                == ["MONITOR + :alice"])
        // Our old connection times out on the server: the nick is free.
        #expect(machine.messageReceived(irc(":srv 731 alice_ :alice"), now: t(1_000)).sentLines == ["NICK :alice"])
        let back = machine.messageReceived(irc(":alice_!a@h NICK alice"), now: t(1_000))
        #expect(back.sentLines == ["MONITOR - :alice"])
        #expect(machine.nick == "alice")
        // Without MONITOR, a quit of the holder seen in a shared channel does it too.
        var other = makeMachine()
        _ = other.connectRequested(now: t(0))
        _ = other.connected(now: t(0))
        _ = other.messageReceived(irc(":srv CAP * LS :message-tags"), now: t(0))
        _ = other.messageReceived(irc(":srv CAP * ACK :message-tags"), now: t(0))
        _ = other.messageReceived(irc(":srv 433 * alice :in use"), now: t(0))
        _ = other.messageReceived(irc(":srv 001 alice_ :Welcome"), now: t(0))
        _ = other.messageReceived(irc(":alice_!a@h JOIN #c"), now: t(0))
        _ = other.messageReceived(irc(":alice!x@h JOIN #c"), now: t(0))
        #expect(other.messageReceived(irc(":alice!x@h QUIT :Ping timeout"), now: t(0)).sentLines == ["NICK :alice"])
    }

    @Test func typingIsSentOnlyWhereClientTagsAreRelayed() {
        let machine = joined()
        #expect(machine.sendTyping(target: "#c", state: "active").sentLines == ["@+typing=active TAGMSG :#c"])
        let plain = registeredMachine(offered: "server-time")
        #expect(plain.sendTyping(target: "#c", state: "active").isEmpty)
    }

    /// With `labeled-response` typing notifications carry a label, and whatever the server answers
    /// them (a refusal in a moderated channel, an ACK, the echo) is not shown: only the refusal of a
    /// message the user sent is.
    @Test func answersToTypingNotificationsAreNotShown() {
        var machine = registeredMachine(offered: Self.offered + " labeled-response echo-message")
        _ = machine.messageReceived(irc(":alice!a@h JOIN #c"), now: t(1_000))
        #expect(machine.sendTyping(target: "#c", state: "active").sentLines == ["@label=chatty-typing;+typing=active TAGMSG :#c"])
        #expect(machine.messageReceived(irc("@label=chatty-typing :srv 404 alice #c :Cannot send to channel"), now: t(1_001)).isEmpty)
        #expect(machine.messageReceived(irc("@label=chatty-typing :srv ACK"), now: t(1_002)).isEmpty)
        #expect(machine.messageReceived(irc("@label=chatty-typing;+typing=done :alice!a@h TAGMSG #c"), now: t(1_003)).isEmpty)
        #expect(machine.messageReceived(irc("@label=chatty-typing :srv BATCH +lr labeled-response"), now: t(1_004)).isEmpty)
        #expect(machine.messageReceived(irc("@batch=lr :srv 404 alice #c :Cannot send to channel"), now: t(1_005)).isEmpty)
        #expect(machine.messageReceived(irc(":srv BATCH -lr"), now: t(1_006)).isEmpty)
        let refused = machine.messageReceived(irc(":srv 404 alice #c :Cannot send to channel"), now: t(1_007))
        #expect(refused.events == [.numericError(code: 404, text: "#c: Cannot send to channel")], "a message's refusal is shown")
    }

    @Test func monitoredNicksAreWatchedAgainAfterAReconnect() {
        var machine = joined()
        #expect(machine.monitor("dave", watch: true).sentLines == ["MONITOR + :dave"])
        #expect(machine.monitor("Dave", watch: true).isEmpty)
        #expect(machine.monitor("#c", watch: true).isEmpty)
        let online = machine.messageReceived(irc(":srv 730 alice :dave!d@h,erin!e@h"), now: t(1_000))
        #expect(online.events == [.presence(nick: "dave", online: true)], "only nicks we asked about")
        _ = machine.connectionClosed(error: nil, now: t(2_000))
        _ = machine.timerFired(now: t(60_000))
        let welcome = register(&machine, offered: Self.offered, now: t(60_000))
        #expect(welcome.sentLines.contains("MONITOR + :dave"))
        #expect(machine.monitor("dave", watch: false).sentLines == ["MONITOR - :dave"])
    }
}

/// Sending a paste: one `draft/multiline` batch where offered, else a message per line.
@Suite struct ClientMultilineTests: ClientTestCase {
    @Test func limitsComeFromTheCapabilityValue() {
        let limits = MultilineLimits(capabilityValue: "max-bytes=20,max-lines=3")
        #expect(limits?.maxBytes == 20 && limits?.maxLines == 3)
        #expect(limits?.allows(["1234567890", "123456789"]) == true)
        #expect(limits?.allows(["1234567890", "1234567890"]) == false)
        #expect(limits?.allows(["a", "b", "c", "d"]) == false)
        #expect(MultilineLimits(capabilityValue: "max-lines=3") == nil)
    }

    @Test func aPasteIsOneBatchWhereTheServerOffersIt() {
        var machine = registeredMachine(offered: "message-tags batch echo-message draft/multiline=max-bytes=4096,max-lines=100")
        let sent = machine.sendLines(target: "#c", lines: ["first", "", "third"], now: t(1_000))
        #expect(sent.sentLines == ["BATCH +ml1 draft/multiline :#c", "@batch=ml1 PRIVMSG #c :first", "@batch=ml1 PRIVMSG #c :",
                                   "@batch=ml1 PRIVMSG #c :third", "BATCH :-ml1"])
        #expect(sent.events.isEmpty, "the echo shows it")
        let long = String(repeating: "x", count: 900)
        let split = machine.sendLines(target: "#c", lines: [long, "end"], now: t(1_000))
        #expect(split.sentMessages.filter { $0.tag("draft/multiline-concat") != nil }.count >= 1)
        #expect(split.sentMessages.filter { $0.command == "PRIVMSG" }.map(\.parameters[1]).joined().count == 903)
    }

    @Test func withoutMultilineEveryLineIsAMessage() {
        var machine = registeredMachine(offered: "message-tags batch")
        let sent = machine.sendLines(target: "#c", lines: ["first", "", "third"], now: t(1_000))
        #expect(sent.sentLines == ["PRIVMSG #c :first", "PRIVMSG #c :third"])
        #expect(sent.events.count == 2)
    }
}
