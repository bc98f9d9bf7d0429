import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// Three `chatty-tui serve` processes on loopback: kill -9 one, the others carry on; restart it, it rejoins.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FederationProcessTests {
    /// One server of the network on fixed ports (a restart must come back on the same ones),
    /// run as the unprivileged user.
    final class NetworkServer {
        let name: String
        let clientPort: Int
        let linkPort: Int
        let peers: [Int]
        let secretFile: String
        var server: ServerProcess?

        init(name: String, clientPort: Int, linkPort: Int, peers: [Int], secretFile: String) {
            self.name = name
            self.clientPort = clientPort
            self.linkPort = linkPort
            self.peers = peers
            self.secretFile = secretFile
        }

        func start() async throws {
            server = try await ServerProcess(
                ["--listen", "127.0.0.1:\(clientPort)", "--name", name,
                 "--link-listen", "127.0.0.1:\(linkPort)", "--link-secret-file", secretFile,
                 "--link-timeout", "1.5", "--flood-rate", "0", "--threads", "1"]
                + peers.flatMap { ["--peer", "127.0.0.1:\($0)"] })
        }

        func kill9() {
            server?.kill9()
        }

        func stop() {
            server?.kill9()
        }
    }

    /// Connects once the server accepts connections.
    static func connect(_ port: Int, name: String) async throws -> TestIRCClient {
        try await withDeadline(.seconds(20), what: "server on port \(port) accepting") {
            while true {
                if let client = try? await TestIRCClient.connect(port: port, name: name) { return client }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    @Test func killOneServerOthersContinueRestartRejoins() async throws {
        let base = Int.random(in: 20_000...32_000)
        let secretFile = try ServerProcess.secretFile("process test network secret 0123456789")
        let a = NetworkServer(name: "a.chatty", clientPort: base, linkPort: base + 10, peers: [], secretFile: secretFile)
        let b = NetworkServer(name: "b.chatty", clientPort: base + 1, linkPort: base + 11, peers: [base + 10], secretFile: secretFile)
        let c = NetworkServer(name: "c.chatty", clientPort: base + 2, linkPort: base + 12, peers: [base + 11], secretFile: secretFile)
        defer { a.stop(); b.stop(); c.stop() }
        try await a.start(); try await b.start(); try await c.start()

        let x = try await Self.connect(a.clientPort, name: "x")
        let y = try await Self.connect(b.clientPort, name: "y")
        let z = try await Self.connect(c.clientPort, name: "z")
        for (client, nick) in [(x, "xena"), (y, "yuri"), (z, "zoe")] {
            try await client.register(nick)
            try await client.send("JOIN #net")
            try await client.expect { $0.command == "366" }
        }
        for client in [x, y, z] { try await TestIRCClient.waitForNames(client, "#net", ["xena", "yuri", "zoe"]) }

        c.kill9()
        let quitAtX = try await x.expect(timeout: .seconds(10)) { $0.command == "QUIT" && $0.sourceNick == "zoe" }
        #expect(quitAtX.parameters == ["a.chatty c.chatty"])
        let quitAtY = try await y.expect(timeout: .seconds(10)) { $0.command == "QUIT" && $0.sourceNick == "zoe" }
        #expect(quitAtY.parameters == ["b.chatty c.chatty"])
        try await x.send("PRIVMSG #net :still talking")
        let message = try await y.expect { $0.command == "PRIVMSG" }
        #expect(message.parameters == ["#net", "still talking"] && message.sourceNick == "xena")

        try await c.start()
        let z2 = try await Self.connect(c.clientPort, name: "z2")
        try await z2.register("zoe")
        try await z2.send("JOIN #net")
        try await z2.expect { $0.command == "366" }
        try await TestIRCClient.waitForNames(z2, "#net", ["xena", "yuri", "zoe"])
        let rejoin = try await x.expect(timeout: .seconds(10)) { $0.command == "JOIN" && $0.sourceNick == "zoe" }
        #expect(rejoin.parameters == ["#net"])
        try await z2.send("PRIVMSG #net :I am back")
        try await x.expect { $0.command == "PRIVMSG" && $0.parameters[1] == "I am back" }
        try await y.expect { $0.command == "PRIVMSG" && $0.parameters[1] == "I am back" }
        for client in [x, y, z, z2] { await client.close() }
    }
}
