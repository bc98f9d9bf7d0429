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
