import ChatCore
import ChattyTestSupport
import Foundation
import NIOConcurrencyHelpers
import Testing

/// Real partitions (issue 15): three servers on three network namespaces joined by veth cables; the
/// kernel drops what crosses a cut cable, and the servers learn of it only by the silence (link
/// timeout 1.5 s). A talker on every server keeps talking through every fault; once healed, the
/// ``HistoryChecker`` must find no loss, no duplicate, FIFO and causal order, and converged members.
@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: LabFederation.available, "network namespaces need root and iproute2 (ip netns)"))
struct FederationPartitionTests {
    @Test func oneCutLinkHealsWithoutLoss() async throws {
        try await LabFederation.with(.cables) { network in
            // a and b lose each other for 4 s (each splits the other; c still sees both).
            try await network.talk(rounds: 120) { round in
                if round == 20 { try network.lab.cut("a", "b") }
                if round == 100 { try network.lab.heal("a", "b") }
            }
            let problems = try await network.verdict(perSender: 120)
            let (ySawX, xSawY, zSawX) = (network.splits(seenBy: "y", of: "x"), network.splits(seenBy: "x", of: "y"), network.splits(seenBy: "z", of: "x"))
            await network.stop()
            #expect(problems.isEmpty, "\(problems)")
            #expect(ySawX == 1 && xSawY == 1, "a and b split each other once (y saw x quit \(ySawX)×, x saw y \(xSawY)×)")
            #expect(zSawX == 0, "c kept both links")
        }
    }

    @Test func aServerCutOffEntirelyComesBackWithoutLoss() async throws {
        try await LabFederation.with(.cables) { network in
            // c is cut off from both others for 4 s; its own client keeps talking to it.
            try await network.talk(rounds: 120) { round in
                if round == 20 { try network.lab.isolate("c") }
                if round == 100 { try network.lab.healAll() }
            }
            let problems = try await network.verdict(perSender: 120)
            let seen = [network.splits(seenBy: "x", of: "z"), network.splits(seenBy: "y", of: "z"), network.splits(seenBy: "z", of: "x")]
            await network.stop()
            #expect(problems.isEmpty, "\(problems)")
            #expect(seen == [1, 1, 1], "c split from both and they from it: \(seen)")
        }
    }

    @Test func aFlappingLinkLosesNothing() async throws {
        try await LabFederation.with(.cables) { network in
            // The a–c cable goes down until a has split c, then up until c is back (the burst shows z
            // joining again), three times, while everyone talks; each step waits for the event, not a clock.
            let joinedBefore = network.joins(seenBy: "x", of: "z")
            let flapping = NIOLockedValueBox(true)
            let flaps = Task {
                defer { flapping.withLockedValue { $0 = false } }
                for cycle in 1...3 {
                    try await Task.sleep(for: .milliseconds(500))
                    try network.lab.cut("a", "c")
                    try await withDeadline(.seconds(20), what: "a splits c (cut \(cycle))") {
                        while network.splits(seenBy: "x", of: "z") < cycle { try await Task.sleep(for: .milliseconds(50)) }
                    }
                    try await Task.sleep(for: .milliseconds(500))
                    try network.lab.heal("a", "c")
                    try await withDeadline(.seconds(20), what: "c back at a (heal \(cycle))") {
                        while network.joins(seenBy: "x", of: "z") < joinedBefore + cycle { try await Task.sleep(for: .milliseconds(50)) }
                    }
                }
            }
            let rounds = try await network.talk(while: { flapping.withLockedValue { $0 } }, maxRounds: 1_200)
            let flapped: Result<Void, any Error> = await flaps.result
            let problems = try await network.verdict(perSender: rounds)
            let seen = network.splits(seenBy: "x", of: "z")
            await network.stop()
            #expect(throws: Never.self) { try flapped.get() }
            #expect(problems.isEmpty, "\(problems)")
            #expect(seen == 3, "a split c at each of the three cuts (\(seen))")
        }
    }
}
