import Foundation
import ChatClient
import ChatCore
import ChattyTestSupport
import Testing

@testable import ChatTUI

@Suite struct ChatControllerTests {
    let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    /// A real client machine feeding the controller: the sidebar shows the machine's roster.
    struct Session {
        var machine = ClientStateMachine(configuration: ClientConfiguration(nick: "me"), random: SystemRandomNumberGenerator())
        var controller = ChatController(server: "srv", nick: "me")
        let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

        init() {
            _ = machine.connectRequested(now: now)
            _ = machine.connected(now: now)
            receive(":srv 001 me :Welcome")
        }

        mutating func receive(_ line: String) {
            for case .emit(let event) in machine.messageReceived(try! IRCMessage.parse(line), now: now) {
                controller.apply(event, now: now)
            }
        }

        func sidebar(_ channel: String) -> [String] {
            controller.view.buffer(named: channel)!.members.members.map { $0.prefixes + $0.nick }
        }
    }

    /// On a first join the server's recent history arrives after the join's own lines (joined,
    /// topic, names); it is shown above them, so the buffer reads in time order, and an older page
    /// fetched later goes above the history, not between it and the join.
    @Test func aFirstJoinsHistoryGoesAboveTheJoinLines() {
        var machine = ClientStateMachine(configuration: ClientConfiguration(nick: "me", channels: [], historyOnJoin: 50),
                                         random: SystemRandomNumberGenerator())
        var controller = ChatController(server: "srv", nick: "me")
        func receive(_ line: String) {
            for case .emit(let event) in machine.messageReceived(try! IRCMessage.parse(line), now: now) {
                controller.apply(event, now: now)
            }
        }
        _ = machine.connectRequested(now: now)
        _ = machine.connected(now: now)
        receive(":srv CAP * LS :batch draft/chathistory message-tags server-time")
        receive(":srv CAP * ACK :batch draft/chathistory message-tags server-time")
        receive(":srv 001 me :Welcome")
        receive(":me!u@h JOIN #c")
        receive(":srv 332 me #c :Standup at ten")
        receive(":srv 353 me = #c :me @bob")
        receive(":srv 366 me #c :End of /NAMES list.")
        receive(":srv BATCH +h chathistory #c")
        receive("@batch=h;msgid=m1;time=2026-12-06T10:00:00.000Z :bob!b@h PRIVMSG #c :one")
        receive("@batch=h;msgid=m2;time=2026-12-06T10:01:00.000Z :bob!b@h PRIVMSG #c :two")
        receive(":srv BATCH -h")
        receive("@msgid=m3 :bob!b@h PRIVMSG #c :live")
        let texts = controller.view.buffer(named: "#c")!.lines.elements.map(\.text)
        let history = texts.firstIndex(of: "—— history ——")
        #expect(texts.firstIndex(of: "one") == 0 && texts.firstIndex(of: "two") == 1 && history == 2, "\(texts)")
        #expect(texts.firstIndex(of: "me has joined #c").map { $0 > 2 } == true, "\(texts)")
        #expect(texts.last == "live")
        // A page of older history goes on top.
        controller.apply(.olderHistory(target: "#c", events: [.message(ChatMessage(conversation: .channel("#c"), sender: "bob",
                                                                                    text: "zero", time: now, isHistory: true))]), now: now)
        #expect(controller.view.buffer(named: "#c")!.lines.elements.prefix(3).map(\.text) == ["zero", "one", "two"])
    }

    @Test func logsStayUnderTheNetworkNameShownWhenTheServerNamesItself() {
        var session = Session()
        session.controller.view.logNetwork = "irc.example.com"
        session.receive(":srv 005 me NETWORK=Example CASEMAPPING=ascii :are supported")
        #expect(session.controller.view.caseMapping == .ascii, "the 005 line was applied")
        #expect(session.controller.view.logNetwork == "irc.example.com")
    }

    private func joined(_ controller: inout ChatController, channel: String = "#chatty", members: [String] = ["@me", "bob"]) {
        controller.apply(.stateChanged(.registered(nick: "me")), now: now)
        controller.apply(.joined(channel: channel, nick: "me", isOwn: true), now: now)
        controller.apply(.members(channel: channel, members: members.map {
            $0.hasPrefix("@") ? ChannelMember(nick: String($0.dropFirst()), prefixes: "@") : ChannelMember(nick: $0)
        }), now: now)
    }

    @Test func ownJoinOpensAndActivatesTheChannelAndTheSidebarShowsTheRoster() {
        var session = Session()
        session.receive(":me!m@h JOIN #chatty")
        #expect(session.controller.view.activeBuffer.name == "#chatty")
        session.receive(":srv 353 me = #chatty :@me bob")
        session.receive(":srv 366 me #chatty :End")
        #expect(session.sidebar("#chatty") == ["@me", "bob"])
        session.receive(":carol!c@h JOIN #chatty")
        #expect(session.sidebar("#chatty") == ["@me", "bob", "carol"])
        session.receive(":carol!c@h NICK caro")
        #expect(session.sidebar("#chatty") == ["@me", "bob", "caro"])
        session.receive(":me!m@h MODE #chatty +v caro")
        #expect(session.sidebar("#chatty") == ["@me", "+caro", "bob"])
        session.receive(":caro!c@h QUIT :bye")
        #expect(session.sidebar("#chatty") == ["@me", "bob"])
        session.receive(":me!m@h KICK #chatty bob")
        #expect(session.sidebar("#chatty") == ["@me"])
        let texts = session.controller.view.buffer(named: "#chatty")!.lines.last.map(\.text)
        #expect(texts == "bob was kicked by me")
    }

    @Test func prefixesFollowTheServersPrefixTokenNotHardCodedLetters() {
        var session = Session()
        session.receive(":srv 005 me PREFIX=(qaohv)~&@%+ :are supported")
        session.receive(":me!m@h JOIN #chatty")
        session.receive(":srv 353 me = #chatty :me bob")
        session.receive(":srv 366 me #chatty :End")
        session.receive(":me!m@h MODE #chatty +h bob")
        #expect(session.sidebar("#chatty") == ["%bob", "me"])
        session.receive(":me!m@h MODE #chatty +q me")
        #expect(session.sidebar("#chatty") == ["~me", "%bob"])
    }

    @Test func buffersAndNicksCompareWithTheServersCaseMapping() {
        var session = Session()
        session.receive(":me!u@h JOIN #a[b]")
        // RFC 1459 (the default): `[]` and `{}` are the same letters.
        #expect(session.controller.view.buffer(named: "#A{B}") != nil)
        session.receive(":srv 005 me CASEMAPPING=ascii :are supported")
        #expect(session.controller.view.caseMapping == .ascii)
        #expect(session.controller.view.buffer(named: "#A{B}") == nil)
        #expect(session.controller.view.buffer(named: "#A[B]") != nil)
        #expect(session.controller.view.activeBuffer.caseMapping == .ascii, "every buffer follows the server")
    }

    @Test func losingTheConnectionEmptiesTheSidebar() {
        var session = Session()
        session.receive(":me!m@h JOIN #chatty")
        session.receive(":srv 353 me = #chatty :me bob")
        session.receive(":srv 366 me #chatty :End")
        for case .emit(let event) in session.machine.connectionClosed(error: nil, now: session.now) {
            session.controller.apply(event, now: session.now)
        }
        #expect(session.sidebar("#chatty") == [])
    }

    @Test func typedTextGoesToActiveChannel() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        for character in "hello" { _ = controller.handle(.character(character), now: now) }
        #expect(controller.handle(.enter, now: now) == [.message(target: "#chatty", text: "hello")])
    }

    @Test func textInTheServerBufferIsALocalErrorAndDoubleSlashSendsASlash() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        for character in "//me is literal" { _ = controller.handle(.character(character), now: now) }
        #expect(controller.handle(.enter, now: now) == [.message(target: "#chatty", text: "/me is literal")])
        controller.view.switchTo(index: 0)
        for character in "oops" { _ = controller.handle(.character(character), now: now) }
        #expect(controller.handle(.enter, now: now) == [])
        #expect(controller.view.activeBuffer.lines.last?.kind == .error)
        #expect(controller.view.activeBuffer.lines.last?.text.contains("not in a channel or query") == true)
    }

    @Test func searchUsesTheServerWhereOfferedElseTheScrollback() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        controller.apply(.message(ChatMessage(conversation: .channel("#chatty"), sender: "bob", text: "the Deploy failed", time: now)), now: now)
        controller.apply(.message(ChatMessage(conversation: .channel("#chatty"), sender: "bob", text: "lunch?", time: now)), now: now)
        for character in "/search deploy" { _ = controller.handle(.character(character), now: now) }
        #expect(controller.handle(.enter, now: now) == [.search(text: "deploy", target: "#chatty")])
        controller.apply(.searchResults(query: "deploy", target: "#chatty", results: nil), now: now)
        let local = controller.view.activeBuffer.lines.elements.suffix(3).map(\.text)
        #expect(local == ["—— search \u{201C}deploy\u{201D} in the scrollback (the server cannot search): 1 result ——",
                          "the Deploy failed", "—— end of search ——"])
        let remote = ChatMessage(conversation: .channel("#ops"), sender: "ann", text: "deploy done", time: now, msgid: "m1")
        controller.apply(.searchResults(query: "deploy", target: nil, results: [remote]), now: now)
        #expect(controller.view.activeBuffer.lines.elements.suffix(3).map(\.text)
            == ["—— search \u{201C}deploy\u{201D} in the history: 1 result ——", "1. [#ops] deploy done",
                "—— end of search (/context N shows the conversation around result N) ——"])
        #expect(controller.view.activeBuffer.unreadCount == 0)
    }

    @Test func contextShowsTheConversationAroundASearchResult() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        func type(_ text: String) -> [ClientRequest] {
            for character in text { _ = controller.handle(.character(character), now: now) }
            return controller.handle(.enter, now: now)
        }
        #expect(type("/context 1") == [])
        #expect(controller.view.activeBuffer.lines.last?.text.hasPrefix("/context: no results of a server search") == true)
        let first = ChatMessage(conversation: .channel("#ops"), sender: "ann", text: "deploy done", time: now, msgid: "m1")
        let second = ChatMessage(conversation: .privateChat("bob"), sender: "bob", text: "deploy again?", time: now, msgid: "m9")
        controller.apply(.searchResults(query: "deploy", target: nil, results: [first, second]), now: now)
        #expect(type("/context 3") == [])
        #expect(controller.view.activeBuffer.lines.last?.text == "/context: there is no result 3 (1–2)")
        #expect(type("/context 2") == [.context(msgid: "m9", target: "bob")])
        let around = [("m8", "before"), ("m9", "deploy again?"), ("m10", "after")]
        let events = around.map { ClientEvent.message(ChatMessage(conversation: .privateChat("bob"), sender: "bob", text: $0.1,
                                                                  time: now, msgid: $0.0, isHistory: true)) }
        controller.apply(.historyContext(target: "bob", msgid: "m9", events: events), now: now)
        let shown = controller.view.activeBuffer.lines.elements.suffix(5)
        #expect(shown.map(\.text) == ["—— context in bob ——", "before", "▶ deploy again?", "after", "—— end of context ——"])
        #expect(shown.map(\.mentionsMe) == [false, false, true, false, false], "the result stands out")
        controller.apply(.historyContext(target: "bob", msgid: "m9", events: []), now: now)
        #expect(controller.view.activeBuffer.lines.last?.text == "—— bob: that message is no longer in the history ——")
    }

    @Test func readMarkersGoOutOnSwitchingAndComeInFromOtherClients() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller, channel: "#a")
        joined(&controller, channel: "#b")
        let later = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 5_000)
        controller.apply(.message(ChatMessage(conversation: .channel("#a"), sender: "bob", text: "unread", time: later)), now: later)
        #expect(controller.view.buffer(named: "#a")?.unreadCount == 1)
        // Read on another client of mine: read here too.
        controller.apply(.readMarker(target: "#a", time: later), now: later)
        #expect(controller.view.buffer(named: "#a")?.unreadCount == 0)
        controller.apply(.message(ChatMessage(conversation: .channel("#a"), sender: "bob", text: "newer", time: later)), now: later)
        controller.apply(.readMarker(target: "#a", time: now), now: later)
        #expect(controller.view.buffer(named: "#a")?.unreadCount == 1, "an older marker leaves newer lines unread")
        // Looking at #a marks it read on the server.
        let requests = controller.handle(.ctrl("p"), now: later)
        #expect(controller.view.activeBuffer.name == "#a")
        #expect(requests == [.markRead(target: "#a", time: later)])
    }

    /// Issue 14's first defect: after a reconnect the view jumped to the last rejoined channel and
    /// the next line (and the draft) went there.
    @Test func aReconnectNeverChangesTheBufferInViewOrTheDraft() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller, channel: "#chatty")
        joined(&controller, channel: "#offline")
        controller.view.switchTo(name: "#chatty")
        for character in "half typed" { _ = controller.handle(.character(character), now: now) }
        controller.apply(.connectionLost(reason: "gone"), now: now)
        controller.apply(.stateChanged(.registered(nick: "me")), now: now)
        controller.apply(.joined(channel: "#chatty", nick: "me", isOwn: true), now: now)
        controller.apply(.joined(channel: "#offline", nick: "me", isOwn: true), now: now)
        #expect(controller.view.activeBuffer.name == "#chatty")
        #expect(controller.handle(.enter, now: now) == [.message(target: "#chatty", text: "half typed")])
        // A channel the user joins is shown.
        for character in "/join #new" { _ = controller.handle(.character(character), now: now) }
        #expect(controller.handle(.enter, now: now) == [.join(channel: "#new", key: nil)])
        controller.apply(.joined(channel: "#new", nick: "me", isOwn: true), now: now)
        #expect(controller.view.activeBuffer.name == "#new")
        // And so is a channel /join-ed again after it was left.
        controller.view.switchTo(name: "#chatty")
        for character in "/join #offline" { _ = controller.handle(.character(character), now: now) }
        _ = controller.handle(.enter, now: now)
        controller.apply(.joined(channel: "#offline", nick: "me", isOwn: true), now: now)
        #expect(controller.view.activeBuffer.name == "#offline")
    }

    @Test func aChannelWithoutATopicSaysSo() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        controller.apply(.topic(channel: "#chatty", text: "", setBy: nil, isChange: false), now: now)
        #expect(controller.view.activeBuffer.lines.last?.text == "No topic is set for #chatty")
    }

    @Test func slashCommandsBecomeRequests() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        func submit(_ line: String) -> [ClientRequest] {
            for character in line { _ = controller.handle(.character(character), now: now) }
            return controller.handle(.enter, now: now)
        }
        #expect(submit("/join #other") == [.join(channel: "#other", key: nil)])
        #expect(submit("/me waves") == [.action(target: "#chatty", text: "waves")])
        #expect(submit("/msg bob hi there") == [.message(target: "bob", text: "hi there")])
        #expect(submit("/nick newme") == [.nick("newme")])
        #expect(submit("/topic") == [.requestTopic(channel: "#chatty")])
        #expect(submit("/topic new topic") == [.setTopic(channel: "#chatty", text: "new topic")])
        #expect(submit("/names") == [.names(channel: "#chatty")])
        #expect(submit("/part") == [.part(channel: "#chatty", reason: nil)])
        #expect(submit("/quote WHO #chatty") == [.raw("WHO #chatty")])
        #expect(submit("/bogus x") == [])
        #expect(controller.view.activeBuffer.lines.last?.kind == .error)
        #expect(!controller.quitRequested)
        #expect(submit("/quit gone") == [.quit(reason: "gone")])
        #expect(controller.quitRequested)
    }

    @Test func shortcutsLeaveAndQuit() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        #expect(controller.handle(.ctrl("x"), now: now) == [.part(channel: "#chatty", reason: nil)])
        controller.apply(.parted(channel: "#chatty", nick: "me", reason: nil, isOwn: true), now: now)
        #expect(controller.view.buffer(named: "#chatty") == nil)
        #expect(controller.handle(.ctrl("x"), now: now) == [], "nothing to leave in the server buffer")
        #expect(controller.handle(.ctrl("q"), now: now) == [.quit(reason: controller.quitMessage)])
        #expect(controller.quitRequested)
    }

    @Test func messagesLandInTheRightBuffersWithMentions() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        let channelMessage = ChatMessage(conversation: .channel("#chatty"), sender: "bob", text: "hey me, look", time: now)
        controller.apply(.message(channelMessage), now: now)
        let line = controller.view.buffer(named: "#chatty")!.lines.last!
        #expect(line.nick == "bob" && line.mentionsMe && line.kind == .message)
        let notMention = ChatMessage(conversation: .channel("#chatty"), sender: "bob", text: "meme time", time: now)
        controller.apply(.message(notMention), now: now)
        #expect(controller.view.buffer(named: "#chatty")!.lines.last!.mentionsMe == false)
        func mentions(_ text: String) -> Bool {
            controller.apply(.message(ChatMessage(conversation: .channel("#chatty"), sender: "bob", text: text, time: now)), now: now)
            return controller.view.buffer(named: "#chatty")!.lines.last!.mentionsMe
        }
        controller.highlightWords = ["deploy"]
        #expect(mentions("the DEPLOY is done") && mentions("hi ME"))
        controller.apply(.nickChanged(old: "me", new: "zed", isOwn: true, channels: ["#chatty"]), now: now)
        #expect(mentions("zed: ping") && !mentions("hey me, look"), "the new nick, not the old one")
        #expect(mentions("deploy?"), "the highlight words stay")
        let privateMessage = ChatMessage(conversation: .privateChat("bob"), sender: "bob", text: "psst", time: now)
        controller.apply(.message(privateMessage), now: now)
        #expect(controller.view.buffer(named: "bob")?.lines.last?.kind == .privateMessage)
        let own = ChatMessage(conversation: .channel("#chatty"), sender: "me", text: "mine", time: now, isOwn: true)
        controller.apply(.message(own), now: now)
        #expect(controller.view.buffer(named: "#chatty")!.lines.last!.isOwn)
    }

    @Test func statusLineFollowsConnectionStateAndLag() {
        var controller = ChatController(server: "srv:6667", nick: "me")
        controller.apply(.stateChanged(.connecting), now: now)
        #expect(controller.view.status.connection == "connecting")
        controller.apply(.stateChanged(.registered(nick: "me_")), now: now)
        #expect(controller.view.status.nick == "me_")
        controller.apply(.lag(milliseconds: 42), now: now)
        #expect(controller.view.status.lagMilliseconds == 42)
        let at = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 4_200)
        controller.apply(.stateChanged(.reconnecting(at: at)), now: now)
        #expect(controller.view.status.connection == "reconnecting in 5s")
        #expect(controller.view.status.lagMilliseconds == nil)
        let screen = controller.view.draw(width: 100, height: 30)
        #expect(screen.lines.joined(separator: "\n").contains("reconnecting in 5s"))
    }

    @Test func floodOf20000LinesStaysBoundedAndRenders() {
        var controller = ChatController(server: "srv", nick: "me", scrollbackLimit: 1000)
        joined(&controller)
        for index in 0..<20_000 {
            let message = ChatMessage(conversation: .channel("#chatty"), sender: "bot", text: "flood \(index)", time: now)
            controller.apply(.message(message), now: now)
        }
        #expect(controller.view.buffer(named: "#chatty")!.lines.count == 1000)
        let screen = controller.view.render(width: 100, height: 30)
        #expect(screen.lines.joined(separator: "\n").contains("flood 19999"))
    }

    // MARK: The one command table

    private func submit(_ controller: inout ChatController, _ line: String) -> [ClientRequest] {
        for character in line { _ = controller.handle(.character(character), now: now) }
        return controller.handle(.enter, now: now)
    }

    @Test func screenCommandsRunThroughTheTable() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        #expect(submit(&controller, "/help").isEmpty)
        #expect(controller.view.isHelpVisible)
        _ = submit(&controller, "/help")
        #expect(!controller.view.isHelpVisible)
        _ = submit(&controller, "/buffer 1")
        #expect(controller.view.activeIndex == 0)
        _ = submit(&controller, "/win #chatty")
        #expect(controller.view.activeBuffer.name == "#chatty")
        _ = submit(&controller, "/buffer 99")
        #expect(controller.view.activeBuffer.lines.last?.text == "/buffer: there is no buffer 99 (1–2)")
        // Part of a name will do when only one buffer has it.
        controller.view.openBuffer("#ops", kind: .channel)
        controller.view.openBuffer("#opsec", kind: .channel)
        controller.view.openBuffer("bob", kind: .query)
        _ = submit(&controller, "/buffer BO")
        #expect(controller.view.activeBuffer.name == "bob")
        _ = submit(&controller, "/buffer ops")
        #expect(controller.view.activeBuffer.lines.last?.text == "/buffer: ops could be #ops, #opsec")
        _ = submit(&controller, "/buffer #OPS")
        #expect(controller.view.activeBuffer.name == "#ops", "the exact name wins")
        _ = submit(&controller, "/buffer zzz")
        #expect(controller.view.activeBuffer.lines.last?.text == "/buffer: no buffer named zzz")
        _ = submit(&controller, "/clear")
        #expect(controller.view.activeBuffer.lines.isEmpty)
    }

    @Test func everyCommandOfferedByCompletionAndHelpIsKnown() {
        for name in UserInput.commandNames {
            var controller = ChatController(server: "srv", nick: "me")
            joined(&controller)
            _ = submit(&controller, "/\(name) x y")
            let last = controller.view.buffers.compactMap(\.lines.last?.text).joined(separator: " | ")
            #expect(!last.contains("Unknown command"), "/\(name): \(last)")
        }
        #expect(HelpOverlay.entries.count == HelpOverlay.keys.count + UserInput.commands.count)
    }

    @Test func commandsThatWereOfferedButMissingNowSendTheirIRCCommand() {
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        #expect(submit(&controller, "/away lunch") == [.command(IRCMessage("AWAY", "lunch"))])
        #expect(submit(&controller, "/away") == [.command(IRCMessage("AWAY"))])
        #expect(submit(&controller, "/whois bob") == [.command(IRCMessage("WHOIS", "bob"))])
        #expect(submit(&controller, "/invite bob") == [.command(IRCMessage("INVITE", "bob", "#chatty"))])
        #expect(submit(&controller, "/kick bob spam") == [.command(IRCMessage("KICK", "#chatty", "bob", "spam"))])
        #expect(submit(&controller, "/list") == [.command(IRCMessage("LIST"))])
        #expect(submit(&controller, "/mode +m") == [.command(IRCMessage("MODE", "#chatty", "+m"))])
        #expect(submit(&controller, "/notice bob hi there") == [.notice(target: "bob", text: "hi there")])
    }

    @Test func setShowsAndChangesTheSettingsFile() throws {
        let directory = NSTemporaryDirectory() + "chatty-set-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        func type(_ text: String) -> String? {
            for character in text { _ = controller.handle(.character(character), now: now) }
            _ = controller.handle(.enter, now: now)
            return controller.view.activeBuffer.lines.last?.text
        }
        #expect(type("/set highlight x") == "/set: there is no place for settings (no home directory)")
        let path = directory + "/chatty/client.conf"
        controller.settingsPath = path
        controller.settingsProblem = { settings in settings.text.contains("nick 1") ? "'1bad' is not a valid nick" : nil }
        #expect(type("/set highlight deploy, lunch") == "highlight = deploy, lunch (saved)")
        #expect(controller.highlightWords == ["deploy", "lunch"], "at once")
        #expect(type("/set notify osc9") == "notify = osc9 (saved)")
        #expect(controller.alertStyle == .osc9)
        #expect(type("/set nick zed") == "nick = zed (saved; from the next start)")
        #expect(type("/set nick 1bad") == "/set: '1bad' is not a valid nick")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "highlight deploy\nhighlight lunch\nnotify osc9\nnick zed\n",
                "the refused change was not written")
        #expect(type("/set nick") == "nick = zed")
        #expect(type("/set colour red")?.hasPrefix("/set: no setting colour (settings: server, nick,") == true)
        #expect(type("/set no-log maybe") == "/set: no-log is on or off")
        #expect(type("/unset highlight") == "highlight (not set) (saved)")
        #expect(controller.highlightWords == [])
        // Words from this run's command line stay: /set changes client.conf's.
        controller.commandLineHighlightWords = ["pager"]
        #expect(type("/set highlight deploy") == "highlight = deploy (saved)")
        #expect(controller.highlightWords == ["deploy", "pager"])
        _ = type("/unset highlight")
        _ = type("/set")
        let listed = controller.view.activeBuffer.lines.elements.suffix(ClientSettings.settings.count + 1).map(\.text)
        #expect(listed.first == "Settings (\(path)):")
        #expect(listed.contains("  nick = zed"))
        #expect(listed.contains("  highlight (not set)"))
        // Beside an unset setting, what this run uses.
        controller.settingsInEffect = ["notify": ["bell"], "highlight": [], "channel": ["#a", "#b"]]
        _ = type("/unset notify")
        _ = type("/set")
        let inEffect = controller.view.activeBuffer.lines.elements.suffix(ClientSettings.settings.count).map(\.text)
        #expect(inEffect.contains("  notify (not set; now bell)") && inEffect.contains("  highlight (not set; now none)")
                && inEffect.contains("  channel (not set; now #a, #b)"), "\(inEffect)")
    }

    @Test func aBoundKeyRunsItsCommandAndBindSavesIt() throws {
        let directory = NSTemporaryDirectory() + "chatty-bind-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        let path = directory + "/client.conf"
        controller.settingsPath = path
        func type(_ text: String) -> String? {
            for character in text { _ = controller.handle(.character(character), now: now) }
            _ = controller.handle(.enter, now: now)
            return controller.view.activeBuffer.lines.last?.text
        }
        // From the command line (client.conf): F5 asks for the names of the channel in view.
        controller.keyBindings = [try KeyBinding(parsing: "f5 /names")]
        #expect(controller.handle(.function(5), now: now) == [.names(channel: "#chatty")])
        #expect(controller.view.editor.text.isEmpty, "nothing was typed")
        // /bind binds and saves; the key then does it.
        #expect(type("/bind alt-j /join #ops") == "alt-j /join #ops (saved)")
        #expect(controller.handle(.alt("j"), now: now) == [.join(channel: "#ops", key: nil)])
        #expect(type("/bind alt-j /join #dev") == "alt-j /join #dev (saved)", "a key has one binding")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "bind alt-j /join #dev\n")
        #expect(type("/bind alt-j") == "alt-j /join #dev")
        #expect(type("/bind hyper-j /x")?.hasPrefix("/bind: unknown key \"hyper-j\"") == true)
        #expect(type("/set bind alt-k /close") == "/set: bind is changed with /bind")
        _ = type("/bind")
        #expect(controller.view.activeBuffer.lines.elements.suffix(3).map(\.text) == ["Key bindings:", "  f5 /names", "  alt-j /join #dev"])
        // While the help is shown a key is the help's.
        controller.view.toggleHelp()
        #expect(controller.handle(.alt("j"), now: now) == [])
        controller.view.toggleHelp()
        #expect(type("/unbind alt-j") == "alt-j is no longer bound (saved)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "")
        #expect(type("/unbind alt-j") == "/unbind: alt-j is not bound")
        #expect(controller.handle(.alt("j"), now: now) != [.join(channel: "#dev", key: nil)])
    }

    @Test func theReadmesSetExampleLeavesTheSettingsItSays() throws {
        let directory = NSTemporaryDirectory() + "chatty-set-readme-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var controller = ChatController(server: "srv", nick: "me")
        joined(&controller)
        controller.settingsPath = directory + "/client.conf"
        let example = try Readme.load().block(firstLine: "/set highlight deploy, outage")
        for line in example.lines where !line.isEmpty {
            for character in line { _ = controller.handle(.character(character), now: now) }
            _ = controller.handle(.enter, now: now)
            #expect(controller.view.activeBuffer.lines.last?.kind != .error, "\(line): \(controller.view.activeBuffer.lines.last?.text ?? "")")
        }
        #expect(try String(contentsOfFile: directory + "/client.conf", encoding: .utf8)
            == "highlight deploy\nhighlight outage\nnotify osc777\nchannel #chatty\nchannel #ops\n")
        #expect(controller.highlightWords == ["deploy", "outage"])
        #expect(controller.alertStyle == .osc777)
    }
}
