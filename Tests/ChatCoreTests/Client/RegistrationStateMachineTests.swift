import Testing
@testable import ChatCore

@Suite struct RegistrationStateMachineTests: ClientTestCase {
    let configuration = ClientConfiguration(
        nick: "alice", userName: "al", realName: "Alice A",
        requestedCapabilities: ["message-tags", "server-time", "echo-message", "multi-prefix", "batch", "labeled-response"]
    )

    @Test func startSendsCapLsNickUser() {
        let registration = RegistrationStateMachine(configuration: configuration, nick: "alice", nickLength: nil)
        #expect(registration.start().map(\.description) == ["CAP LS :302", "NICK :alice", "USER al 0 * :Alice A"])
    }

    @Test func startSendsPassBeforeNick() {
        var withPassword = configuration
        withPassword.password = "s3cret"
        let registration = RegistrationStateMachine(configuration: withPassword, nick: "alice", nickLength: nil)
        #expect(registration.start().map(\.description)
            == ["CAP LS :302", "PASS :s3cret", "NICK :alice", "USER al 0 * :Alice A"])
    }

    @Test func multiLineLsWithValuesThenRequestOfTheIntersection() {
        var registration = RegistrationStateMachine(configuration: configuration, nick: "alice", nickLength: nil)
        #expect(registration.capReceived(irc(":srv CAP * LS * :sasl=PLAIN,EXTERNAL batch draft/chathistory=100")) == .none)
        #expect(registration.capReceived(irc(":srv CAP * LS * :server-time account-notify")) == .none)
        #expect(registration.capReceived(irc(":srv CAP * LS :labeled-response echo-message"))
            == .send([IRCMessage("CAP", "REQ", "server-time echo-message batch labeled-response")]))
        #expect(registration.offered["sasl"] == "PLAIN,EXTERNAL")
        #expect(registration.offered["draft/chathistory"] == "100")
        #expect(registration.offered["batch"] == "")
        #expect(registration.capReceived(irc(":srv CAP alice ACK * :server-time echo-message")) == .none)
        #expect(registration.capReceived(irc(":srv CAP alice ACK :batch labeled-response"))
            == .send([IRCMessage("CAP", "END")]))
        #expect(registration.enabled == ["server-time", "echo-message", "batch", "labeled-response"])
        let offered = registration.offered
        #expect(registration.welcomeReceived(irc(":srv 001 alice :Welcome")) == .registered(
            nick: "alice",
            capabilities: ["server-time", "echo-message", "batch", "labeled-response"],
            offered: offered
        ))
    }

    @Test func nothingWantedEndsNegotiation() {
        var registration = RegistrationStateMachine(configuration: configuration, nick: "alice", nickLength: nil)
        #expect(registration.capReceived(irc(":srv CAP * LS :sasl account-notify")) == .send([IRCMessage("CAP", "END")]))
        #expect(registration.state == .awaitingWelcome)
    }

    @Test func nakEndsNegotiationWithNothingEnabled() {
        var registration = RegistrationStateMachine(configuration: configuration, nick: "alice", nickLength: nil)
        _ = registration.capReceived(irc(":srv CAP * LS :batch"))
        #expect(registration.capReceived(irc(":srv CAP * NAK :batch")) == .send([IRCMessage("CAP", "END")]))
        #expect(registration.enabled == [])
    }

    @Test func unknownCapCommandWaitsForWelcome() {
        var registration = RegistrationStateMachine(configuration: configuration, nick: "alice", nickLength: nil)
        #expect(registration.capabilitiesUnsupported() == .none)
        #expect(registration.state == .awaitingWelcome)
        #expect(registration.welcomeReceived(irc(":srv 001 alice_x :Hi"))
            == .registered(nick: "alice_x", capabilities: [], offered: [:]))
    }

    @Test func nickRejectionsWalkTheFallbackSequence() {
        var registration = RegistrationStateMachine(configuration: configuration, nick: "alice", nickLength: nil)
        #expect(registration.nickRejected(irc(":srv 433 * alice :Nickname is already in use"), erroneous: false)
            == .nickRejected(rejected: "alice", retry: IRCMessage("NICK", "alice_"), reason: "Nickname is already in use"))
        #expect(registration.nick == "alice_")
        #expect(registration.nickRejected(irc(":srv 433 * alice_ :in use"), erroneous: false)
            == .nickRejected(rejected: "alice_", retry: IRCMessage("NICK", "alice__"), reason: "in use"))
    }
}

/// IRCv3 `sts` while registering: upgrade from plaintext, remember over TLS.
@Suite struct RegistrationSTSTests: ClientTestCase {
    let configuration = ClientConfiguration(nick: "alice", userName: "al", realName: "Alice A")

    @Test func aPolicyWithAPortOverPlaintextStopsRegistrationForAnUpgrade() {
        var registration = RegistrationStateMachine(configuration: configuration, nick: "alice", nickLength: nil)
        #expect(registration.capReceived(irc(":srv CAP * LS :batch sts=port=6697,duration=300")) == .upgrade(port: 6697))
        #expect(registration.announcedPolicy == nil, "a policy seen over plaintext is never kept")
    }

    @Test func overTLSThePolicyIsKeptAndRegistrationGoesOn() {
        var registration = RegistrationStateMachine(configuration: configuration, nick: "alice", nickLength: nil, secure: true)
        #expect(registration.capReceived(irc(":srv CAP * LS :sts=port=6697,duration=300")) == .send([IRCMessage("CAP", "END")]))
        #expect(registration.announcedPolicy == STSPolicy(port: 6697, duration: 300))
    }

    @Test func theMachineClosesAndReconnectsAtOnceAndRemembersOverTLS() {
        var machine = makeMachine()
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        let upgrade = machine.messageReceived(irc(":srv CAP * LS :sts=port=6697"), now: t(1))
        #expect(upgrade.contains(.upgradeToTLS(port: 6697)))
        #expect(upgrade.last == .close)
        #expect(upgrade.sentLines.isEmpty, "nothing more is said over plaintext")
        #expect(machine.connectionClosed(error: nil, now: t(2)).contains(.connect), "reconnects at once")
        _ = machine.connected(now: t(3), secure: true)
        _ = machine.messageReceived(irc(":srv CAP * LS :sts=duration=600"), now: t(3))
        let welcome = machine.messageReceived(irc(":srv 001 alice :Welcome"), now: t(4))
        #expect(welcome.contains(.rememberSTS(STSPolicy(duration: 600))))
    }
}

/// SASL `PLAIN` while registering, and `/identify` afterwards.
@Suite struct ClientSASLTests: ClientTestCase {
    var configuration: ClientConfiguration {
        var configuration = ClientConfiguration(nick: "ann", realName: "Ann")
        configuration.sasl = SASLLogin(account: "ann", password: "pw")
        return configuration
    }

    @Test func logsInBeforeEndingCapabilityNegotiation() {
        var machine = makeMachine(configuration)
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        #expect(machine.messageReceived(irc(":srv CAP * LS :sasl=PLAIN,EXTERNAL server-time"), now: t(1)).sentLines
            == ["CAP REQ :server-time sasl"])
        #expect(machine.messageReceived(irc(":srv CAP ann ACK :server-time sasl"), now: t(1)).sentLines == ["AUTHENTICATE :PLAIN"])
        #expect(machine.messageReceived(irc("AUTHENTICATE +"), now: t(1)).sentLines
            == ["AUTHENTICATE :" + Base64.encode(Array("\0ann\0pw".utf8))])
        #expect(machine.messageReceived(irc(":srv 900 ann ann!a@h ann :You are now logged in as ann"), now: t(1)).isEmpty)
        let done = machine.messageReceived(irc(":srv 903 ann :SASL authentication successful"), now: t(1))
        #expect(done.contains(.emit(.loggedIn(account: "ann"))))
        #expect(done.sentLines == ["CAP :END"])
    }

    @Test func aFailedLoginIsToldAndRegistrationGoesOn() {
        var machine = makeMachine(configuration)
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        _ = machine.messageReceived(irc(":srv CAP * LS :sasl"), now: t(1))
        _ = machine.messageReceived(irc(":srv CAP ann ACK :sasl"), now: t(1))
        _ = machine.messageReceived(irc("AUTHENTICATE +"), now: t(1))
        let failed = machine.messageReceived(irc(":srv 904 ann :SASL authentication failed"), now: t(1))
        #expect(failed.sentLines == ["CAP :END"])
        #expect(failed.contains { if case .emit(.error(let text)) = $0 { text.contains("SASL login as ann failed") } else { false } })
    }

    @Test func withoutSaslOnTheServerNothingIsAsked() {
        var machine = makeMachine(configuration)
        _ = machine.connectRequested(now: t(0))
        _ = machine.connected(now: t(0))
        #expect(machine.messageReceived(irc(":srv CAP * LS :server-time"), now: t(1)).sentLines == ["CAP REQ :server-time"])
    }

    @Test func identifyAfterRegistrationAsksForTheCapabilityThenLogsIn() {
        var machine = registeredMachine(offered: "server-time")
        let start = machine.identify(SASLLogin(account: "alice", password: "secret"))
        #expect(start.sentLines == ["CAP REQ :sasl", "AUTHENTICATE :PLAIN"])
        #expect(machine.messageReceived(irc("AUTHENTICATE +"), now: t(2)).sentLines
            == ["AUTHENTICATE :" + Base64.encode(Array("\0alice\0secret".utf8))])
        #expect(machine.messageReceived(irc(":srv 900 alice alice!a@h alice :You are now logged in as alice"), now: t(2))
            == [.emit(.loggedIn(account: "alice"))])
        #expect(machine.messageReceived(irc("AUTHENTICATE +"), now: t(3)).isEmpty, "nothing pending any more")
    }

    @Test func standardReplyFailuresAreShownAsErrors() {
        var machine = registeredMachine()
        #expect(machine.messageReceived(irc(":srv FAIL REGISTER ACCOUNT_EXISTS ann :Account already exists"), now: t(2))
            == [.emit(.error("REGISTER failed: Account already exists (ACCOUNT_EXISTS)"))])
    }
}
