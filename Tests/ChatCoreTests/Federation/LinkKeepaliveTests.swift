import Testing

@testable import ChatCore

@Suite struct LinkKeepaliveTests {
    let configuration = LinkKeepalive.Configuration(interval: 10_000, timeout: 25_000)

    @Test func pingsAfterSilenceThenDeclaresDead() {
        var keepalive = LinkKeepalive(configuration: configuration, now: 1_000)
        #expect(keepalive.nextDeadline == 11_000)
        #expect(keepalive.timerFired(now: 10_999) == .none)
        #expect(keepalive.timerFired(now: 11_000) == .sendPing)
        #expect(keepalive.nextDeadline == 26_000)
        #expect(keepalive.timerFired(now: 20_000) == .none)
        #expect(keepalive.timerFired(now: 25_999) == .none)
        #expect(keepalive.timerFired(now: 26_000) == .dead)
        #expect(keepalive.nextDeadline == nil)
        #expect(keepalive.timerFired(now: 99_000) == .none)
        keepalive.lineReceived(now: 99_500)
        #expect(keepalive.nextDeadline == nil)
    }

    @Test func anyLineRestartsBothPeriods() {
        var keepalive = LinkKeepalive(configuration: configuration, now: 0)
        keepalive.lineReceived(now: 8_000)
        #expect(keepalive.timerFired(now: 10_000) == .none)
        #expect(keepalive.nextDeadline == 18_000)
        #expect(keepalive.timerFired(now: 18_000) == .sendPing)
        keepalive.lineReceived(now: 19_000)
        #expect(keepalive.nextDeadline == 29_000)
        #expect(keepalive.timerFired(now: 40_000) == .sendPing)
        #expect(keepalive.timerFired(now: 43_999) == .none)
        #expect(keepalive.timerFired(now: 44_000) == .dead)
    }

    @Test func lateTimerAfterLongSilenceIsDeadAtOnce() {
        var keepalive = LinkKeepalive(configuration: configuration, now: 0)
        #expect(keepalive.timerFired(now: 30_000) == .dead)
    }

    @Test func pingsOnlyOncePerSilence() {
        var keepalive = LinkKeepalive(configuration: configuration, now: 0)
        #expect(keepalive.timerFired(now: 10_000) == .sendPing)
        #expect(keepalive.timerFired(now: 15_000) == .none)
        #expect(keepalive.timerFired(now: 20_000) == .none)
    }
}
