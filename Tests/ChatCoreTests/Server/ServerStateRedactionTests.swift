import Testing
@testable import ChatCore

/// `draft/message-redaction`: who may take a message back, who hears of it, and the history.
@Suite struct ServerStateRedactionTests {
    static func channel() -> (ServerHarness, op: ClientID, alice: ClientID, plain: ClientID) {
        var server = ServerHarness(configuration: ServerConfiguration(motd: [], historyLimit: 100))
        let op = server.register("op", caps: ["draft/message-redaction", "message-tags"])
        let alice = server.register("alice", caps: ["draft/message-redaction", "message-tags"])
        let plain = server.register("plain")
        for client in [op, alice, plain] { server.send(client, "JOIN #c") }
        for client in [op, alice, plain] { _ = server.take(client) }
        return (server, op, alice, plain)
    }

    @Test func theAuthorRedactsAndCapableMembersAreTold() throws {
        var (server, op, alice, plain) = Self.channel()
        server.send(alice, "PRIVMSG #c :oops")
        let msgid = try #require(server.takeMessages(op).first?.tag("msgid"))
        _ = server.take(plain)
        server.send(alice, "REDACT #c \(msgid) :typo")
        let expected = ":alice!alice@127.0.0.1 REDACT #c \(msgid) :typo"
        #expect(server.take(op) == [expected])
        #expect(server.take(alice) == [expected])
        #expect(server.take(plain).isEmpty)
        #expect(server.redacted.map(\.msgid) == [msgid])
        #expect(server.redacted.map(\.conversation) == ["#c"])
        server.send(alice, "REDACT #c \(msgid)")
        #expect(server.take(alice).first?.hasPrefix(":chatty.local FAIL REDACT UNKNOWN_MSGID #c \(msgid)") == true)
    }

    @Test func othersMayNotButTheChannelOperatorMay() throws {
        var (server, op, alice, plain) = Self.channel()
        server.send(op, "PRIVMSG #c :from the op")
        let opMessage = try #require(server.takeMessages(alice).first?.tag("msgid"))
        server.send(alice, "REDACT #c \(opMessage)")
        #expect(server.take(alice).first?.hasPrefix(":chatty.local FAIL REDACT REDACT_FORBIDDEN #c \(opMessage)") == true)
        server.send(plain, "PRIVMSG #c :spam")
        let spam = try #require(server.takeMessages(op).first?.tag("msgid"))
        _ = server.take(alice)
        server.send(op, "REDACT #c \(spam) :spam")
        #expect(server.take(alice) == [":op!op@127.0.0.1 REDACT #c \(spam) :spam"])
        _ = server.take(op)
        server.send(op, "REDACT #elsewhere \(spam)")
        #expect(server.take(op).first?.contains("FAIL REDACT INVALID_TARGET") == true)
    }

    @Test func aPrivateMessageIsRedactedForBothParticipants() throws {
        var (server, op, alice, _) = Self.channel()
        server.send(alice, "PRIVMSG op :secret")
        let msgid = try #require(server.takeMessages(op).first?.tag("msgid"))
        server.send(alice, "REDACT op \(msgid)")
        #expect(server.take(op) == [":alice!alice@127.0.0.1 REDACT op :\(msgid)"])
        #expect(server.redacted.map(\.conversation) == ["alice op"])
    }

    @Test func recentMessagesAreBounded() {
        var recent = RecentMessages(capacity: 2)
        for index in 0..<3 { recent.remember("m\(index)", .init(uid: "u", conversation: "#c")) }
        #expect(recent.sent("m0") == nil)
        #expect(recent.sent("m2")?.conversation == "#c")
        #expect(recent.count == 2)
    }

    @Test func aRedactionCrossesALink() throws {
        var a = ServerHarness(configuration: ServerConfiguration(name: "a.chatty", motd: nil, messageIDPrefix: "a-", federated: true,
                                                                 historyLimit: 100))
        var b = ServerHarness(configuration: ServerConfiguration(name: "b.chatty", motd: nil, messageIDPrefix: "b-", federated: true,
                                                                 historyLimit: 100))
        let alice = a.register("alice")
        let bob = b.register("bob", caps: ["draft/message-redaction"])
        a.send(alice, "JOIN #c")
        b.send(bob, "JOIN #c")
        for event in a.propagated { b.route(b.state.remoteEventReceived(event, from: "a.chatty", now: b.now)) }
        for event in b.propagated { a.route(a.state.remoteEventReceived(event, from: "b.chatty", now: a.now)) }
        let sent = a.propagated.count
        a.send(alice, "PRIVMSG #c :regret")
        a.send(alice, "REDACT #c \(try #require(a.propagated.last?.tag("msgid")))")
        _ = b.take(bob)
        for event in a.propagated.dropFirst(sent) { b.route(b.state.remoteEventReceived(event, from: "a.chatty", now: b.now)) }
        let got = b.takeMessages(bob)
        #expect(got.map(\.command) == ["PRIVMSG", "REDACT"])
        #expect(b.redacted.count == 1)
    }
}
