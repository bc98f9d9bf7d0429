import Testing

@testable import ChatCore

/// Issue 15 found nick ownership diverging once in about 620 live `NICK` races on two servers.
/// Here the same race runs thousands of times through the real server and link machines, with
/// random link delays and interleavings: every server must name the same owner, the two racers
/// must end with different nicks, and every server must agree on both racers' nicks.
@Suite struct NickRaceStressTests {
    @Test func concurrentNickChangesOnTwoServersNeverDiverge() {
        var generator = FederationRNG(seed: 2026)
        var network = InMemoryNetwork(["a.chatty", "b.chatty", "c.chatty"])
        network.fullMesh()
        network.run()
        let racers = [(node: 0, id: network.register("dani", on: 0)), (node: 1, id: network.register("eve", on: 1))]
        network.run()
        var divergences: [String] = []
        for round in 0..<2000 where divergences.count < 5 {
            for from in 0..<3 {
                for to in 0..<3 where from != to {
                    network.delays[from, default: [:]][to] = Int64.random(in: 0...40, using: &generator)
                }
            }
            let wanted = "dani\(round % 7)"
            let first = Int.random(in: 0...1, using: &generator)
            network.send(racers[first].id, on: racers[first].node, "NICK \(wanted)")
            for _ in 0..<Int.random(in: 0...3, using: &generator) { network.step() }
            network.send(racers[1 - first].id, on: racers[1 - first].node, "NICK \(wanted)")
            network.run()
            let owners = (0..<3).map { node -> String? in
                let server = network.nodes[node].server
                return server.clientID(nick: wanted).flatMap { server.client($0)?.uid }
            }
            let nicks = racers.map { racer in network.nodes[racer.node].server.client(racer.id)?.nick ?? "?" }
            let views = (0..<3).map { node in
                racers.map { racer -> String in
                    let uid = network.nodes[racer.node].server.client(racer.id)!.uid
                    let server = network.nodes[node].server
                    return server.uids[uid].flatMap { server.client($0)?.nick } ?? "?"
                }
            }
            if owners[0] == nil || Set(owners).count != 1 || nicks[0] == nicks[1] || Set(views).count != 1 {
                divergences.append("round \(round) \(wanted): owners \(owners), racers \(nicks), views \(views)")
            }
        }
        #expect(divergences.isEmpty, "\(divergences)")
    }
}
