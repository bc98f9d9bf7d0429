import Testing
@testable import ChatCore

@Suite struct KeepaliveTests: ClientTestCase {
    @Test func pingsAfterSilenceAndMeasuresLag() {
        var keepalive = Keepalive(interval: .seconds(60), timeout: .seconds(30), now: t(0))
        #expect(keepalive.deadline == t(60_000))
        keepalive.received(now: t(10_000))
        #expect(keepalive.timerFired(now: t(60_000)) == .wait(next: t(70_000)))
        #expect(keepalive.timerFired(now: t(70_000)) == .ping(token: "chatty-70000", next: t(100_000)))
        #expect(keepalive.deadline == t(100_000))
        #expect(keepalive.pongReceived(token: "other", now: t(70_100)) == nil)
        #expect(keepalive.pongReceived(token: "chatty-70000", now: t(70_420)) == 420)
        #expect(keepalive.pongReceived(token: "chatty-70000", now: t(70_500)) == nil)
    }

    @Test func deadWhenNothingArrivesWithinTheTimeout() {
        var keepalive = Keepalive(interval: .seconds(60), timeout: .seconds(30), now: t(0))
        #expect(keepalive.timerFired(now: t(60_000)) == .ping(token: "chatty-60000", next: t(90_000)))
        #expect(keepalive.timerFired(now: t(89_999)) == .wait(next: t(90_000)))
        #expect(keepalive.timerFired(now: t(90_000)) == .dead(silence: 90_000))
    }

    @Test func anyTrafficAfterThePingKeepsTheConnectionAlive() {
        var keepalive = Keepalive(interval: .seconds(60), timeout: .seconds(30), now: t(0))
        _ = keepalive.timerFired(now: t(60_000))
        keepalive.received(now: t(65_000))
        #expect(keepalive.timerFired(now: t(90_000)) == .wait(next: t(125_000)))
        // The late PONG still reports the lag.
        #expect(keepalive.pongReceived(token: "chatty-60000", now: t(95_000)) == 35_000)
    }
}
