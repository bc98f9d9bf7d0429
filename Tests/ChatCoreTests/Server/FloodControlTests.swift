import Testing

@testable import ChatCore

@Suite struct FloodControlTests {
    @Test func burstThenRate() {
        var bucket = FloodControl(configuration: .init(rate: 2, burst: 3, hardLimit: 10), now: 0)
        #expect(bucket.lineArrived(now: 0) == .process)
        #expect(bucket.lineArrived(now: 0) == .process)
        #expect(bucket.lineArrived(now: 0) == .process)
        #expect(bucket.lineArrived(now: 0) == .delay(until: 500))
        #expect(bucket.lineArrived(now: 500) == .process)
        #expect(bucket.lineArrived(now: 600) == .delay(until: 1000))
        // Refill never exceeds the burst.
        #expect(bucket.lineArrived(now: 100_000) == .process)
        #expect(bucket.lineArrived(now: 100_000) == .process)
        #expect(bucket.lineArrived(now: 100_000) == .process)
        #expect(bucket.lineArrived(now: 100_000) == .delay(until: 100_500))
    }

    @Test func rateZeroDisables() {
        var bucket = FloodControl(configuration: .init(rate: 0, burst: 1, hardLimit: 1), now: 0)
        for _ in 0..<10_000 { #expect(bucket.lineArrived(now: 0) == .process) }
    }
}
