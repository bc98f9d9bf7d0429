import Testing

@testable import ChatCore

@Suite struct MessageTranslatorTests {
    let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)
    let translator = MessageTranslator(ownNick: "Me[1]", serverSupport: ServerSupport(), versionReply: "Chatty test")

    private func irc(_ line: String) -> IRCMessage { try! IRCMessage.parse(line) }

    @Test func channelMessageKeepsServerTimeAndMsgid() {
        let actions = translator.chat(irc("@time=2026-12-02T10:00:00.000Z;msgid=abc :bob!b@h PRIVMSG #chatty :hi"), now: now)
        guard case .emit(.message(let message)) = actions.first, actions.count == 1 else {
            Issue.record("expected one message, got \(actions)")
            return
        }
        #expect(message.conversation == .channel("#chatty"))
        #expect(message.msgid == "abc")
        #expect(message.time == ServerTime.parse("2026-12-02T10:00:00.000Z"))
        #expect(!message.isOwn)
    }

    @Test func ownEchoIsRecognisedWithTheCaseMapping() {
        // RFC 1459: `{}` are the lower case of `[]`.
        let actions = translator.chat(irc(":me{1}!u@h PRIVMSG bob :hello"), now: now)
        guard case .emit(.message(let message)) = actions.first else {
            Issue.record("expected a message, got \(actions)")
            return
        }
        #expect(message.isOwn)
        #expect(message.conversation == .privateChat("bob"))
    }

    @Test func ctcpVersionIsAnsweredAndReported() {
        let actions = translator.chat(irc(":bob!b@h PRIVMSG Me[1] :\u{01}VERSION\u{01}"), now: now)
        #expect(actions == [
            .emit(.ctcpRequest(from: "bob", command: "VERSION", argument: "")),
            .send(IRCMessage("NOTICE", "bob", "\u{01}VERSION Chatty test\u{01}")),
        ])
    }

    @Test func serverNoticeGoesToTheServerBuffer() {
        let actions = translator.chat(irc(":irc.example NOTICE * :*** Looking up your hostname"), now: now)
        guard case .emit(.notice(let message)) = actions.first else {
            Issue.record("expected a notice, got \(actions)")
            return
        }
        #expect(message.conversation == .server)
    }

    @Test func numericsAreErrorsOrInformation() {
        #expect(translator.generic(irc(":srv 401 Me[1] nobody :No such nick"), now: now)
            == [.emit(.numericError(code: 401, text: "nobody: No such nick"))])
        #expect(translator.generic(irc(":srv 372 Me[1] :- hello"), now: now)
            == [.emit(.serverInfo(code: 372, text: "- hello"))])
        #expect(translator.generic(irc(":srv 422 Me[1] :MOTD File is missing"), now: now)
            == [.emit(.serverInfo(code: 422, text: "MOTD File is missing"))], "no MOTD is not an error")
        #expect(translator.generic(irc(":srv FOO bar"), now: now) == [.emit(.serverInfo(code: nil, text: ":srv FOO :bar"))])
    }
}

/// Numerics as the user reads them (WHOIS as WeeChat shows it; values before words).
@Suite struct NumericTextTests {
    func text(_ line: String) -> String {
        MessageTranslator.numericText(try! IRCMessage.parse(line))
    }

    @Test func whoisReadsAsABlockAboutTheNick() {
        #expect(text(":s 311 me bob b 127.0.0.1 * :Bob B") == "[bob] (b@127.0.0.1): Bob B")
        #expect(text(":s 319 me bob :@#chatty #other") == "[bob] @#chatty #other")
        #expect(text(":s 312 me bob chatty.local :Chatty") == "[bob] chatty.local (Chatty)")
        #expect(text(":s 330 me bob bobby :is logged in as") == "[bob] is logged in as bobby")
        #expect(text(":s 671 me bob :is using a secure connection") == "[bob] is using a secure connection")
        #expect(text(":s 317 me bob 3725 1796186326 :seconds idle, signon time")
            == "[bob] idle: 1h 2m 5s, signon: " + Timestamp(millisecondsSinceEpoch: 1_796_186_326_000).iso8601)
        #expect(text(":s 318 me bob :End of /WHOIS list") == "[bob] End of WHOIS")
    }

    @Test func awayWhoWhowasAndListReadAsWeeChatShowsThem() {
        #expect(text(":s 301 me bob :gone fishing") == "[bob] is away: gone fishing")
        #expect(text(":s 352 me #c b 127.0.0.1 chatty.local bob G@ :0 Bob B") == "[#c] bob (b@127.0.0.1) G@ 0 Bob B")
        #expect(text(":s 315 me #c :End of WHO list") == "[#c] End of WHO list")
        #expect(text(":s 314 me bob b 127.0.0.1 * :Bob B") == "[bob] was (b@127.0.0.1): Bob B")
        #expect(text(":s 321 me Channel :Users Name") == "Channel                   Users  Topic")
        #expect(text(":s 322 me #chatty 12 :[+nt] the topic") == "#chatty" + String(repeating: " ", count: 17) + "     12  [+nt] the topic")
        #expect(text(":s 323 me :End of /LIST") == "End of /LIST")
    }

    @Test func channelModesAndMaskListsReadAsSentences() {
        #expect(text(":s 324 me #ops +mnt") == "#ops modes: +mnt")
        #expect(text(":s 324 me #ops +ntk secret") == "#ops modes: +ntk secret")
        #expect(text(":s 329 me #ops 1796585881") == "#ops created 2026-12-06 19:38:01 UTC")
        #expect(text(":s 367 me #ops bob!*@* alice!a@h 1796585924") == "#ops ban: bob!*@* set by alice!a@h on 2026-12-06 19:38:44 UTC")
        #expect(text(":s 367 me #ops bob!*@*") == "#ops ban: bob!*@*", "without who and when")
        #expect(text(":s 348 me #ops *!*@trusted alice 1796585924") == "#ops ban exception: *!*@trusted set by alice on 2026-12-06 19:38:44 UTC")
        #expect(text(":s 346 me #ops *!*@friends alice x") == "#ops invite exception: *!*@friends set by alice on x")
        #expect(text(":s 368 me #ops :End of channel ban list") == "#ops: End of channel ban list")
        #expect(text(":s 341 me bobby #crowd") == "Invited bobby to #crowd")
    }

    @Test func countsAndTokensComeBeforeTheirWords() {
        #expect(text(":s 252 me 0 :operator(s) online") == "0 operator(s) online")
        #expect(text(":s 005 me NICKLEN=30 UTF8ONLY :are supported by this server") == "NICKLEN=30 UTF8ONLY are supported by this server")
        #expect(text(":s 401 me nobody :No such nick/channel") == "nobody: No such nick/channel")
        #expect(text(":s 265 me 2 2 :Current local users 2, max 2") == "Current local users 2, max 2")
        #expect(text(":s 266 me 7 9 :Current global users") == "Current global users: 7 (max 9)")
    }
}
