import Testing
@testable import ChatCore

@Suite struct ClientStateMachineRegistrationTests: ClientTestCase {
    @Test func fullRegistrationWithCapabilityNegotiation() {
        var machine = makeMachine()
        #expect(machine.connectionState == .disconnected(reason: nil))
        #expect(machine.connectRequested(now: t(0)) == [.emit(.stateChanged(.connecting)), .connect])
        #expect(machine.connectionState == .connecting)

        let opening = machine.connected(now: t(10))
        #expect(opening == [
            .emit(.stateChanged(.registering)),
            .send(IRCMessage("CAP", "LS", "302")),
            .send(IRCMessage("NICK", "alice")),
            .send(IRCMessage("USER", "alice", "0", "*", "Alice A")),
            .scheduleTimer(at: t(60_010)),
        ])
        #expect(machine.messageReceived(irc(":srv NOTICE * :*** Looking up your hostname"), now: t(20))
            == [.emit(.notice(ChatMessage(conversation: .server, sender: "srv", text: "*** Looking up your hostname",
                                          time: t(20))))])
        #expect(machine.messageReceived(irc(":srv CAP * LS * :multi-prefix sasl=PLAIN,EXTERNAL"), now: t(30)) == [])
        #expect(machine.messageReceived(irc(":srv CAP * LS :server-time echo-message account-tag"), now: t(31)).sentLines
            == ["CAP REQ :server-time echo-message multi-prefix"])
        #expect(machine.messageReceived(irc(":srv CAP alice ACK :server-time echo-message multi-prefix"), now: t(40))
            == [.send(IRCMessage("CAP", "END"))])
        #expect(machine.connectionState == .registering)

        let welcome = machine.messageReceived(irc(":srv 001 alice :Welcome to ChattyNet, alice"), now: t(50))
        #expect(welcome == [
            .emit(.serverInfo(code: 1, text: "Welcome to ChattyNet, alice")),
            .emit(.stateChanged(.registered(nick: "alice"))),
            .send(IRCMessage("JOIN", "#chatty")),
            .scheduleTimer(at: t(60_050)),
        ])
        #expect(machine.connectionState == .registered(nick: "alice"))
        #expect(machine.enabledCapabilities == ["server-time", "echo-message", "multi-prefix"])
    }

    @Test func serverWithoutCapRepliesUnknownCommand() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        #expect(machine.messageReceived(irc(":old.server 421 * CAP :Unknown command"), now: t(5)) == [])
        let welcome = machine.messageReceived(irc(":old.server 001 alice :Welcome"), now: t(6))
        #expect(welcome.sentLines == ["JOIN :#chatty"])
        #expect(!welcome.sentLines.contains("CAP :END"))
        #expect(machine.connectionState == .registered(nick: "alice"))
        #expect(machine.enabledCapabilities == [])
    }

    @Test func serverIgnoringCapRegistersOnWelcome() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        let welcome = machine.messageReceived(irc(":old.server 001 alice :Welcome"), now: t(6))
        #expect(welcome.events.contains(.stateChanged(.registered(nick: "alice"))))
    }

    @Test func passwordIsSentBeforeNickAndUser() {
        var machine = makeMachine(ClientConfiguration(nick: "alice", userName: "al", realName: "Alice", password: "pw"))
        _ = machine.connectRequested(now: t(0))
        #expect(machine.connected(now: t(0)).sentLines == ["CAP LS :302", "PASS :pw", "NICK :alice", "USER al 0 * :Alice"])
    }

    @Test func noCommonCapabilitiesEndsNegotiation() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        #expect(machine.messageReceived(irc(":srv CAP * LS :sasl account-notify"), now: t(1)).sentLines == ["CAP :END"])
    }

    @Test func nickInUseFallbackSequence() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        _ = machine.messageReceived(irc(":srv CAP * LS :"), now: t(1))
        let first = machine.messageReceived(irc(":srv 433 * alice :Nickname is already in use"), now: t(2))
        #expect(first == [
            .emit(.numericError(code: 433, text: "alice: Nickname is already in use")),
            .send(IRCMessage("NICK", "alice_")),
        ])
        #expect(machine.messageReceived(irc(":srv 433 * alice_ :in use"), now: t(3)).sentLines == ["NICK :alice__"])
        #expect(machine.messageReceived(irc(":srv 436 * alice__ :collision"), now: t(4)).sentLines == ["NICK :alice___"])
        #expect(machine.messageReceived(irc(":srv 433 * alice___ :in use"), now: t(5)).sentLines == ["NICK :alice1"])
        let welcome = machine.messageReceived(irc(":srv 001 alice1 :Welcome"), now: t(6))
        #expect(welcome.events.contains(.stateChanged(.registered(nick: "alice1"))))
        #expect(machine.nick == "alice1")
        // The next registration tries the preferred nick again.
        #expect(machine.preferredNick == "alice")
    }

    @Test func nickFallbackUsesRememberedNickLength() {
        var machine = registeredMachine()
        _ = machine.messageReceived(irc(":srv 005 alice NICKLEN=5 :are supported by this server"), now: t(2_000))
        _ = machine.connectionClosed(error: nil, now: t(3_000))
        _ = machine.timerFired(now: t(4_000))
        _ = machine.connected(now: t(4_000))
        #expect(machine.messageReceived(irc(":srv 433 * alice :in use"), now: t(4_001)).sentLines == ["NICK :alic_"])
    }

    @Test func givingUpOnNicksDisconnects() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        var actions: [ClientAction] = []
        for _ in 0...NickFallback.maximumAttempts {
            actions = machine.messageReceived(irc(":srv 433 * x :in use"), now: t(1))
        }
        #expect(actions.sentLines == ["QUIT"])
        #expect(actions.last == .close)
        #expect(machine.connectionClosed(error: nil, now: t(2)).events.first
            == .stateChanged(.disconnected(reason: "No acceptable nickname (last tried x: in use)")))
    }

    @Test func erroneousNickIsCleaned() {
        var machine = makeMachine(ClientConfiguration(nick: "al ice!"))
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        #expect(machine.messageReceived(irc(":srv 432 * al_ice! :Erroneous Nickname"), now: t(1)).sentLines
            == ["NICK :alice"])
    }

    @Test func pingIsAnsweredDuringRegistrationAndAfterwards() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        #expect(machine.messageReceived(irc("PING :12345"), now: t(1)) == [.send(IRCMessage("PONG", "12345"))])
        _ = machine.messageReceived(irc(":srv 001 alice :Welcome"), now: t(2))
        #expect(machine.messageReceived(irc(":srv PING :srv.example"), now: t(3)) == [.send(IRCMessage("PONG", "srv.example"))])
    }

    @Test func registrationTimeoutClosesAndRetries() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        #expect(machine.timerFired(now: t(30_000)) == [.scheduleTimer(at: t(60_000))])
        #expect(machine.timerFired(now: t(60_000)) == [
            .emit(.connectionLost(reason: "Registration timed out")), .emit(.stateChanged(.disconnecting)), .close,
        ])
        #expect(machine.connectionClosed(error: nil, now: t(60_010))
            == [.emit(.stateChanged(.reconnecting(at: t(61_010)))), .scheduleTimer(at: t(61_010))])
    }

    @Test func isupportIsRecordedAfterWelcome() {
        var machine = registeredMachine()
        let info = machine.messageReceived(
            irc(":srv 005 alice PREFIX=(qov)~@+ CHANTYPES=#& NICKLEN=16 NETWORK=ChattyNet :are supported by this server"),
            now: t(2_000)
        )
        #expect(info == [.emit(.serverSupport(machine.serverSupport)), .emit(.serverInfo(
            code: 5, text: "PREFIX=(qov)~@+ CHANTYPES=#& NICKLEN=16 NETWORK=ChattyNet are supported by this server"
        ))])
        #expect(machine.serverSupport.network == "ChattyNet")
        #expect(machine.serverSupport.nickLength == 16)
        #expect(machine.serverSupport.prefixSymbols == ["~", "@", "+"])
        let mapping = machine.messageReceived(irc(":srv 005 alice CASEMAPPING=ascii :are supported"), now: t(2_100))
        #expect(mapping.first == .emit(.serverSupport(machine.serverSupport)))
        #expect(machine.serverSupport.caseMapping == .ascii)
    }
}

@Suite struct ClientStateMachineChannelTests: ClientTestCase {
    @Test func autoJoinThenTrackOwnJoinNamesAndTopic() {
        var machine = registeredMachine(ClientConfiguration(nick: "alice", channels: ["#chatty", "#swift"]))
        #expect(machine.channelsToJoin == ["#chatty", "#swift"])
        #expect(machine.messageReceived(irc(":alice!~al@host.example JOIN #chatty"), now: t(2_000))
            == [.emit(.joined(channel: "#chatty", nick: "alice", isOwn: true)),
                .emit(.members(channel: "#chatty", members: [ChannelMember(nick: "alice")]))])
        #expect(machine.joinedChannels == ["#chatty"])
        #expect(machine.userHost == "~al@host.example")
        #expect(machine.messageReceived(irc(":srv 332 alice #chatty :Welcome to Chatty"), now: t(2_001))
            == [.emit(.topic(channel: "#chatty", text: "Welcome to Chatty", setBy: nil, isChange: false))])
        #expect(machine.messageReceived(irc(":srv 333 alice #chatty bob!b@h 1795601472"), now: t(2_002))
            == [.emit(.topicSetBy(channel: "#chatty", setBy: "bob", at: t(1_795_601_472_000)))])
        #expect(machine.messageReceived(irc(":srv 353 alice = #chatty :@bob alice"), now: t(2_003)) == [])
        #expect(machine.messageReceived(irc(":srv 353 alice = #chatty :+carol dave"), now: t(2_004)) == [])
        let ranked = [
            ChannelMember(nick: "bob", prefixes: "@"), ChannelMember(nick: "carol", prefixes: "+"),
            ChannelMember(nick: "alice"), ChannelMember(nick: "dave"),
        ]
        #expect(machine.messageReceived(irc(":srv 366 alice #chatty :End of /NAMES list."), now: t(2_005)) == [
            .emit(.names(channel: "#chatty", members: ranked)),
            .emit(.members(channel: "#chatty", members: ranked)),
        ])
        #expect(machine.topic(of: "#chatty") == "Welcome to Chatty")
        #expect(machine.messageReceived(irc(":bob!b@h TOPIC #chatty :New topic"), now: t(2_006))
            == [.emit(.topic(channel: "#chatty", text: "New topic", setBy: "bob", isChange: true))])
        #expect(machine.topic(of: "#CHATTY") == "New topic")
    }

    @Test func joinPartKickQuitNickAndModeOfOthers() {
        var machine = registeredMachine()
        _ = machine.messageReceived(irc(":alice!a@h JOIN #chatty"), now: t(2_000))
        _ = machine.messageReceived(irc(":alice!a@h JOIN #swift"), now: t(2_000))
        _ = machine.messageReceived(irc(":srv 353 alice = #chatty :alice bob carol"), now: t(2_000))
        _ = machine.messageReceived(irc(":srv 366 alice #chatty :End"), now: t(2_000))
        _ = machine.messageReceived(irc(":srv 353 alice @ #swift :alice bob"), now: t(2_000))
        _ = machine.messageReceived(irc(":srv 366 alice #swift :End"), now: t(2_000))

        #expect(machine.messageReceived(irc(":dave!d@h JOIN #swift"), now: t(2_001))
            == [.emit(.joined(channel: "#swift", nick: "dave", isOwn: false)),
                .emit(.members(channel: "#swift", members: ["alice", "bob", "dave"].map { ChannelMember(nick: $0) }))])
        #expect(machine.messageReceived(irc(":bob!b@h MODE #swift +o dave"), now: t(2_001))
            == [.emit(.mode(target: "#swift", modes: "+o", parameters: ["dave"], by: "bob")),
                .emit(.members(channel: "#swift", members: [ChannelMember(nick: "dave", prefixes: "@"),
                                                             ChannelMember(nick: "alice"), ChannelMember(nick: "bob")]))])
        #expect(machine.members(of: "#swift").map(\.displayName) == ["@dave", "alice", "bob"])
        #expect(machine.messageReceived(irc(":carol!c@h NICK :caroline"), now: t(2_002))
            == [.emit(.nickChanged(old: "carol", new: "caroline", isOwn: false, channels: ["#chatty"])),
                .emit(.members(channel: "#chatty", members: ["alice", "bob", "caroline"].map { ChannelMember(nick: $0) }))])
        #expect(machine.messageReceived(irc(":bob!b@h QUIT :Client exited"), now: t(2_003))
            == [.emit(.quit(nick: "bob", reason: "Client exited", channels: ["#chatty", "#swift"])),
                .emit(.members(channel: "#chatty", members: ["alice", "caroline"].map { ChannelMember(nick: $0) })),
                .emit(.members(channel: "#swift", members: [ChannelMember(nick: "dave", prefixes: "@"), ChannelMember(nick: "alice")]))])
        #expect(machine.messageReceived(irc(":dave!d@h PART #swift :bye"), now: t(2_004))
            == [.emit(.parted(channel: "#swift", nick: "dave", reason: "bye", isOwn: false)),
                .emit(.members(channel: "#swift", members: [ChannelMember(nick: "alice")]))])
        #expect(machine.messageReceived(irc(":op!o@h KICK #chatty caroline :spam"), now: t(2_005))
            == [.emit(.kicked(channel: "#chatty", nick: "caroline", by: "op", reason: "spam", isOwn: false)),
                .emit(.members(channel: "#chatty", members: [ChannelMember(nick: "alice")]))])
        #expect(machine.members(of: "#chatty").map(\.nick) == ["alice"])
        #expect(machine.members(of: "#swift").map(\.nick) == ["alice"])
    }

    @Test func ownNickChange() {
        var machine = registeredMachine()
        _ = machine.messageReceived(irc(":alice!a@h JOIN #chatty"), now: t(2_000))
        #expect(machine.changeNick("alicia") == [.send(IRCMessage("NICK", "alicia"))])
        #expect(machine.messageReceived(irc(":Alice!a@h NICK alicia"), now: t(2_001)) == [
            .emit(.nickChanged(old: "Alice", new: "alicia", isOwn: true, channels: ["#chatty"])),
            .emit(.stateChanged(.registered(nick: "alicia"))),
            .emit(.members(channel: "#chatty", members: [ChannelMember(nick: "alicia")])),
        ])
        #expect(machine.nick == "alicia")
        #expect(machine.preferredNick == "alicia")
    }

    @Test func ownPartAndKickStopRejoining() {
        var machine = registeredMachine(ClientConfiguration(nick: "alice", channels: ["#a", "#b", "#c"]))
        for channel in ["#a", "#b", "#c"] {
            _ = machine.messageReceived(irc(":alice!a@h JOIN \(channel)"), now: t(2_000))
        }
        #expect(machine.part(channel: "#a", reason: "later") == [.send(IRCMessage("PART", "#a", "later"))])
        #expect(machine.channelsToJoin == ["#b", "#c"])
        #expect(machine.messageReceived(irc(":alice!a@h PART #a :later"), now: t(2_001))
            == [.emit(.parted(channel: "#a", nick: "alice", reason: "later", isOwn: true)), .emit(.members(channel: "#a", members: []))])
        #expect(machine.messageReceived(irc(":op!o@h KICK #b alice"), now: t(2_002))
            == [.emit(.kicked(channel: "#b", nick: "alice", by: "op", reason: nil, isOwn: true)), .emit(.members(channel: "#b", members: []))])
        #expect(machine.joinedChannels == ["#c"])
        #expect(machine.channelsToJoin == ["#c"])
    }

    @Test func joinAddsChannelPrefixAndKey() {
        var machine = registeredMachine()
        #expect(machine.join(channel: "rust") == [.send(IRCMessage("JOIN", "#rust"))])
        #expect(machine.join(channel: "#secret", key: "pw") == [.send(IRCMessage("JOIN", "#secret", "pw"))])
        #expect(machine.join(channel: "bad name").events == [.error("Invalid channel name: bad name")])
    }

    @Test func topicNamesAndRawRequests() {
        var machine = registeredMachine()
        #expect(machine.setTopic(channel: "#chatty", topic: "Hello world").sentLines == ["TOPIC #chatty :Hello world"])
        #expect(machine.requestTopic(channel: "#chatty").sentLines == ["TOPIC :#chatty"])
        #expect(machine.requestNames(channel: "#chatty").sentLines == ["NAMES :#chatty"])
        #expect(machine.sendRaw("MODE #chatty +m") == [.send(IRCMessage("MODE", "#chatty", "+m"))])
        #expect(machine.sendRaw("bad\u{0}line").events.count == 1)
        #expect(machine.messageReceived(irc(":srv 372 alice :- Hello from the MOTD"), now: t(2_000))
            == [.emit(.serverInfo(code: 372, text: "- Hello from the MOTD"))])
        #expect(machine.messageReceived(irc(":srv 401 alice bob :No such nick/channel"), now: t(2_000))
            == [.emit(.numericError(code: 401, text: "bob: No such nick/channel"))])
        #expect(machine.messageReceived(irc(":bob!b@h INVITE alice #secret"), now: t(2_000))
            == [.emit(.invited(channel: "#secret", by: "bob"))])
        #expect(machine.messageReceived(irc("ERROR :Closing Link: host (Killed)"), now: t(2_000))
            == [.emit(.serverError("Closing Link: host (Killed)"))])
    }

    @Test func commandsWhileOfflineAreRejectedOrRemembered() {
        var machine = makeMachine()
        #expect(machine.sendMessage(target: "#chatty", text: "hi", now: t(0))
            == [.emit(.error("Not connected: message to #chatty not sent"))])
        #expect(machine.requestNames(channel: "#chatty") == [.emit(.error("Not connected"))])
        #expect(machine.join(channel: "#later") == [.emit(.serverInfo(code: nil, text: "#later will be joined once connected"))])
        #expect(machine.changeNick("bob") == [])
        #expect(machine.channelsToJoin == ["#chatty", "#later"])
        _ = machine.connectRequested(now: t(0))
        #expect(machine.connected(now: t(0)).sentLines.contains("NICK :bob"))
        let welcome = machine.messageReceived(irc(":srv 001 bob :Welcome"), now: t(1))
        #expect(welcome.sentLines == ["JOIN :#chatty", "JOIN :#later"])
    }
}

@Suite struct ClientStateMachineChatTests: ClientTestCase {
    @Test func incomingChannelAndPrivateMessages() {
        var machine = registeredMachine()
        #expect(machine.messageReceived(irc(":bob!b@h PRIVMSG #chatty :hello all"), now: t(5_000))
            == [.emit(.message(ChatMessage(conversation: .channel("#chatty"), sender: "bob", text: "hello all", time: t(5_000))))])
        #expect(machine.messageReceived(irc(":bob!b@h PRIVMSG alice :psst"), now: t(5_001))
            == [.emit(.message(ChatMessage(conversation: .privateChat("bob"), sender: "bob", text: "psst", time: t(5_001))))])
        #expect(machine.messageReceived(irc(":NickServ!s@services NOTICE alice :Please identify"), now: t(5_002))
            == [.emit(.notice(ChatMessage(conversation: .privateChat("NickServ"), sender: "NickServ",
                                          text: "Please identify", time: t(5_002))))])
        #expect(machine.messageReceived(irc(":srv NOTICE alice :Server restarting"), now: t(5_003))
            == [.emit(.notice(ChatMessage(conversation: .server, sender: "srv", text: "Server restarting", time: t(5_003))))])
        #expect(machine.messageReceived(irc(":bob!b@h NOTICE @#chatty :ops only"), now: t(5_004)).events
            == [.notice(ChatMessage(conversation: .channel("#chatty"), sender: "bob", text: "ops only", time: t(5_004)))])
    }

    @Test func serverTimeAndMsgidTags() {
        var machine = registeredMachine()
        let actions = machine.messageReceived(
            irc("@time=2026-11-25T10:11:12.345Z;msgid=abc123 :bob!b@h PRIVMSG #chatty :from the past"), now: t(9_999)
        )
        #expect(actions == [.emit(.message(ChatMessage(
            conversation: .channel("#chatty"), sender: "bob", text: "from the past",
            time: t(1_795_601_472_345), msgid: "abc123"
        )))])
        let bad = machine.messageReceived(irc("@time=garbage :bob!b@h PRIVMSG #chatty :x"), now: t(9_999))
        #expect(bad == [.emit(.message(ChatMessage(conversation: .channel("#chatty"), sender: "bob", text: "x", time: t(9_999))))])
    }

    @Test func withoutEchoMessageOwnLinesAreSynthesised() {
        var machine = registeredMachine(offered: "server-time")
        #expect(machine.sendMessage(target: "#chatty", text: "hi there", now: t(7_000)) == [
            .send(IRCMessage("PRIVMSG", "#chatty", "hi there")),
            .emit(.message(ChatMessage(conversation: .channel("#chatty"), sender: "alice", text: "hi there",
                                       time: t(7_000), isOwn: true))),
        ])
        #expect(machine.sendMessage(target: "bob", text: "private", now: t(7_001)).events
            == [.message(ChatMessage(conversation: .privateChat("bob"), sender: "alice", text: "private",
                                     time: t(7_001), isOwn: true))])
        #expect(machine.sendNotice(target: "bob", text: "note", now: t(7_002)) == [
            .send(IRCMessage("NOTICE", "bob", "note")),
            .emit(.notice(ChatMessage(conversation: .privateChat("bob"), sender: "alice", text: "note",
                                      time: t(7_002), isOwn: true))),
        ])
    }

    @Test func withEchoMessageOnlyTheServerEchoIsShown() {
        var machine = registeredMachine(offered: "echo-message server-time message-tags")
        #expect(machine.enabledCapabilities.contains("echo-message"))
        #expect(machine.sendMessage(target: "#chatty", text: "hi there", now: t(7_000))
            == [.send(IRCMessage("PRIVMSG", "#chatty", "hi there"))])
        let echo = machine.messageReceived(
            irc("@time=2026-11-25T10:11:12.345Z;msgid=m1 :alice!~a@h PRIVMSG #chatty :hi there"), now: t(7_050)
        )
        #expect(echo == [.emit(.message(ChatMessage(conversation: .channel("#chatty"), sender: "alice", text: "hi there",
                                                    time: t(1_795_601_472_345), msgid: "m1", isOwn: true)))])
        #expect(machine.messageReceived(irc(":alice!~a@h PRIVMSG bob :psst"), now: t(7_060)).events
            == [.message(ChatMessage(conversation: .privateChat("bob"), sender: "alice", text: "psst", time: t(7_060),
                                     isOwn: true))])
    }

    /// With echo-message a refused message would vanish (its echo never comes): the refusal says
    /// which text was not sent, and a lost connection names those never confirmed.
    @Test func aRefusedOrUnconfirmedMessageIsNamed() {
        var machine = registeredMachine(offered: "echo-message server-time message-tags")
        _ = machine.sendMessage(target: "bob", text: "are you still there", now: t(7_000))
        _ = machine.sendMessage(target: "#mod", text: "first", now: t(7_001))
        _ = machine.sendAction(target: "#mod", text: "waves", now: t(7_002))
        _ = machine.sendMessage(target: "#mod", text: "third", now: t(7_003))
        #expect(machine.messageReceived(irc(":srv 401 alice bob :No such nick/channel"), now: t(7_010)).events
            == [.numericError(code: 401, text: "bob: No such nick/channel (not sent: are you still there)")])
        // The first to #mod went through (echoed); the action is refused; the third stays open.
        _ = machine.messageReceived(irc(":alice!a@h PRIVMSG #MOD :first"), now: t(7_011))
        #expect(machine.messageReceived(irc(":srv 404 alice #mod :Cannot send to channel"), now: t(7_012)).events
            == [.numericError(code: 404, text: "#mod: Cannot send to channel (not sent: waves)")])
        // A refusal with nothing waiting is shown as it came.
        #expect(machine.messageReceived(irc(":srv 401 alice carol :No such nick/channel"), now: t(7_013)).events
            == [.numericError(code: 401, text: "carol: No such nick/channel")])
        let lost = machine.connectionClosed(error: nil, now: t(7_020)).events
        #expect(lost.contains(.error("Not confirmed by the server before the connection was lost: third (to #mod)")), "\(lost)")
        #expect(!lost.contains { if case .error(let text) = $0 { text.contains("first") } else { false } })
    }

    @Test func ctcpActionInAndOut() {
        var machine = registeredMachine()
        #expect(machine.messageReceived(irc(":bob!b@h PRIVMSG #chatty :\u{01}ACTION waves\u{01}"), now: t(3_000))
            == [.emit(.action(ChatMessage(conversation: .channel("#chatty"), sender: "bob", text: "waves", time: t(3_000))))])
        // A missing closing \u{01} is tolerated.
        #expect(machine.messageReceived(irc(":bob!b@h PRIVMSG alice :\u{01}ACTION hugs you"), now: t(3_001)).events
            == [.action(ChatMessage(conversation: .privateChat("bob"), sender: "bob", text: "hugs you", time: t(3_001)))])
        #expect(machine.sendAction(target: "#chatty", text: "dances", now: t(3_002)) == [
            .send(IRCMessage("PRIVMSG", "#chatty", "\u{01}ACTION dances\u{01}")),
            .emit(.action(ChatMessage(conversation: .channel("#chatty"), sender: "alice", text: "dances",
                                      time: t(3_002), isOwn: true))),
        ])
    }

    @Test func ctcpActionWithEchoMessage() {
        var machine = registeredMachine(offered: "echo-message")
        #expect(machine.sendAction(target: "#chatty", text: "dances", now: t(3_002))
            == [.send(IRCMessage("PRIVMSG", "#chatty", "\u{01}ACTION dances\u{01}"))])
        #expect(machine.messageReceived(irc(":alice!a@h PRIVMSG #chatty :\u{01}ACTION dances\u{01}"), now: t(3_003))
            == [.emit(.action(ChatMessage(conversation: .channel("#chatty"), sender: "alice", text: "dances",
                                          time: t(3_003), isOwn: true)))])
    }

    @Test func ctcpVersionPingAndUnknownRequests() {
        var machine = registeredMachine(ClientConfiguration(nick: "alice", versionReply: "Chatty 1.0"))
        #expect(machine.messageReceived(irc(":bob!b@h PRIVMSG alice :\u{01}VERSION\u{01}"), now: t(4_000)) == [
            .emit(.ctcpRequest(from: "bob", command: "VERSION", argument: "")),
            .send(IRCMessage("NOTICE", "bob", "\u{01}VERSION Chatty 1.0\u{01}")),
        ])
        #expect(machine.messageReceived(irc(":bob!b@h PRIVMSG alice :\u{01}PING 1700000000\u{01}"), now: t(4_001)) == [
            .emit(.ctcpRequest(from: "bob", command: "PING", argument: "1700000000")),
            .send(IRCMessage("NOTICE", "bob", "\u{01}PING 1700000000\u{01}")),
        ])
        #expect(machine.messageReceived(irc(":bob!b@h PRIVMSG alice :\u{01}TIME\u{01}"), now: t(1_795_601_472_345))
            .sentLines == ["NOTICE bob :\u{01}TIME 2026-11-25T10:11:12.345Z\u{01}"])
        #expect(machine.messageReceived(irc(":bob!b@h PRIVMSG alice :\u{01}FINGER\u{01}"), now: t(4_002))
            == [.emit(.ctcpRequest(from: "bob", command: "FINGER", argument: ""))])
        #expect(machine.messageReceived(irc(":bob!b@h NOTICE alice :\u{01}VERSION irssi 1.4\u{01}"), now: t(4_003))
            == [.emit(.ctcpReply(from: "bob", command: "VERSION", argument: "irssi 1.4"))])
    }

    @Test func ownEchoedCtcpIsNotAnswered() {
        var machine = registeredMachine(offered: "echo-message")
        #expect(machine.messageReceived(irc(":alice!a@h NOTICE bob :\u{01}VERSION Chatty\u{01}"), now: t(4_000)) == [])
        #expect(machine.messageReceived(irc(":alice!a@h PRIVMSG bob :\u{01}VERSION\u{01}"), now: t(4_000)) == [])
    }

    @Test func multiLineTextBecomesOneMessagePerLine() {
        var machine = registeredMachine()
        #expect(machine.sendMessage(target: "#chatty", text: "first\n\nsecond\r\nthird\n", now: t(1)).sentLines
            == ["PRIVMSG #chatty :first", "PRIVMSG #chatty :second", "PRIVMSG #chatty :third"])
        #expect(machine.sendMessage(target: "#chatty", text: "\n", now: t(1)) == [])
    }

    @Test func longMessagesFitTheRelayedLine() {
        var machine = registeredMachine()
        // ":alice!" + 64 bytes of user@host + " " = 72; "PRIVMSG #chatty :" + CR LF = 19.
        #expect(machine.textBudget(command: "PRIVMSG", target: "#chatty", nick: "alice") == 421)
        let ascii = machine.sendMessage(target: "#chatty", text: String(repeating: "a", count: 1000), now: t(1))
        #expect(ascii.sentMessages.map { $0.parameters[1].utf8.count } == [421, 421, 158])

        let text = String(repeating: "Grüße aus Köln 🙂 — 東京 ", count: 40)
        let actions = machine.sendMessage(target: "#chatty", text: text, now: t(1))
        let relayedPrefix = ":alice!" + String(repeating: "u", count: 64) + " "
        #expect(actions.sentMessages.count > 2)
        for message in actions.sentMessages {
            #expect((relayedPrefix + message.serialized()).utf8.count <= 512)
        }
        let rejoined = actions.sentMessages.map { $0.parameters[1] }.joined(separator: " ")
        #expect(rejoined == text)
        // Own lines are synthesised per piece.
        #expect(actions.events.count == actions.sentMessages.count)
    }

    @Test func splittingUsesTheLearntUserHost() {
        var machine = registeredMachine()
        _ = machine.messageReceived(irc(":alice!~al@h JOIN #chatty"), now: t(2))
        // 1 + 5 + 1 + 5 + 1 = 13 prefix bytes, 19 fixed bytes.
        #expect(machine.textBudget(command: "PRIVMSG", target: "#chatty", nick: "alice") == 480)
        let actions = machine.sendAction(target: "#chatty", text: String(repeating: "é", count: 300), now: t(3))
        // 480 - 9 bytes of CTCP framing = 471 → 235 two-byte characters (+ 9 framing characters).
        #expect(actions.sentMessages.map { $0.parameters[1].count } == [244, 74])
        #expect(actions.sentMessages.allSatisfy { $0.parameters[1].hasPrefix("\u{01}ACTION ") })
    }
}

@Suite struct ClientStateMachineKeepaliveTests: ClientTestCase {
    @Test func pingAfterSilenceThenLagFromPong() {
        var machine = registeredMachine(now: t(1_000))  // keepalive 60 s, timeout 60 s
        _ = machine.messageReceived(irc(":bob!b@h PRIVMSG #chatty :hi"), now: t(30_000))
        #expect(machine.timerFired(now: t(61_000)) == [.scheduleTimer(at: t(90_000))])
        #expect(machine.timerFired(now: t(90_000))
            == [.send(IRCMessage("PING", "chatty-90000")), .scheduleTimer(at: t(150_000))])
        #expect(machine.messageReceived(irc(":srv PONG srv :chatty-90000"), now: t(90_250))
            == [.emit(.lag(milliseconds: 250))])
        #expect(machine.messageReceived(irc(":srv PONG srv :chatty-90000"), now: t(90_300)) == [])
        #expect(machine.timerFired(now: t(150_000)) == [.scheduleTimer(at: t(150_300))])
    }

    @Test func noReplyWithinTimeoutDeclaresTheConnectionDead() {
        var machine = registeredMachine(now: t(0))
        _ = machine.messageReceived(irc(":alice!a@h JOIN #chatty"), now: t(0))
        #expect(machine.timerFired(now: t(60_000)).sentLines == ["PING :chatty-60000"])
        #expect(machine.timerFired(now: t(119_999)) == [.scheduleTimer(at: t(120_000))])
        #expect(machine.timerFired(now: t(120_000)) == [
            .emit(.members(channel: "#chatty", members: [])),
            .emit(.connectionLost(reason: "Ping timeout: 120 seconds")), .emit(.stateChanged(.disconnecting)), .close,
        ])
        #expect(machine.connectionState == .disconnecting)
        #expect(machine.connectionClosed(error: nil, now: t(120_005))
            == [.emit(.stateChanged(.reconnecting(at: t(121_005)))), .scheduleTimer(at: t(121_005))])
        #expect(machine.connectionState == .reconnecting(at: t(121_005)))
    }

    @Test func trafficAfterThePingKeepsTheConnection() {
        var machine = registeredMachine(now: t(0))
        _ = machine.timerFired(now: t(60_000))
        _ = machine.messageReceived(irc(":bob!b@h PRIVMSG #chatty :still here"), now: t(70_000))
        #expect(machine.timerFired(now: t(120_000)) == [.scheduleTimer(at: t(130_000))])
        #expect(machine.connectionState == .registered(nick: "alice"))
    }
}

@Suite struct ClientStateMachineReconnectTests: ClientTestCase {
    @Test func backoffScheduleWithFixedJitterCapsAtMaxAndResetsAfterRegistration() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        var now: Int64 = 0
        var delays: [Int64] = []
        for _ in 0..<8 {
            let failed = machine.connectFailed(error: TestError(), now: t(now))
            guard case .reconnecting(let at) = machine.connectionState else {
                Issue.record("not reconnecting")
                return
            }
            let delay = at.milliseconds(since: t(now))
            #expect(failed == [
                .emit(.error("Connection failed: refused; retrying in \(delay / 1000) s")),
                .emit(.stateChanged(.reconnecting(at: at))),
                .scheduleTimer(at: at),
            ])
            delays.append(at.milliseconds(since: t(now)))
            now = at.millisecondsSinceEpoch
            #expect(machine.timerFired(now: t(now)) == [.emit(.stateChanged(.connecting)), .connect])
        }
        #expect(delays == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000])
        #expect(machine.reconnectAttempts == 8)

        register(&machine, offered: "", now: t(now))
        #expect(machine.reconnectAttempts == 0)
        #expect(machine.connectionClosed(error: TestError(), now: t(now + 10)) == [
            .emit(.connectionLost(reason: "Connection lost: refused")),
            .emit(.stateChanged(.reconnecting(at: t(now + 1_010)))),
            .scheduleTimer(at: t(now + 1_010)),
        ])
    }

    @Test func jitterComesFromTheInjectedGenerator() {
        var machine = TestMachine(configuration: ClientConfiguration(nick: "alice"), random: FixedRandom(value: 0))
        _ = machine.connectRequested(now: t(0))
        #expect(machine.connectFailed(error: TestError(), now: t(0)).last == .scheduleTimer(at: t(800)))
        _ = machine.timerFired(now: t(800))
        #expect(machine.connectFailed(error: TestError(), now: t(800)).last == .scheduleTimer(at: t(2_400)))
    }

    @Test func earlyTimerReschedulesTheReconnect() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connectFailed(error: TestError(), now: t(0))
        #expect(machine.timerFired(now: t(999)) == [.scheduleTimer(at: t(1_000))])
        #expect(machine.connectRequested(now: t(500)) == [.cancelTimer, .emit(.stateChanged(.connecting)), .connect])
    }

    @Test func rejoinsEveryChannelJoinedAtTheTimeOfTheLoss() {
        var machine = registeredMachine(ClientConfiguration(nick: "alice", channels: ["#chatty"]))
        _ = machine.messageReceived(irc(":alice!a@h JOIN #chatty"), now: t(2_000))
        _ = machine.join(channel: "#swift", key: "k")
        _ = machine.messageReceived(irc(":alice!a@h JOIN #swift"), now: t(2_001))
        _ = machine.join(channel: "#rust")
        _ = machine.messageReceived(irc(":alice!a@h JOIN #rust"), now: t(2_002))
        _ = machine.part(channel: "#chatty")
        _ = machine.messageReceived(irc(":alice!a@h PART #chatty"), now: t(2_003))
        #expect(machine.joinedChannels == ["#swift", "#rust"])

        let lost = machine.connectionClosed(error: nil, now: t(3_000))
        #expect(Array(lost.events.prefix(3)) == [
            .members(channel: "#swift", members: []), .members(channel: "#rust", members: []),
            .connectionLost(reason: "Connection closed by the server"),
        ], "the sidebars empty: we are not in those channels while disconnected")
        #expect(machine.joinedChannels == [])
        #expect(machine.timerFired(now: t(4_000)) == [.emit(.stateChanged(.connecting)), .connect])
        let welcome = register(&machine, offered: "multi-prefix", now: t(4_100))
        #expect(welcome.sentLines == ["JOIN #swift :k", "JOIN :#rust"])
    }

    @Test func userQuitDoesNotReconnect() {
        var machine = registeredMachine()
        #expect(machine.userQuit(reason: "bye")
            == [.emit(.stateChanged(.disconnecting)), .cancelTimer, .send(IRCMessage("QUIT", "bye")), .close])
        #expect(machine.connectionState == .disconnecting)
        #expect(machine.messageReceived(irc("ERROR :Closing Link: alice (Quit: bye)"), now: t(2_000))
            == [.emit(.serverError("Closing Link: alice (Quit: bye)"))])
        #expect(machine.connectionClosed(error: nil, now: t(2_001))
            == [.cancelTimer, .emit(.stateChanged(.disconnected(reason: "Quit")))])
        #expect(machine.connectionState == .disconnected(reason: "Quit"))
        #expect(machine.timerFired(now: t(10_000)) == [])
        #expect(machine.connectRequested(now: t(10_000)) == [.emit(.stateChanged(.connecting)), .connect])
    }

    @Test func userQuitWhileWaitingOrConnecting() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        #expect(machine.userQuit(reason: nil) == [.emit(.stateChanged(.disconnecting)), .close])
        #expect(machine.connected(now: t(1)) == [.close])
        #expect(machine.connectionClosed(error: nil, now: t(2)).events == [.stateChanged(.disconnected(reason: "Quit"))])

        _ = machine.connectRequested(now: t(3))
        _ = machine.connectFailed(error: TestError(), now: t(3))
        #expect(machine.userQuit(reason: nil) == [.cancelTimer, .emit(.stateChanged(.disconnected(reason: "Quit")))])
    }

    @Test func connectRequestedWhileClosingConnectsRightAfter() {
        var machine = registeredMachine()
        _ = machine.userQuit(reason: nil)
        #expect(machine.connectRequested(now: t(2_000)) == [])
        #expect(machine.connectionClosed(error: nil, now: t(2_001)) == [.emit(.stateChanged(.connecting)), .connect])
    }
}
