import ChatCore
import ChattyTestSupport
import Testing

@testable import ChatServer

/// Every IRCv3 extension and channel list across three linked servers on loopback: what a client
/// on one server does, a client on the farthest server sees.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FederationExtensionsLiveTests {
    static let caps = ["message-tags", "echo-message", "batch", "away-notify", "setname", "chghost", "invite-notify",
                       "draft/multiline", "draft/message-redaction", "extended-monitor"]

    @Test func extensionsSpanThreeServers() async throws {
        let network = try await TestNetwork.start(["a.chatty", "b.chatty", "c.chatty"])
        try await network.waitForFullMesh()
        let alice = try await TestIRCClient.connect(port: network.ports[0], name: "alice")
        try await alice.register("alice", caps: Self.caps)
        let carol = try await TestIRCClient.connect(port: network.ports[2], name: "carol")
        try await carol.register("carol", caps: Self.caps)
        let watcher = try await TestIRCClient.connect(port: network.ports[1], name: "watcher")
        try await watcher.register("watcher", caps: ["extended-monitor", "away-notify"])
        try await watcher.send("MONITOR + alice,ghost")
        try await watcher.expect { $0.command == "730" && $0.parameters.last?.hasPrefix("alice!") == true }
        try await watcher.expect { $0.command == "731" && $0.parameters.last == "ghost" }
        try await alice.send("JOIN #x")
        try await alice.expect { $0.command == "366" }
        try await carol.send("JOIN #x")
        try await alice.expect { $0.command == "JOIN" && $0.sourceNick == "carol" }

        // away-notify (also to a MONITOR watcher with extended-monitor), setname, bot mode.
        try await alice.send("AWAY :lunch")
        #expect(try await carol.expect { $0.command == "AWAY" }.parameters == ["lunch"])
        #expect(try await watcher.expect { $0.command == "AWAY" }.sourceNick == "alice")
        try await alice.send("SETNAME :Alice Liddell")
        #expect(try await carol.expect { $0.command == "SETNAME" }.parameters == ["Alice Liddell"])
        try await alice.send("MODE alice +B")
        try await alice.send("PRIVMSG #x :beep")
        let beep = try await carol.expect { $0.command == "PRIVMSG" }
        #expect(beep.tags.contains { $0.key == "bot" })

        // draft/multiline arrives as a batch, and REDACT takes the message back everywhere.
        try await alice.send("BATCH +m1 draft/multiline #x")
        try await alice.send("@batch=m1 PRIVMSG #x :line one")
        try await alice.send("@batch=m1 PRIVMSG #x :line two")
        try await alice.send("BATCH -m1")
        let start = try await carol.expect { $0.command == "BATCH" && $0.parameters.first?.hasPrefix("+") == true }
        #expect(start.parameters.dropFirst().first == "draft/multiline")
        let msgid = try #require(start.tag("msgid"))
        #expect(try await carol.expect { $0.command == "PRIVMSG" }.parameters == ["#x", "line one"])
        #expect(try await carol.expect { $0.command == "PRIVMSG" }.parameters == ["#x", "line two"])
        try await alice.send("REDACT #x \(msgid) :wrong channel")
        #expect(try await carol.expect { $0.command == "REDACT" }.parameters == ["#x", msgid, "wrong channel"])

        // invite-notify, bans.
        let dave = try await TestIRCClient.connect(port: network.ports[2], name: "dave")
        try await dave.register("dave", caps: [])
        try await alice.send("MODE #x +b dave")
        try await carol.expect { $0.command == "MODE" && $0.parameters.contains("dave!*@*") }
        try await dave.send("JOIN #x")
        #expect(try await dave.expect { $0.command == "474" || $0.command == "JOIN" }.command == "474")
        try await alice.send("INVITE dave #x")
        #expect(try await carol.expect { $0.command == "INVITE" }.parameters == ["dave", "#x"])
        try await dave.expect { $0.command == "INVITE" }

        // MONITOR sees a quit two servers away.
        try await alice.send("QUIT :bye")
        try await watcher.expect { $0.command == "731" && $0.parameters.last == "alice" }
        await network.shutdown()
    }
}
