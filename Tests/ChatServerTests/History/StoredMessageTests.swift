import ChatCore
import Testing

@testable import ChatServer

@Suite struct StoredMessageTests {
    private func roundTrip(_ message: IRCMessage, text: String, omittingText: Bool) -> IRCMessage? {
        var bytes: [UInt8] = []
        StoredMessage.encode(message, omittingText: omittingText, into: &bytes)
        return bytes.withUnsafeBytes { StoredMessage.decode($0, text: text) }
    }

    @Test func messagesComeBackAsTheyWere() {
        let privmsg = IRCMessage(tags: [.init("time", "2026-12-06T12:00:00.000Z"), .init("msgid", "x-1"),
                                        .init("+draft/reply", "a;b c\\d"), .init("bot")],
                                 source: "nick!user@host", command: "PRIVMSG", parameters: ["#c", "héllo 👍🏽 :-) ; ok"])
        #expect(roundTrip(privmsg, text: "héllo 👍🏽 :-) ; ok", omittingText: true) == privmsg)
        #expect(roundTrip(privmsg, text: "ignored", omittingText: false) == privmsg)
        let tagmsg = IRCMessage(tags: [.init("+typing", "active")], source: "a!b@c", command: "TAGMSG", parameters: ["#c"])
        #expect(roundTrip(tagmsg, text: "", omittingText: false) == tagmsg)
        let bare = IRCMessage(command: "QUIT")
        #expect(roundTrip(bare, text: "", omittingText: true) == bare, "no parameter to leave out")
        let empty = IRCMessage(source: "s", command: "TOPIC", parameters: ["#c", ""])
        #expect(roundTrip(empty, text: "", omittingText: true) == empty)
    }

    @Test func aDamagedBodyIsRefusedNotMisread() {
        var bytes: [UInt8] = []
        StoredMessage.encode(IRCMessage(source: "a!b@c", command: "PRIVMSG", parameters: ["#c", "hi"]), omittingText: true,
                             into: &bytes)
        for length in 0..<bytes.count {
            #expect(bytes.prefix(length).withUnsafeBytes { StoredMessage.decode($0, text: "hi") } == nil, "cut at \(length)")
        }
        var otherVersion = bytes
        otherVersion[0] = 2
        #expect(otherVersion.withUnsafeBytes { StoredMessage.decode($0, text: "hi") } == nil)
    }

    @Test func aBatchKeepsEveryColumnOfItsRows() {
        let message = IRCMessage(tags: [.init("msgid", "m7")], source: "Bob!u@h", command: "NOTICE", parameters: ["#c", "text"])
        let tagmsg = IRCMessage(tags: [.init("msgid", "m8")], source: "srv", command: "TAGMSG", parameters: ["#c"])
        let batch = HistoryRowBatch([HistoryRecord(conversation: "#c", time: Timestamp(millisecondsSinceEpoch: 5), message: message),
                                     HistoryRecord(conversation: "#c", time: Timestamp(millisecondsSinceEpoch: 6), message: tagmsg)])
        func text(_ range: Range<Int>) -> String { String(decoding: batch.bytes[range], as: UTF8.self) }
        let rows = batch.rows
        #expect(rows.map { text($0.conversation) } == ["#c", "#c"])
        #expect(rows.map { text($0.msgid) } == ["m7", "m8"])
        #expect(rows.map { text($0.sender) } == ["Bob", "srv"], "the nick, or a server's whole name")
        #expect(rows.map { text($0.command) } == ["NOTICE", "TAGMSG"])
        #expect(rows.map { text($0.text) } == ["text", ""])
        #expect(rows.map(\.time) == [5, 6])
        let decoded = batch.bytes[rows[0].body].withUnsafeBytes { StoredMessage.decode($0, text: "text") }
        #expect(decoded == message)
    }
}
