import Testing
@testable import ChatCore

/// Read markers on a network of servers: kept by every server, so they survive a failover.
@Suite struct FederatedReadMarkerTests {
    @Test func aReadMarkerReachesTheOtherServersAndOnlyMovesForward() {
        var network = InMemoryNetwork(["a.chatty", "b.chatty"])
        network.link(0, 1)
        network.run()
        let ann = network.register("ann", on: 0)
        network.send(ann, on: 0, "JOIN #c")
        network.run()
        network.send(ann, on: 0, "MARKREAD #c timestamp=2026-12-06T08:00:00.000Z")
        network.run()
        #expect(network.nodes[1].server.readMarker(owner: "ann", target: "#c")?.iso8601 == "2026-12-06T08:00:00.000Z")
        network.send(ann, on: 0, "MARKREAD #c timestamp=2026-12-06T07:00:00.000Z")
        network.run()
        #expect(network.nodes[1].server.readMarker(owner: "ann", target: "#c")?.iso8601 == "2026-12-06T08:00:00.000Z",
                "never back")
    }
}
