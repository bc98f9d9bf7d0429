import ChatCore
import NIOCore
import Testing

@testable import ChatServer

@Suite struct ChatServerLifecycleTests {
    static func server() -> ChatServer {
        ChatServer(configuration: ChatServerConfiguration(listen: .hostname("127.0.0.1", port: 0), threads: 1))
    }

    @Test func aSecondShutdownReturnsOnlyAfterTheFirstHasFinished() async throws {
        let server = Self.server()
        let port = try await server.start().port!
        let client = try await TestIRCClient.connect(port: port, name: "stays")
        try await client.register("stays")
        async let first: Void = server.shutdown()
        // Let the first shutdown begin, then ask again.
        while server.lifecycleName == "running" { await Task.yield() }
        await server.shutdown()
        #expect(server.lifecycleName == "shutDown")
        #expect(server.connectionCount == 0, "the second call waited for the clients to be closed")
        await first
        let messages = try await client.waitClosed()
        #expect(messages.contains { $0.command == "ERROR" && $0.parameters.last == "Server shutting down" })
    }

    @Test func startingTwiceIsRefusedAndAShutDownServerCannotStart() async throws {
        let server = Self.server()
        _ = try await server.start()
        await #expect(throws: (any Error).self) { try await server.start() }
        await server.shutdown()
        await #expect(throws: (any Error).self) { try await server.start() }
        await server.shutdown()  // a no-op once shut down
        #expect(server.lifecycleName == "shutDown")
    }

    @Test func shutdownBeforeStartStopsTheEventLoops() async {
        let server = Self.server()
        await server.shutdown()
        #expect(server.lifecycleName == "shutDown")
    }
}
