import Testing
@testable import ChatCore

/// WHOWAS, TIME, INFO, HELP, LINKS and LUSERS, as the RFCs and the Modern document describe them.
@Suite struct ServerStateInformationTests {
    static func quitter(_ server: inout ServerHarness, nick: String, user: String) {
        let client = server.connect()
        server.send(client, "NICK \(nick)")
        server.send(client, "USER \(user) 0 * :Realname")
        server.send(client, "QUIT :bye")
        server.disconnect(client)
    }

    @Test func whowasListsTheLatestUsersOfANickFirst() {
        var server = ServerHarness()
        let asker = server.register("nick1")
        Self.quitter(&server, nick: "nick2", user: "ident2")
        Self.quitter(&server, nick: "nick2", user: "ident3")
        for command in ["WHOWAS nick2", "WHOWAS nick2 0", "WHOWAS nick2 -1", "WHOWAS NICK2 2", "WHOWAS *ck2"] {
            server.send(asker, command)
            let got = server.takeMessages(asker)
            #expect(got.map(\.command) == ["314", "312", "314", "312", "369"], "\(command)")
            #expect(got[0].parameters == ["nick1", "nick2", "ident3", "127.0.0.1", "*", "Realname"])
            #expect(got[1].parameters.prefix(3) == ["nick1", "nick2", "chatty.local"])
            #expect(got[2].parameters[2] == "ident2")
        }
        server.send(asker, "WHOWAS nick2 1")
        #expect(server.commands(asker) == ["314", "312", "369"])
    }

    @Test func whowasRemembersNickChangesAndSaysWhenItKnowsNothing() {
        var server = ServerHarness()
        let asker = server.register("nick1")
        let changer = server.register("old")
        server.send(changer, "NICK new")
        server.send(asker, "WHOWAS old")
        #expect(server.takeMessages(asker).first?.parameters[1] == "old")
        server.send(asker, "WHOWAS nobody")
        let none = server.takeMessages(asker)
        #expect(none.map(\.command) == ["406", "369"])
        #expect(none.map { $0.parameters[1] } == ["nobody", "nobody"])
        server.send(asker, "WHOWAS")
        #expect(server.commands(asker) == ["431"])
    }

    @Test func nickHistoryIsBounded() {
        var history = NickHistory(capacity: 3)
        for index in 0..<5 {
            history.remember(.init(nick: "n", user: "u\(index)", host: "h", realName: "r", server: "s",
                                   time: Timestamp(millisecondsSinceEpoch: Int64(index))))
        }
        #expect(history.count == 3)
        #expect(history.lookup("N", count: 0).map(\.user) == ["u4", "u3", "u2"])
    }

    @Test func timeInfoAndHelpAnswer() {
        var server = ServerHarness()
        let client = server.register("alice")
        server.send(client, "TIME")
        let time = server.takeMessages(client)
        #expect(time.map(\.command) == ["391"])
        #expect(time.first?.parameters.prefix(3) == ["alice", "chatty.local", String(server.now.secondsSinceEpoch)])
        server.send(client, "INFO")
        let info = server.commands(client)
        #expect(info.last == "374" && info.dropLast().allSatisfy { $0 == "371" } && info.count > 1)
        server.send(client, "HELP")
        let index = server.commands(client)
        #expect(index.first == "704" && index.last == "706" && index.contains("705"))
        server.send(client, "HELPOP privmsg")
        let privmsg = server.takeMessages(client)
        #expect(privmsg.first?.parameters.prefix(2) == ["alice", "privmsg"])
        #expect(privmsg.map(\.command).last == "706")
        server.send(client, "HELP nosuchthing")
        #expect(server.commands(client) == ["524"])
    }

    @Test func everyCommandTheServerKnowsHasHelp() {
        for command in ["AWAY", "INVITE", "JOIN", "KICK", "KILL", "LIST", "MODE", "NAMES", "NICK", "NOTICE", "OPER", "PART",
                        "PRIVMSG", "QUIT", "TOPIC", "WALLOPS", "WHO", "WHOIS", "WHOWAS", "TIME", "INFO", "HELP"] {
            #expect(ServerHelp.topic(command) != nil, "\(command)")
        }
    }

    @Test func linksAndVersionShowTheDescription() {
        var configuration = ServerConfiguration(motd: [])
        configuration.description = "The test server"
        var server = ServerHarness(configuration: configuration)
        let client = server.register("alice")
        server.send(client, "LINKS")
        #expect(server.take(client).first == ":chatty.local 364 alice chatty.local chatty.local :0 The test server")
        server.send(client, "VERSION")
        #expect(server.takeMessages(client).first?.parameters.last == "The test server")
    }

    @Test func lusersForgetsClientsThatQuitBeforeTheirConnectionCloses() {
        var server = ServerHarness()
        let stays = server.register("stays")
        let leaves = server.register("leaves")
        server.send(leaves, "QUIT :bye")
        // The connection is still open (the I/O layer closes it after the ERROR).
        server.send(stays, "LUSERS")
        let lusers = server.takeMessages(stays)
        #expect(lusers.first { $0.command == "253" }?.parameters[1] == "0")
        #expect(lusers.first { $0.command == "251" }?.parameters.last == "There are 1 users and 0 invisible on 1 servers")
        server.disconnect(leaves)
        #expect(server.state.connectionCount == 1)
    }
}
