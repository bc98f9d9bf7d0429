import Testing
@testable import ChatCore

/// Accounts as the protocol core sees them: SASL PLAIN, REGISTER, owned nicks, WHOIS 330.
@Suite struct ServerStateAccountsTests {
    let credentials = AccountCredentials(salt: [1], iterations: 1, storedKey: Array(repeating: 1, count: 32),
                                         serverKey: Array(repeating: 2, count: 32))

    func harness(open: Bool = true) -> ServerHarness {
        var configuration = ServerConfiguration(motd: ["hello"])
        configuration.accounts = true
        configuration.registrationOpen = open
        configuration.nickGracePeriodMilliseconds = 5_000
        var server = ServerHarness(configuration: configuration)
        server.state.restore([Account(name: "Ann", credentials: credentials, registered: server.now)])
        return server
    }

    func plain(_ account: String, _ password: String) -> String { Base64.encode(Array("\0\(account)\0\(password)".utf8)) }

    /// Connects, negotiates `sasl` and sends `AUTHENTICATE PLAIN` with the payload.
    func authenticate(_ server: inout ServerHarness, nick: String, account: String, password: String) -> ClientID {
        let client = server.connect()
        server.send(client, "CAP LS 302")
        server.send(client, "CAP REQ :sasl")
        server.send(client, "NICK \(nick)")
        server.send(client, "USER u 0 * :U")
        _ = server.take(client)
        server.send(client, "AUTHENTICATE PLAIN")
        #expect(server.take(client) == ["AUTHENTICATE :+"])
        server.send(client, "AUTHENTICATE " + plain(account, password))
        return client
    }

    @Test func capLsOffersSaslPlainAndRegistrationOnlyWithAccounts() throws {
        var server = harness()
        let client = server.connect()
        server.send(client, "CAP LS 302")
        let list = try #require(server.take(client).first)
        #expect(list.contains(" sasl=EXTERNAL,PLAIN,SCRAM-SHA-256 ") && list.contains("draft/account-registration"), "\(list)")
        var plainServer = ServerHarness()
        let other = plainServer.connect()
        plainServer.send(other, "CAP LS 302")
        #expect(try #require(plainServer.take(other).first).contains("sasl") == false)
    }

    @Test func aGoodPasswordLogsInBeforeRegistrationEnds() throws {
        var server = harness()
        let client = authenticate(&server, nick: "ann", account: "ann", password: "right")
        let check = try #require(server.passwordChecks.last)
        #expect(check.account == "Ann" && check.password == "right" && check.purpose == .login(credentials))
        #expect(!"\(check)".contains("right"), "a check never prints the password")
        server.route(server.state.passwordChecked(check, valid: true, now: server.now))
        #expect(server.take(client) == [
            ":chatty.local 900 ann ann!*@127.0.0.1 Ann :You are now logged in as Ann",
            ":chatty.local 903 ann :SASL authentication successful",
        ])
        server.send(client, "CAP END")
        _ = server.take(client)
        server.send(client, "AUTHENTICATE PLAIN")
        #expect(server.take(client) == [":chatty.local 907 ann :You have already authenticated using SASL"])
        let other = server.register("bob")
        server.send(other, "WHOIS ann")
        #expect(server.take(other).contains(":chatty.local 330 bob ann Ann :is logged in as"))
    }

    @Test func wrongPasswordsFailAndTheThirdClosesTheConnection() throws {
        var server = harness()
        let client = authenticate(&server, nick: "ann", account: "ann", password: "wrong")
        for attempt in 1...3 {
            let check = try #require(server.passwordChecks.last)
            server.route(server.state.passwordChecked(check, valid: false, now: server.now))
            #expect(server.take(client).first == ":chatty.local 904 ann :SASL authentication failed")
            if attempt < 3 {
                server.send(client, "AUTHENTICATE PLAIN")
                _ = server.take(client)
                server.send(client, "AUTHENTICATE " + plain("ann", "wrong"))
            }
        }
        #expect(server.closed[client] == "Too many failed authentications")
        #expect(server.state.failedAuthentications == 3)
    }

    @Test func anUnknownAccountFailsWithoutACheckAndAnAddressIsThrottled() throws {
        var server = harness()
        for attempt in 0..<10 {
            let client = authenticate(&server, nick: "x\(attempt)", account: "nobody", password: "pw")
            #expect(server.take(client) == [":chatty.local 904 x\(attempt) :SASL authentication failed"])
        }
        #expect(server.passwordChecks.isEmpty)
        // The eleventh attempt within the minute is refused without a check, even for a real account.
        let client = authenticate(&server, nick: "y", account: "ann", password: "right")
        #expect(server.take(client).first?.contains("too many failures from your address") == true)
        #expect(server.passwordChecks.isEmpty)
    }

    @Test func abortUnknownMechanismAndNoCapability() {
        var server = harness()
        let client = server.connect()
        server.send(client, "AUTHENTICATE PLAIN")
        #expect(server.take(client) == [":chatty.local 904 * :SASL authentication failed"], "without CAP REQ sasl")
        server.send(client, "CAP REQ :sasl")
        _ = server.take(client)
        server.send(client, "AUTHENTICATE GSSAPI")
        #expect(server.take(client) == [":chatty.local 908 * EXTERNAL,PLAIN,SCRAM-SHA-256 :are available SASL mechanisms",
                                        ":chatty.local 904 * :SASL authentication failed"])
        server.send(client, "AUTHENTICATE PLAIN")
        _ = server.take(client)
        server.send(client, "AUTHENTICATE *")
        #expect(server.take(client) == [":chatty.local 906 * :SASL authentication aborted"])
    }

    @Test func registerCreatesTheAccountLogsInAndKeepsIt() throws {
        var server = harness()
        let client = server.register("zed")
        server.send(client, "REGISTER * * long-enough-password")
        let check = try #require(server.passwordChecks.last)
        #expect(check.purpose == .register && check.account == "zed")
        server.send(client, "REGISTER zed * long-enough-password")
        #expect(server.take(client) == [":chatty.local FAIL REGISTER ACCOUNT_EXISTS zed :Account already exists"],
                "a registration under way counts")
        server.route(server.state.accountCreated(check, credentials: credentials, now: server.now))
        #expect(server.savedAccounts.map(\.name) == ["zed"])
        #expect(server.take(client) == [
            ":chatty.local REGISTER SUCCESS zed :Account created",
            ":chatty.local 900 zed zed!zed@127.0.0.1 zed :You are now logged in as zed",
        ])
        #expect(server.state.owner(ofNick: "ZED")?.name == "zed")
    }

    @Test func aRegistrationWhoseCredentialsFailedFreesTheNameAndSaysSo() throws {
        var server = harness()
        let client = server.register("zed")
        server.send(client, "REGISTER * * long-enough-password")
        let check = try #require(server.passwordChecks.last)
        server.route(server.state.passwordChecked(check, valid: false, now: server.now))
        #expect(server.take(client) == [
            ":chatty.local FAIL REGISTER TEMPORARILY_UNAVAILABLE zed :The account could not be created; try again",
        ])
        server.send(client, "REGISTER * * long-enough-password")
        #expect(server.take(client).isEmpty, "the name is free again: a new check is under way")
        #expect(server.passwordChecks.count == 2)
        #expect(server.state.client(client)?.authenticationFailures == 0, "not a failed login")
    }

    @Test func registerRefusals() {
        var server = harness()
        let early = server.connect()
        server.send(early, "REGISTER * * long-enough-password")
        #expect(server.take(early).first?.contains("COMPLETE_CONNECTION_REQUIRED") == true)
        let client = server.register("zed")
        server.send(client, "REGISTER other * long-enough-password")
        #expect(server.take(client).first?.contains("ACCOUNT_NAME_MUST_BE_NICK") == true)
        server.send(client, "REGISTER * * short")
        #expect(server.take(client).first?.contains("WEAK_PASSWORD") == true)
        server.send(client, "NICK ann")
        _ = server.take(client)
        server.send(client, "REGISTER * * long-enough-password")
        #expect(server.take(client).first?.contains("ACCOUNT_EXISTS") == true)
        var closed = harness(open: false)
        let another = closed.register("yan")
        closed.send(another, "REGISTER * * long-enough-password")
        #expect(closed.take(another).first?.contains("TEMPORARILY_UNAVAILABLE") == true)
        #expect(server.passwordChecks.isEmpty && closed.passwordChecks.isEmpty)
    }

    @Test func someoneElseUsingAnOwnedNickIsWarnedThenRenamedAfterTheGrace() {
        var server = harness()
        let squatter = server.register("ann")
        #expect(server.take(squatter).isEmpty, "the warning came with registration")
        let watcher = server.register("wat")
        server.send(watcher, "JOIN #c")
        server.send(squatter, "JOIN #c")
        _ = server.take(watcher)
        _ = server.take(squatter)
        server.now = Timestamp(millisecondsSinceEpoch: server.now.millisecondsSinceEpoch + 4_000)
        server.route(server.state.tick(now: server.now))
        #expect(server.take(squatter).isEmpty, "still within the grace")
        server.now = Timestamp(millisecondsSinceEpoch: server.now.millisecondsSinceEpoch + 2_000)
        server.route(server.state.tick(now: server.now))
        let lines = server.take(squatter)
        #expect(lines.first?.contains("did not log in: you are now Guest1") == true, "\(lines)")
        #expect(lines.contains(":ann!ann@127.0.0.1 NICK :Guest1"))
        #expect(server.take(watcher) == [":ann!ann@127.0.0.1 NICK :Guest1"])
    }

    @Test func theOwnerLoggingInReclaimsTheNickAtOnce() throws {
        var server = harness()
        let squatter = server.register("ann")
        let owner = authenticate(&server, nick: "ann_", account: "ann", password: "right")
        let check = try #require(server.passwordChecks.last)
        server.route(server.state.passwordChecked(check, valid: true, now: server.now))
        #expect(server.take(squatter).contains { $0.hasSuffix("NICK :Guest1") })
        server.send(owner, "CAP END")
        server.send(owner, "NICK ann")
        #expect(server.take(owner).contains { $0.hasSuffix("NICK :ann") })
        server.now = Timestamp(millisecondsSinceEpoch: server.now.millisecondsSinceEpoch + 60_000)
        server.route(server.state.tick(now: server.now))
        #expect(server.take(owner).isEmpty, "the owner is never renamed")
    }

    @Test func accountNotifyExtendedJoinAndAccountTag() throws {
        var server = harness()
        let watcher = server.register("wat", caps: ["account-notify", "extended-join", "account-tag"])
        let other = server.register("pla")
        server.send(watcher, "JOIN #c")
        server.send(other, "JOIN #c")
        let ann = server.register("ann_")
        server.send(ann, "JOIN #c")
        #expect(server.take(watcher).contains(":ann_!ann_@127.0.0.1 JOIN #c * :Real ann_"), "extended-join: no account yet")
        #expect(server.take(other).last == ":ann_!ann_@127.0.0.1 JOIN :#c")
        server.send(ann, "CAP REQ :sasl")
        server.send(ann, "AUTHENTICATE PLAIN")
        server.send(ann, "AUTHENTICATE " + plain("ann", "right"))
        let check = try #require(server.passwordChecks.last)
        server.route(server.state.passwordChecked(check, valid: true, now: server.now))
        #expect(server.take(watcher).contains(":ann_!ann_@127.0.0.1 ACCOUNT :Ann"), "account-notify")
        #expect(!server.take(other).contains { $0.contains("ACCOUNT") })
        server.send(ann, "PRIVMSG #c :signed")
        let tagged = server.received[watcher]?.last
        #expect(tagged?.tag("account") == "Ann", "account-tag")
        server.send(ann, "PART #c")
        server.send(ann, "JOIN #c")
        #expect(server.take(watcher).contains(":ann_!ann_@127.0.0.1 JOIN #c Ann :Real ann_"))
    }

    @Test func certfpAddsTheConnectionsCertificateAndExternalLogsInWithIt() throws {
        var server = harness()
        let fingerprint = String(repeating: "AB:", count: 31) + "AB"
        let ann = authenticate(&server, nick: "ann", account: "ann", password: "right")
        server.route(server.state.passwordChecked(try #require(server.passwordChecks.last), valid: true, now: server.now))
        server.send(ann, "CAP END")
        _ = server.take(ann)
        server.send(ann, "CERTFP ADD")
        #expect(server.take(ann).first?.contains("connect with a client certificate") == true)
        server.state.certificatePresented(ann, fingerprint: fingerprint)
        server.send(ann, "CERTFP ADD")
        #expect(server.take(ann).first?.contains("added \(fingerprint) for Ann") == true)
        #expect(server.savedAccounts.last?.certificates == [fingerprint])

        // A new connection with that certificate logs in without a password.
        let again = server.connect()
        server.state.certificatePresented(again, fingerprint: fingerprint)
        server.send(again, "CAP REQ :sasl")
        server.send(again, "NICK ann2")
        _ = server.take(again)
        server.send(again, "AUTHENTICATE EXTERNAL")
        #expect(server.take(again) == ["AUTHENTICATE :+"])
        server.send(again, "AUTHENTICATE +")
        #expect(server.take(again).last == ":chatty.local 903 ann2 :SASL authentication successful")
        // Another certificate (or none) does not.
        let other = server.connect()
        server.send(other, "CAP REQ :sasl")
        server.send(other, "NICK eve")
        _ = server.take(other)
        server.send(other, "AUTHENTICATE EXTERNAL")
        server.send(other, "AUTHENTICATE " + Base64.encode(Array("ann".utf8)))
        #expect(server.take(other).last == ":chatty.local 904 eve :SASL authentication failed")
    }

    @Test func whoxShowsTheAccountField() throws {
        var server = harness()
        let ann = authenticate(&server, nick: "ann", account: "ann", password: "right")
        server.route(server.state.passwordChecked(try #require(server.passwordChecks.last), valid: true, now: server.now))
        server.send(ann, "CAP END")
        server.send(ann, "JOIN #c")
        let bob = server.register("bob")
        server.send(bob, "JOIN #c")
        _ = server.take(bob)
        server.send(bob, "WHO #c %tna,42")
        #expect(server.take(bob) == [
            ":chatty.local 354 bob 42 ann :Ann",
            ":chatty.local 354 bob 42 bob :0",
            ":chatty.local 315 bob #c :End of WHO list",
        ])
    }
}
