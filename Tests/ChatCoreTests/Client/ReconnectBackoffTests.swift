import Testing
@testable import ChatCore

@Suite struct ReconnectBackoffTests: ClientTestCase {
    @Test func doublesUpToTheMaximumWithoutJitterAtOneHalf() {
        var backoff = ReconnectBackoff(base: .seconds(1), max: .seconds(60), jitter: 0.2)
        let delays = (0..<9).map { _ in backoff.nextDelay(random: 0.5) }
        #expect(delays == [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000])
        #expect(backoff.attempts == 9)
    }

    @Test func jitterStretchesTwentyPercentEachWay() {
        var low = ReconnectBackoff(base: .seconds(1), max: .seconds(60), jitter: 0.2)
        #expect([low.nextDelay(random: 0), low.nextDelay(random: 0), low.nextDelay(random: 0)] == [800, 1_600, 3_200])
        var high = ReconnectBackoff(base: .seconds(1), max: .seconds(60), jitter: 0.2)
        #expect([high.nextDelay(random: 0.75), high.nextDelay(random: 0.75)] == [1_100, 2_200])
    }

    @Test func jitterNeverExceedsTheMaximum() {
        var backoff = ReconnectBackoff(base: .seconds(1), max: .seconds(60), jitter: 0.2)
        for _ in 0..<6 { _ = backoff.nextDelay(random: 0.5) }
        #expect(backoff.nextDelay(random: 0.999) == 60_000)
        #expect(backoff.nextDelay(random: 0) == 48_000)
    }

    @Test func resetStartsAgainAtBase() {
        var backoff = ReconnectBackoff(base: .seconds(2), max: .seconds(10), jitter: 0.1)
        #expect(backoff.nextDelay(random: 0.5) == 2_000)
        #expect(backoff.nextDelay(random: 0.5) == 4_000)
        backoff.reset()
        #expect(backoff.attempts == 0)
        #expect(backoff.nextDelay(random: 0.5) == 2_000)
    }
}
