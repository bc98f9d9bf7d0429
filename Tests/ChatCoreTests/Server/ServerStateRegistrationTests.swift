import Testing

@testable import ChatCore

@Suite struct ServerStateRegistrationTests {
    @Test func welcomeBurst() {
        var server = ServerHarness()
        let client = server.connect()
        server.send(client, "NICK dani")
        #expect(server.take(client).isEmpty)
        server.send(client, "USER dani 0 * :Dani Real")
        let lines = server.take(client)
        #expect(lines.first == ":chatty.local 001 dani :Welcome to the Chatty IRC Network dani!dani@127.0.0.1")
        let numerics = lines.map { $0.split(separator: " ")[1] }
        #expect(Array(numerics.prefix(5)) == ["001", "002", "003", "004", "005"])
        #expect(numerics.contains("251"))
        #expect(Array(numerics.suffix(3)) == ["375", "372", "376"])
        let isupport = lines.filter { $0.contains(" 005 ") }.joined(separator: " ")
        for token in ["CASEMAPPING=ascii", "CHANTYPES=#", "NICKLEN=30", "CHANNELLEN=50", "TOPICLEN=390", "NETWORK=Chatty", "PREFIX=(ov)@+"] {
            #expect(isupport.contains(token), "missing \(token)")
        }
        #expect(server.registered == [client])
    }

    @Test func noMotdAnswers422() {
        var server = ServerHarness(configuration: ServerConfiguration(motd: nil))
        let client = server.connect()
        server.send(client, "NICK a")
        server.send(client, "USER a 0 * :A")
        #expect(server.take(client).last == ":chatty.local 422 a :MOTD File is missing")
    }

    @Test func capNegotiation() {
        var server = ServerHarness()
        let client = server.connect()
        server.send(client, "CAP LS 302")
        #expect(server.take(client) == [":chatty.local CAP * LS :away-notify batch cap-notify chghost draft/message-redaction "
                                        + "draft/multiline=max-bytes=4096,max-lines=100 draft/no-implicit-names echo-message "
                                        + "extended-monitor invite-notify labeled-response message-tags multi-prefix server-time "
                                        + "setname userhost-in-names"])
        server.send(client, "NICK a")
        server.send(client, "USER a 0 * :A")
        #expect(server.take(client).isEmpty, "registration waits for CAP END")
        server.send(client, "CAP REQ :server-time echo-message")
        #expect(server.take(client) == [":chatty.local CAP a ACK :server-time echo-message"])
        server.send(client, "CAP REQ :server-time bogus")
        #expect(server.take(client) == [":chatty.local CAP a NAK :server-time bogus"])
        server.send(client, "CAP LIST")
        // cap-notify comes with CAP LS 302.
        #expect(server.take(client) == [":chatty.local CAP a LIST :cap-notify echo-message server-time"])
        server.send(client, "CAP END")
        #expect(server.take(client).first?.contains(" 001 a ") == true)
        #expect(server.state.client(client)?.capabilities == [.serverTime, .echoMessage, .capNotify])
        server.send(client, "CAP REQ :-echo-message")
        #expect(server.state.client(client)?.capabilities == [.serverTime, .capNotify])
    }

    @Test func passwordRequired() {
        var server = ServerHarness(configuration: ServerConfiguration(password: "sesame"))
        let good = server.connect()
        server.send(good, "PASS sesame")
        server.send(good, "NICK good")
        server.send(good, "USER g 0 * :G")
        #expect(server.take(good).first?.contains(" 001 ") == true)

        let bad = server.connect()
        server.send(bad, "PASS wrong")
        server.send(bad, "NICK bad")
        server.send(bad, "USER b 0 * :B")
        #expect(server.take(bad) == [":chatty.local 464 bad :Password incorrect"])
        #expect(server.closed[bad] == "Bad password")
        #expect(server.state.clientID(nick: "bad") == nil)
    }

    @Test func nickErrors() {
        var server = ServerHarness()
        _ = server.register("Dani")
        let other = server.connect()
        server.send(other, "NICK dANI")
        #expect(server.take(other) == [":chatty.local 433 * dANI :Nickname is already in use"])
        server.send(other, "NICK 9lives")
        #expect(server.take(other) == [":chatty.local 432 * 9lives :Erroneous nickname"])
        server.send(other, "NICK " + String(repeating: "n", count: 31))
        #expect(server.take(other).first?.contains(" 432 ") == true)
        server.send(other, "NICK")
        #expect(server.take(other) == [":chatty.local 431 * :No nickname given"])
    }

    @Test func commandsBeforeRegistration() {
        var server = ServerHarness()
        let client = server.connect()
        server.send(client, "JOIN #chatty")
        #expect(server.take(client) == [":chatty.local 451 * :You have not registered"])
        server.send(client, "PING abc")
        #expect(server.take(client) == [":chatty.local PONG chatty.local :abc"])
    }

    @Test func reregistrationRefused() {
        var server = ServerHarness()
        let client = server.register("a")
        server.send(client, "USER x 0 * :y")
        #expect(server.take(client) == [":chatty.local 462 a :You may not reregister"])
    }

    @Test func unknownCommandAndMissingParams() {
        var server = ServerHarness()
        let client = server.register("a")
        server.send(client, "FROB x")
        #expect(server.take(client) == [":chatty.local 421 a FROB :Unknown command"])
        server.send(client, "JOIN")
        #expect(server.take(client) == [":chatty.local 461 a JOIN :Not enough parameters"])
        server.send(client, "KICK #c")
        #expect(server.take(client) == [":chatty.local 461 a KICK :Not enough parameters"])
    }

    @Test func garbageGetsClearErrors() {
        var server = ServerHarness()
        let client = server.register("a")
        server.send(client, ":only-a-source")
        #expect(server.take(client) == [":chatty.local FAIL * INVALID_MESSAGE :Malformed message: missing command"])
        server.route(server.state.invalidLineReceived(.lineTooLong, from: client))
        #expect(server.take(client) == [":chatty.local 417 a :Input line was too long"])
        server.route(server.state.invalidLineReceived(.invalidUTF8, from: client))
        #expect(server.take(client).first?.hasPrefix(":chatty.local FAIL * INVALID_UTF8") == true)
        #expect(server.state.client(client)?.isRegistered == true)
    }

    @Test func idsAreReusedOnlyAfterDisconnect() {
        var server = ServerHarness()
        let a = server.register("a")
        server.send(a, "QUIT :bye")
        #expect(server.closed[a] == "Quit: bye")
        let b = server.connect()
        #expect(b != a, "a quitting client keeps its id until the connection is gone")
        server.disconnect(a)
        #expect(server.connect() == a)
    }
}

/// Conformance details from the server test suite (issue 13).
@Suite struct ServerStateConformanceTests {
    @Test func userWithAnEmptyRealNameIsMissingAParameter() {
        var server = ServerHarness()
        let client = server.connect()
        server.send(client, "NICK ann")
        server.send(client, "USER ann 0 * :")
        #expect(server.take(client) == [":chatty.local 461 ann USER :Not enough parameters"])
        #expect(!server.registered.contains(client))
    }

    @Test func givingModesToANickThatDoesNotExistIsNoSuchNick() {
        var server = ServerHarness()
        let op = server.register("op")
        server.send(op, "JOIN #c")
        let other = server.register("other")
        _ = server.take(op)
        server.send(op, "MODE #c +o nobody")
        #expect(server.take(op) == [":chatty.local 401 op nobody :No such nick/channel"])
        server.send(op, "MODE #c +o other")
        #expect(server.take(op) == [":chatty.local 441 op other #c :They aren't on that channel"])
        _ = other
    }

    @Test func isupportHasNoEmptyTokensAndStaysSorted() {
        var configuration = ServerConfiguration()
        configuration.historyLimit = 100
        let tokens = ServerState(configuration: configuration, now: Timestamp(millisecondsSinceEpoch: 0)).isupportTokens
        #expect(!tokens.contains { $0.hasSuffix("=") }, "\(tokens)")
        #expect(tokens == tokens.sorted(), "\(tokens)")
    }
}
