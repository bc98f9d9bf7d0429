import ChatCore
import Foundation
import Testing

/// Three `chatty-tui serve` processes on loopback: kill -9 one, the others carry on; restart it, it rejoins.
@Suite(.serialized, .timeLimit(.minutes(3))) struct FederationProcessTests {
    final class ServerProcess {
        let name: String
        let clientPort: Int
        let linkPort: Int
        let peers: [Int]
        let secretFile: String
        var process: Process?

        init(name: String, clientPort: Int, linkPort: Int, peers: [Int], secretFile: String) {
            self.name = name
            self.clientPort = clientPort
            self.linkPort = linkPort
            self.peers = peers
            self.secretFile = secretFile
        }

        func start() throws {
            var root = URL(fileURLWithPath: #filePath)
            while !FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path) {
                root.deleteLastPathComponent()
            }
            let process = Process()
            process.executableURL = root.appendingPathComponent(".build/debug/chatty-tui")
            process.arguments = ["serve", "--listen", "127.0.0.1:\(clientPort)", "--name", name,
                                 "--link-listen", "127.0.0.1:\(linkPort)", "--link-secret-file", secretFile,
                                 "--link-timeout", "1.5", "--flood-rate", "0", "--threads", "1", "--log-level", "warning"]
                + peers.flatMap { ["--peer", "127.0.0.1:\($0)"] }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            self.process = process
        }

        func kill9() {
            guard let process else { return }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        func stop() {
            guard let process, process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
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
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("chatty-secret-\(base)").path
        try "process test network secret 0123456789".write(toFile: secretFile, atomically: true, encoding: .utf8)
        let a = ServerProcess(name: "a.chatty", clientPort: base, linkPort: base + 10, peers: [], secretFile: secretFile)
        let b = ServerProcess(name: "b.chatty", clientPort: base + 1, linkPort: base + 11, peers: [base + 10], secretFile: secretFile)
        let c = ServerProcess(name: "c.chatty", clientPort: base + 2, linkPort: base + 12, peers: [base + 11], secretFile: secretFile)
        defer { a.stop(); b.stop(); c.stop() }
        try a.start(); try b.start(); try c.start()

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

        try c.start()
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
