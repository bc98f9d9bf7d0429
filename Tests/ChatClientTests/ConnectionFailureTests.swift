import NIOCore
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#endif

@testable import ChatClient

/// A failed connection in one human line instead of SwiftNIO's nested errors.
@Suite struct ConnectionFailureTests {
    @Test func refusedUnreachableAndTimedOutReadAsWords() async throws {
        // A real refused connect: nothing listens on a port just closed.
        let group = MultiThreadedEventLoopGroup.singleton
        let probe = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let port = probe.localAddress!.port!
        try await probe.close()
        do {
            _ = try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get()
            Issue.record("connected to a closed port")
        } catch {
            #expect("\(error)".contains("SingleConnectionFailure") || "\(error)".contains("ECONNREFUSED") || "\(error)".contains("refused"))
            #expect(ConnectionFailure(error, host: "127.0.0.1", port: port).description == "connection refused by 127.0.0.1:\(port)")
        }
        #expect(ConnectionFailure.errnoText(EHOSTUNREACH, address: "10.0.0.1:6667") == "10.0.0.1:6667 is unreachable")
        #expect(ConnectionFailure(ChannelError.connectTimeout(.seconds(10)), host: "::1", port: 6667).description
                == "no answer from [::1]:6667 (timed out)")
    }
}
