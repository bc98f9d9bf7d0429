import ChattyTestSupport
import Foundation
import Testing

/// `chatty-bench` against `chatty-tui serve`, both as the unprivileged user: the load generator's
/// client sockets once set a privileged socket option (SO_DEBUG) and failed for everyone but root.
@Suite(.timeLimit(.minutes(2))) struct ChatBenchProcessTests {
    @Test func benchmarkRunsAsAnOrdinaryUser() async throws {
        let server = try await ServerProcess.start()
        defer { server.kill9() }
        let result = try UnprivilegedUser.run([
            UnprivilegedUser.benchBinary, "--port", String(server.port), "--clients", "20", "--senders", "2",
            "--duration", "0.5", "--warmup", "0.2", "--threads", "1",
        ])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("deliveries"), "\(result.output)")
        #expect(try await server.stop() == 0)
    }
}
