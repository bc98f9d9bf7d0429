import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// `chatty-tui serve` under a low open-file limit (`prlimit --nofile=64:64`), as an unprivileged user:
/// it keeps serving the clients it holds, refuses the rest with a clear error, logs that once, and
/// does not spin.
@Suite(.serialized, .timeLimit(.minutes(2)),
       .enabled(if: ExternalTool.available("prlimit"), "\(ExternalTool.skipNote("prlimit", package: "util-linux"))"))
struct DescriptorLimitProcessTests {
    /// CPU time (user + system) of a process, in clock ticks, from /proc.
    static func cpuTicks(_ pid: Int32) throws -> Int {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        return Int(fields[11])! + Int(fields[12])!
    }

    @Test func fullServerKeepsItsClientsRefusesNewOnesAndDoesNotSpin() async throws {
        let prlimit = try ExternalTool.require("prlimit", package: "util-linux")
        let server = try await ServerProcess(["--listen", "127.0.0.1:0", "--threads", "1", "--flood-rate", "0"],
                                             wrapper: [prlimit, "--nofile=64:64"])
        defer { server.kill9() }
        let capacityLine = try await server.process.waitForError("] capacity")
        #expect(capacityLine.contains("open-file-limit=64"))
        let capacity = try #require(capacityLine.split(separator: " ").first { $0.hasPrefix("clients=") }
            .flatMap { Int($0.dropFirst("clients=".count)) })
        #expect(capacity > 0 && capacity < 64)

        var members: [TestIRCClient] = []
        for index in 0..<capacity {
            let client = try await TestIRCClient.connect(port: server.port, name: "member\(index)")
            try await client.register("member\(index)")
            members.append(client)
        }
        // Twice the capacity again: every one of them is told, and closed.
        for index in 0..<capacity {
            let refused = try await TestIRCClient.connect(port: server.port, name: "refused\(index)")
            let lines = try await refused.waitClosed()
            #expect(lines.contains { $0.command == "ERROR" && $0.parameters.last?.contains("Server full") == true },
                    "\(lines)")
        }
        try await server.process.waitForError("server full: refusing new clients")

        // The clients it holds are served as before.
        try await members[0].join("#full")
        try await members[1].join("#full")
        try await members[0].send("PRIVMSG #full :still here")
        try await members[1].expect { $0.command == "PRIVMSG" && $0.parameters.last == "still here" }

        // Idle while full: no busy loop (a spinning loop burns about 100 ticks a second).
        let before = try Self.cpuTicks(server.pid)
        try await Task.sleep(for: .seconds(1))
        #expect(try Self.cpuTicks(server.pid) - before < 30)
        #expect(server.process.errorLines.filter { $0.contains("server full") }.count == 1, "refusals are logged rate-limited")

        // A place that frees up is taken again.
        await members.removeLast().close()
        let newcomer = try await withDeadline(.seconds(10), what: "admitted after a client left") {
            while true {
                let client = try await TestIRCClient.connect(port: server.port, name: "newcomer")
                try await client.send("NICK newcomer", "USER newcomer 0 * :Newcomer")
                let reply = try await client.expect { $0.command == "001" || $0.command == "ERROR" }
                if reply.command == "001" { return client }
                await client.close()
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        await newcomer.close()
        for member in members { await member.close() }
    }
}
