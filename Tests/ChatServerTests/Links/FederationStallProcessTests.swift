import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// A server that stalls (SIGSTOP) longer than the link timeout, while clients on every server keep
/// talking, loses nothing: after SIGCONT and the relinks every talker has every other talker's lines,
/// as the ``HistoryChecker`` judges (no loss, no duplicate, FIFO, causal order).
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

        // Everyone talks every 50 ms (checker messages naming what the sender had seen); the victim
        // stops for 5 s (the links time out after 1.5 s).
        let stalled = try #require(servers.first { $0.name == victim }?.server?.pid)
        let rounds = 160
        for round in 1...rounds {
            for client in clients {
                let deps = TranscriptChecker.lastSeen(client.allMessages, me: client.name)
                let text = "\(client.name) \(round) " + deps.map { "\($0.key):\($0.value)" }.sorted().joined(separator: ",")
                try await client.send("PRIVMSG #net :\(text)")
            }
            if round == 20 { kill(stalled, SIGSTOP) }
            if round == 120 { kill(stalled, SIGCONT) }
            try await Task.sleep(for: .milliseconds(50))
        }
        // Every line reaches every other talker once the relinks have replayed what waited; then the
        // checker: no loss, no duplicate, each sender in order, causal order, one msgid, same members.
        for client in clients {
            try? await withDeadline(.seconds(30), what: "\(client.name) receives every line") {
                while TranscriptChecker.received(client.allMessages).count < (nicks.count - 1) * rounds {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        for client in clients { try? await TestIRCClient.waitForNames(client, "#net", Set(nicks)) }
        let histories = clients.map { HistoryChecker.Client(name: $0.name, shown: $0.allMessages) }
        let problems = HistoryChecker.check(histories, perSender: rounds)
        #expect(problems.isEmpty, "\(problems)")
        let splits = clients.filter { $0.name != nicks[servers.firstIndex { $0.name == victim }!] }.map { client in
            client.allMessages.filter { $0.command == "QUIT" && ($0.parameters.first ?? "").hasSuffix(".chatty") }.count
        }
        #expect(splits.allSatisfy { $0 >= 1 }, "the stop split the victim from the others (netsplit quits seen: \(splits))")
        for client in clients { await client.close() }
    }
}
