import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// A server that stalls (SIGSTOP) longer than the link timeout, while clients on every server keep
/// talking, loses nothing: after SIGCONT and the relinks every talker has every other talker's lines.
/// (Issue 15 reported the server that relinked later never getting what the stalled one handled
/// between the two relinks.)
@Suite(.serialized, .timeLimit(.minutes(2))) struct FederationStallProcessTests {
    typealias NetworkServer = FederationProcessTests.NetworkServer

    @Test(arguments: ["a.chatty", "c.chatty"])
    func aStalledServerLosesNothing(victim: String) async throws {
        let base = Int.random(in: 20_000...32_000)
        let secretFile = try ServerProcess.secretFile("stall test network secret 0123456789")
        let a = NetworkServer(name: "a.chatty", clientPort: base, linkPort: base + 10, peers: [], secretFile: secretFile)
        let b = NetworkServer(name: "b.chatty", clientPort: base + 1, linkPort: base + 11, peers: [base + 10], secretFile: secretFile)
        let c = NetworkServer(name: "c.chatty", clientPort: base + 2, linkPort: base + 12, peers: [base + 11], secretFile: secretFile)
        defer { a.stop(); b.stop(); c.stop() }
        try await a.start(); try await b.start(); try await c.start()
        let servers = [a, b, c]
        var clients: [TestIRCClient] = []
        let nicks = ["xena", "yuri", "zoe"]
        for (index, server) in servers.enumerated() {
            let client = try await FederationProcessTests.connect(server.clientPort, name: nicks[index])
            try await client.register(nicks[index])
            try await client.send("JOIN #net")
            try await client.expect { $0.command == "366" }
            clients.append(client)
        }
        for client in clients { try await TestIRCClient.waitForNames(client, "#net", Set(nicks)) }

        // Everyone talks every 50 ms; the victim stops for 5 s (the links time out after 1.5 s).
        let stalled = try #require(servers.first { $0.name == victim }?.server?.pid)
        var sent: [[String]] = [[], [], []]
        for round in 0..<160 {
            for (index, client) in clients.enumerated() {
                let text = "\(nicks[index]) \(round)"
                try await client.send("PRIVMSG #net :\(text)")
                sent[index].append(text)
            }
            if round == 20 { kill(stalled, SIGSTOP) }
            if round == 120 { kill(stalled, SIGCONT) }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Every line reaches every other talker, once the relinks have replayed what waited.
        let talkers = clients
        let lines = sent
        try await withDeadline(.seconds(30), what: "every line at every talker") {
            while true {
                var missing = 0
                for (index, client) in talkers.enumerated() {
                    let received = Set(client.allMessages.filter { $0.command == "PRIVMSG" }.map { $0.parameters[1] })
                    for other in talkers.indices where other != index {
                        missing += lines[other].filter { !received.contains($0) }.count
                    }
                }
                if missing == 0 { return }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        // And in each sender's order.
        for (index, client) in clients.enumerated() {
            for other in clients.indices where other != index {
                let order = client.allMessages.filter { $0.command == "PRIVMSG" && $0.sourceNick == nicks[other] }.map { $0.parameters[1] }
                #expect(order.filter(sent[other].contains) == sent[other], "\(nicks[index]) got \(nicks[other])'s lines in order")
            }
        }
        for client in clients { await client.close() }
    }
}
