import Testing
@testable import ChatCore

/// WHO as the Modern IRC document specifies it (the cases of the public conformance suite).
@Suite struct ServerStateWhoTests {
    /// coolNick (operator of #chan) and otherNick, both in #chan.
    static func twoInAChannel() -> (ServerHarness, cool: ClientID, other: ClientID) {
        var server = ServerHarness(configuration: ServerConfiguration(motd: [], operators: ["operuser": "operpassword"]))
        let cool = server.connect()
        server.send(cool, "NICK coolNick")
        server.send(cool, "USER myusernam 0 * :My UniqueReal Name")
        server.send(cool, "JOIN #chan")
        let other = server.register("otherNick")
        server.send(other, "JOIN #chan")
        _ = server.take(cool)
        _ = server.take(other)
        return (server, cool, other)
    }

    @Test func whoStarListsEveryVisibleUser() {
        var (server, _, other) = Self.twoInAChannel()
        server.send(other, "WHO *")
        let got = server.takeMessages(other)
        #expect(got.map(\.command) == ["352", "352", "315"])
        #expect(Set(got.prefix(2).map { $0.parameters[5] }) == ["coolNick", "otherNick"])
        let cool = got.first { $0.parameters[5] == "coolNick" }!
        #expect(cool.parameters == ["otherNick", "#chan", "myusernam", "127.0.0.1", "chatty.local", "coolNick", "H@",
                                    "0 My UniqueReal Name"])
        #expect(got.last?.parameters.prefix(2) == ["otherNick", "*"])
    }

    @Test(arguments: ["coolNick", "coolnick", "coolni*", "*UniqueReal*", "myuser?am"])
    func whoANickOrMaskNamesTheUser(mask: String) {
        var (server, _, other) = Self.twoInAChannel()
        server.send(other, "WHO \(mask)")
        let got = server.takeMessages(other)
        #expect(got.map(\.command) == ["352", "315"])
        #expect(got.first?.parameters[5] == "coolNick")
        #expect(got.first?.parameters[6] == "H@")
        #expect(got.last?.parameters[1] == mask)
    }

    @Test func flagsShowAwayAndOperator() {
        var (server, cool, other) = Self.twoInAChannel()
        server.send(cool, "AWAY :be right back")
        server.send(cool, "OPER operuser operpassword")
        _ = server.take(cool)
        server.send(other, "WHO coolNick")
        #expect(server.takeMessages(other).first?.parameters[6] == "G*@")
        server.send(other, "WHO #CHAN")
        let channel = server.takeMessages(other)
        #expect(channel.map(\.command) == ["352", "352", "315"])
        #expect(channel.last?.parameters[1] == "#CHAN")
        server.send(other, "WHO * o")
        #expect(server.takeMessages(other).map { $0.command == "352" ? $0.parameters[5] : $0.command } == ["coolNick", "315"])
    }

    @Test func invisibleUsersAreListedOnlyToThoseSharingAChannel() {
        var (server, cool, other) = Self.twoInAChannel()
        server.send(cool, "MODE coolNick +i")
        let stranger = server.register("stranger")
        _ = server.take(cool)
        // A mask and a channel hide the invisible user from someone outside the channel …
        server.send(stranger, "WHO *")
        #expect(server.takeMessages(stranger).compactMap { $0.command == "352" ? $0.parameters[5] : nil }.sorted()
                == ["otherNick", "stranger"])
        server.send(stranger, "WHO #chan")
        #expect(server.takeMessages(stranger).compactMap { $0.command == "352" ? $0.parameters[5] : nil } == ["otherNick"])
        // … but not from one who shares it, and an exact nick always answers.
        server.send(other, "WHO *")
        #expect(server.takeMessages(other).filter { $0.command == "352" }.count == 3)
        server.send(stranger, "WHO coolNick")
        #expect(server.commands(stranger) == ["352", "315"])
    }

    @Test func anUnknownNickGetsOnlyTheEnd() {
        var (server, _, other) = Self.twoInAChannel()
        server.send(other, "WHO idontexist")
        #expect(server.takeMessages(other).map(\.command) == ["315"])
    }

    @Test func whoxFieldsComeInTheirFixedOrderWhateverTheRequest() throws {
        var (server, _, other) = Self.twoInAChannel()
        for fields in ["%tcuihsnfdlaor,123", "%" + String("tcuihsnfdlaor".reversed()) + ",123"] {
            server.send(other, "WHO coolNick \(fields)")
            let got = server.takeMessages(other)
            let reply = try #require(got.first)
            #expect(reply.command == "354")
            #expect(reply.parameters == ["otherNick", "123", "#chan", "myusernam", "127.0.0.1", "127.0.0.1", "chatty.local",
                                         "coolNick", "H@", "0", "0", "0", "n/a", "My UniqueReal Name"])
        }
        server.send(other, "WHO coolNick %tn,321")
        #expect(server.takeMessages(other).first?.parameters == ["otherNick", "321", "coolNick"])
    }
}
