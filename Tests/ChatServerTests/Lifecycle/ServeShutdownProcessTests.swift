import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// `chatty-tui serve` under SIGTERM, as a service manager stops it.
@Suite(.timeLimit(.minutes(2))) struct ServeShutdownProcessTests {
    @Test func sigtermWith200ClientsSendsErrorToEveryOneAndExitsCleanlyWithinTwoSeconds() async throws {
        let server = try await ServerProcess.start()
        defer { server.kill9() }
        var clients: [TestIRCClient] = []
        for index in 0..<200 {
            let client = try await TestIRCClient.connect(port: server.port, name: "c\(index)")
            try await client.send("NICK c\(index)", "USER c\(index) 0 * :Client \(index)")
            clients.append(client)
        }
        for client in clients { try await client.expect { $0.command == "001" } }

        let stopped = ContinuousClock.now
        server.process.signal(SIGTERM)
        let status = try await server.process.waitForExit(timeout: .seconds(10))
        let took = ContinuousClock.now - stopped
        #expect(status == 0)
        #expect(took < .seconds(2), "exited after \(took)")
        var told = 0
        for client in clients {
            let messages = try await client.waitClosed()
            if messages.contains(where: { $0.command == "ERROR" && $0.parameters.last == "Server shutting down" }) { told += 1 }
        }
        #expect(told == 200)
    }
}
