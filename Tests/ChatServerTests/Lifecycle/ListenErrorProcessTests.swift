import ChattyTestSupport
import Foundation
import Testing

/// A server that cannot listen says why, in words a user can act on, and exits 1.
@Suite(.timeLimit(.minutes(1))) struct ListenErrorProcessTests {
    @Test func aPrivilegedPortIsRefusedWithAHint() throws {
        let start = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_unprivileged_port_start", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 1024
        guard start > 80 else { return }  // this machine lets everyone bind port 80
        let result = try UnprivilegedUser.run(["/bin/sh", "-c", "\(UnprivilegedUser.binary) serve --history off --listen 127.0.0.1:80 2>&1"])
        #expect(result.status == 1)
        #expect(result.output.contains("cannot listen for clients on 127.0.0.1:80: permission denied"), "\(result.output)")
        #expect(result.output.contains("choose a port above 1024"))
    }

    @Test func anAddressInUseIsSaidSo() async throws {
        let first = try await ServerProcess.start()
        defer { first.kill9() }
        let result = try UnprivilegedUser.run(["/bin/sh", "-c",
                                               "\(UnprivilegedUser.binary) serve --history off --listen 127.0.0.1:\(first.port) 2>&1"])
        #expect(result.status == 1)
        #expect(result.output.contains("cannot listen for clients on 127.0.0.1:\(first.port): the address is in use"),
                "\(result.output)")
    }
}
