import ChatClient
import ChatCore
import Foundation
import NIOPosix
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite(.timeLimit(.minutes(1))) struct IRCClientRuntimeTests {
    /// A server of one connection that, once accepted, writes `lines` in one go and then waits.
    final class BurstServer: Sendable {
        let port: Int
        private let listener: Int32
        private let done = DispatchSemaphore(value: 0)

        init(lines: [String]) throws {
            let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.listener = listener
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                    bind(listener, socketAddress, length) == 0 && listen(listener, 1) == 0
                        && getsockname(listener, socketAddress, &length) == 0
                }
            }
            guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
            port = Int(UInt16(bigEndian: address.sin_port))
            let bytes = Array(lines.map { $0 + "\r\n" }.joined().utf8)
            let done = done
            Thread.detachNewThread {
                let connection = accept(listener, nil, nil)
                guard connection >= 0 else { return }
                var sent = 0
                while sent < bytes.count {
                    let written = bytes[sent...].withUnsafeBytes { send(connection, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    guard written > 0 else { break }
                    sent += written
                }
                done.wait()
                close(connection)
            }
        }

        func stop() {
            done.signal()
            close(listener)
        }
    }

    @Test func theEventsOfOneReadReachTheUITogetherAndInOrder() async throws {
        let count = 300
        let lines = [":srv 001 viewer :Welcome"]
            + (0..<count).map { ":bob!b@h PRIVMSG viewer :line \($0) the quick brown fox jumps over the lazy dog" }
        let server = try BurstServer(lines: lines)
        defer { server.stop() }
        let (batches, continuation) = AsyncStream.makeStream(of: [ClientEvent].self)
        let runtime = IRCClientRuntime(servers: [ServerEndpoint(host: "127.0.0.1", port: server.port)],
                                       configuration: ClientConfiguration(nick: "viewer"),
                                       eventLoop: MultiThreadedEventLoopGroup.singleton.next(),
                                       onEvents: { continuation.yield($0) })
        runtime.start()
        var texts: [String] = []
        var batchesWithMessages = 0
        var sawConnecting = false
        for await batch in batches {
            sawConnecting = sawConnecting || batch.contains { $0 == .stateChanged(.connecting) }
            let messages = batch.compactMap { event -> String? in
                guard case .message(let message) = event else { return nil }
                return message.text
            }
            if !messages.isEmpty { batchesWithMessages += 1 }
            texts += messages
            if texts.count >= count { break }
        }
        runtime.perform { machine, _ in machine.userQuit(reason: nil) }
        #expect(sawConnecting, "events outside a read (the connection attempt) are handed over at once")
        #expect(texts == (0..<count).map { "line \($0) the quick brown fox jumps over the lazy dog" }, "all, in order")
        // 300 lines of about 80 bytes: a few reads of up to 64 KiB, far fewer batches than lines.
        #expect(batchesWithMessages <= count / 10, "\(batchesWithMessages) batches for \(count) lines")
    }
}
