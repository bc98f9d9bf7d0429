import Testing

@testable import ChatCore

@Suite struct KeepaliveStateMachineTests {
    let configuration = KeepaliveStateMachine.Configuration(registrationTimeout: 10_000, pingInterval: 30_000, pingTimeout: 20_000)

    @Test func registrationTimeout() {
        var machine = KeepaliveStateMachine(configuration: configuration, now: 0)
        #expect(machine.nextDeadline == 10_000)
        #expect(machine.timerFired(now: 9_999) == .none)
        #expect(machine.timerFired(now: 10_000) == .close(reason: "Registration timeout"))
        #expect(machine.nextDeadline == nil)
    }

    @Test func pingsWhenIdleAndDropsWithoutAnswer() {
        var machine = KeepaliveStateMachine(configuration: configuration, now: 0)
        machine.registered(now: 1_000)
        #expect(machine.nextDeadline == 31_000)
        machine.lineReceived(now: 20_000)
        #expect(machine.timerFired(now: 31_000) == .none)
        #expect(machine.nextDeadline == 50_000)
        #expect(machine.timerFired(now: 50_000) == .sendPing)
        #expect(machine.nextDeadline == 70_000)
        #expect(machine.timerFired(now: 70_000) == .close(reason: "Ping timeout: 20 seconds"))
    }

    @Test func anyLineAnswersThePing() {
        var machine = KeepaliveStateMachine(configuration: configuration, now: 0)
        machine.registered(now: 0)
        #expect(machine.timerFired(now: 30_000) == .sendPing)
        machine.lineReceived(now: 35_000)
        #expect(machine.timerFired(now: 50_000) == .none)
        #expect(machine.nextDeadline == 65_000)
    }
}

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
