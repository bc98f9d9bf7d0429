import Testing

@testable import ChatCore

@Suite struct PeerKeepaliveTests {
    let withRegistration = PeerKeepalive.Configuration(registrationTimeout: 10_000, pingInterval: 30_000, pingTimeout: 20_000)
    let plain = PeerKeepalive.Configuration(pingInterval: 60_000, pingTimeout: 30_000)

    @Test func registrationTimeout() {
        var keepalive = PeerKeepalive(configuration: withRegistration, now: 0)
        #expect(keepalive.nextDeadline == 10_000)
        keepalive.lineReceived(now: 5_000)
        #expect(keepalive.nextDeadline == 10_000, "lines before registration do not extend the deadline")
        #expect(keepalive.timerFired(now: 9_999) == .none)
        #expect(keepalive.timerFired(now: 10_000) == .timedOut(.registration))
        #expect(PeerKeepalive.Timeout.registration.reason == "Registration timeout")
        #expect(keepalive.nextDeadline == nil)
        #expect(keepalive.isTimedOut)
        #expect(keepalive.timerFired(now: 99_000) == .none)
    }

    @Test func pingsWhenIdleAndTimesOutWithoutAnyLine() {
        var keepalive = PeerKeepalive(configuration: withRegistration, now: 0)
        keepalive.registered(now: 1_000)
        #expect(keepalive.nextDeadline == 31_000)
        keepalive.lineReceived(now: 20_000)
        #expect(keepalive.timerFired(now: 31_000) == .none)
        #expect(keepalive.nextDeadline == 50_000)
        #expect(keepalive.timerFired(now: 50_000) == .sendPing(token: "chatty-50000"))
        #expect(keepalive.nextDeadline == 70_000)
        #expect(keepalive.timerFired(now: 60_000) == .none, "one ping per silence")
        #expect(keepalive.timerFired(now: 70_000) == .timedOut(.ping(silence: 50_000)))
        #expect(PeerKeepalive.Timeout.ping(silence: 50_000).reason == "Ping timeout: 50 seconds")
        keepalive.lineReceived(now: 70_500)
        #expect(keepalive.nextDeadline == nil, "a timed-out peer stays gone")
    }

    @Test func anyLineAfterThePingKeepsThePeerAndTheLatePongStillGivesTheLag() {
        var keepalive = PeerKeepalive(configuration: plain, now: 0)
        #expect(keepalive.nextDeadline == 60_000)
        #expect(keepalive.timerFired(now: 60_000) == .sendPing(token: "chatty-60000"))
        keepalive.lineReceived(now: 65_000)
        #expect(keepalive.timerFired(now: 90_000) == .none)
        #expect(keepalive.nextDeadline == 125_000)
        #expect(keepalive.pongReceived(token: "other", now: 95_000) == nil)
        #expect(keepalive.pongReceived(token: "chatty-60000", now: 95_000) == 35_000)
        #expect(keepalive.pongReceived(token: "chatty-60000", now: 95_500) == nil, "answered once")
    }

    @Test func aLateTimerPingsFirstInsteadOfGivingUp() {
        var keepalive = PeerKeepalive(configuration: plain, now: 0)
        #expect(keepalive.timerFired(now: 500_000) == .sendPing(token: "chatty-500000"))
        keepalive.lineReceived(now: 500_010)
        #expect(keepalive.nextDeadline == 560_010)
    }

    @Test func linkConfigurationPingsAtAThirdOfTheSilence() {
        let link = PeerKeepalive.Configuration.link(silence: 6_000)
        #expect(link.registrationTimeout == nil)
        #expect(link.pingInterval == 2_000)
        #expect(link.pingInterval + link.pingTimeout == 6_000)
        var keepalive = PeerKeepalive(configuration: link, now: 0)
        #expect(keepalive.timerFired(now: 2_000) == .sendPing(token: "chatty-2000"))
        #expect(keepalive.timerFired(now: 5_999) == .none)
        #expect(keepalive.timerFired(now: 6_000) == .timedOut(.ping(silence: 6_000)))
    }
}
