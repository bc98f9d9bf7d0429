import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// Link faults a cable cannot make (issue 15): three servers on three network namespaces whose links
/// all run through ``FaultProxy``s — a slow direction, a stalled link (peer alive, nothing moves),
/// connections dropped mid-burst, a thin link. A talker on every server talks through each; the
/// ``HistoryChecker`` judges once the fault is lifted.
@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: LabFederation.available, "network namespaces need root and iproute2 (ip netns)"))
struct FederationLinkFaultTests {
    /// a→c is 800 ms slower than every other path: a question from x (on a) reaches c later than
    /// y's answer could go b→c directly; z must still see the question first.
    @Test func aSlowDirectionKeepsRepliesAfterWhatTheyAnswer() async throws {
        try await LabFederation.with(.proxies) { network in
            for (proxy, direction) in network.links(from: "a", to: "c") { proxy.setDelay(milliseconds: 800, direction) }
            let (x, y, z) = (network.clients[0], network.clients[1], network.clients[2])
            // The question and its answer, one at a time.
            try await x.send("PRIVMSG \(LabFederation.channel) :question?")
            try await y.expect { $0.command == "PRIVMSG" && $0.parameters.last == "question?" }
            try await y.send("PRIVMSG \(LabFederation.channel) :answer!")
            try await z.expect { $0.command == "PRIVMSG" && $0.parameters.last == "answer!" }
            let shown = z.allMessages.filter { $0.command == "PRIVMSG" }.compactMap(\.parameters.last)
            #expect(shown == ["question?", "answer!"], "z saw \(shown)")
            // Then everyone at once, each message naming what its sender had seen.
            try await network.talk(rounds: 60) { _ in }
            let problems = try await network.verdict(perSender: 60)
            await network.stop()
            #expect(problems.isEmpty, "\(problems)")
        }
    }

    /// The a–c link stalls for 5 s (both ways, connections open, nothing moves; a new connection
    /// through it stalls too). Both ends declare it dead within the 1.5 s link timeout (plus the
    /// check's granularity), relink once it moves again and replay what the other missed.
    @Test func aStalledLinkIsDetectedAndResynchronised() async throws {
        try await LabFederation.with(.proxies) { network in
            let a = try #require(network.servers["a"])
            var detection: Task<Duration, any Error>?
            try await network.talk(rounds: 140) { round in
                if round == 20 {
                    for proxy in network.pair("a", "c") { proxy.stall() }
                    detection = Task {
                        let start = ContinuousClock.now
                        _ = try await a.process.waitForError("link timed out", timeout: .seconds(6))
                        return ContinuousClock.now - start
                    }
                }
                if round == 110 { for proxy in network.pair("a", "c") { proxy.resume() } }
            }
            let noticed = try await detection?.value
            let problems = try await network.verdict(perSender: 140)
            let split = network.splits(seenBy: "x", of: "z")
            await network.stop()
            #expect(problems.isEmpty, "\(problems)")
            let seconds = noticed.map { Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18 }
            #expect(seconds.map { $0 < 3.0 } == true, "a noticed the stalled link after \(seconds.map { "\($0) s" } ?? "never")")
            #expect(split == 1, "a split c once (\(split))")
        }
    }

    /// Every a–b connection is dropped twice in the middle of the talk (each side sees the
    /// connection end); the link comes back and nothing is lost or doubled.
    @Test func droppedConnectionsRelinkWithoutLossOrDuplicates() async throws {
        try await LabFederation.with(.proxies) { network in
            let before = network.pair("a", "b").map(\.acceptedCount).reduce(0, +)
            try await network.talk(rounds: 120) { round in
                if round == 30 || round == 80 { for proxy in network.pair("a", "b") { proxy.dropConnections() } }
            }
            let problems = try await network.verdict(perSender: 120)
            let after = network.pair("a", "b").map(\.acceptedCount).reduce(0, +)
            await network.stop()
            #expect(problems.isEmpty, "\(problems)")
            #expect(after > before, "the link was made again after the drops (\(before) → \(after) connections)")
        }
    }

    /// The a–b link carries 2 KB/s each way while everyone talks (more than that crosses it):
    /// the backlog drains or is relayed through c, in order, nothing lost.
    @Test func aThinLinkDelaysButLosesNothing() async throws {
        try await LabFederation.with(.proxies) { network in
            for proxy in network.pair("a", "b") {
                proxy.setBandwidth(bytesPerSecond: 2_000, .toUpstream)
                proxy.setBandwidth(bytesPerSecond: 2_000, .toDownstream)
            }
            try await network.talk(rounds: 100) { _ in }
            for proxy in network.pair("a", "b") {
                proxy.setBandwidth(bytesPerSecond: nil, .toUpstream)
                proxy.setBandwidth(bytesPerSecond: nil, .toDownstream)
            }
            let problems = try await network.verdict(perSender: 100)
            await network.stop()
            #expect(problems.isEmpty, "\(problems)")
        }
    }
}
