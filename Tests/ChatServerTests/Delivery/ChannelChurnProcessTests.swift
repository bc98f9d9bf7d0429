import ChatCore
import ChattyTestSupport
import Foundation
import NIOConcurrencyHelpers
import Testing

/// Concurrency in one server (issue 15): while one client floods a channel, others join, change
/// nick, part and quit it over and over on connections of their own. The join/leave guarantee —
/// a member receives every message delivered after its JOIN and none after its PART or QUIT, in
/// order — is judged by the ``MembershipChecker`` against the flooder's own view of the order.
@Suite(.serialized, .timeLimit(.minutes(2))) struct ChannelChurnProcessTests {
    static let channel = "#flood"
    static let (churners, connections, rounds) = (6, 3, 5)

    @Test func membersGetExactlyWhatIsSentWhileTheyAreIn() async throws {
        let server = try await ServerProcess.start(["--threads", "2"])
        defer { server.kill9() }
        let flooder = try await FederationProcessTests.connect(server.port, name: "flooder")
        try await flooder.register("flooder", caps: ["echo-message"])
        try await flooder.join(Self.channel)

        let churning = NIOLockedValueBox(true)
        let flood = Task {
            var sent = 0
            while churning.withLockedValue({ $0 }) || sent < 1_000 {
                var lines: [String] = []
                for _ in 0..<25 {
                    sent += 1
                    lines.append("PRIVMSG \(Self.channel) :flood \(sent)")
                }
                try await flooder.sendRaw(Array((lines.joined(separator: "\r\n") + "\r\n").utf8))
                // As fast as the server takes them: the next batch once this one's echo is back (so a
                // slow machine floods as hard, without a backlog that would hold up everyone's replies).
                let last = "flood \(sent)"
                try await flooder.expect(timeout: .seconds(30)) { $0.command == "PRIVMSG" && $0.parameters.last == last }
            }
            return sent
        }
        // Six churners, three connections each, five rounds of join / nick / part per connection;
        // every other connection quits while still in the channel.
        let sessions = try await withThrowingTaskGroup(of: [MembershipChecker.Session].self) { group in
            for churner in 0..<Self.churners {
                group.addTask { try await Self.churn(churner, port: server.port) }
            }
            var all: [MembershipChecker.Session] = []
            for try await done in group { all += done }
            return all
        }
        churning.withLockedValue { $0 = false }
        let sent = try await flood.value
        // Everything the churners did reached the flooder before this answer.
        try await flooder.send("PING :end")
        try await flooder.expect(timeout: .seconds(30)) { $0.command == "PONG" && $0.parameters.last == "end" }
        // The order itself is whole: the server echoed every flood line once, in order (a line lost
        // for everyone would otherwise be expected of nobody).
        let echoed = flooder.allMessages.filter { $0.command == "PRIVMSG" && $0.sourceNick == "flooder" }.compactMap(\.parameters.last)
        #expect(echoed == (1...sent).map { "flood \($0)" }, "the flooder's echoes are 1…\(sent) in order")
        let problems = MembershipChecker.check(order: flooder.allMessages, channel: Self.channel, sender: "flooder", sessions: sessions)
        let joins = flooder.allMessages.filter { $0.command == "JOIN" && $0.sourceNick != "flooder" }.count
        let shown = sessions.map { session in session.shown.filter { $0.command == "PRIVMSG" }.count }.reduce(0, +)
        await flooder.close()
        #expect(problems.isEmpty, "\(problems)")
        #expect(sessions.count == Self.churners * Self.connections && joins == Self.churners * Self.connections * Self.rounds, "every churn happened (\(sessions.count) sessions, \(joins) joins)")
        #expect(sent >= 1_000 && shown > 0, "the flood overlapped the churn (\(sent) sent, \(shown) shown to churners)")
    }

    private static func churn(_ churner: Int, port: Int) async throws -> [MembershipChecker.Session] {
        var sessions: [MembershipChecker.Session] = []
        for connection in 0..<connections {
            var nick = "c\(churner)s\(connection)n0"
            var nicks: Set<String> = [nick]
            let client = try await FederationProcessTests.connect(port, name: nick)
            try await client.register(nick)
            let quitsInside = (churner + connection) % 2 == 0
            for round in 1...rounds {
                try await client.join(channel)
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...15)))
                let next = "c\(churner)s\(connection)n\(round)"
                try await client.send("NICK \(next)")
                try await client.expect { $0.command == "NICK" && $0.parameters.first == next }
                nick = next
                nicks.insert(nick)
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...15)))
                if round == rounds && quitsInside { break }
                try await client.send("PART \(channel)")
                try await client.expect { $0.command == "PART" && $0.sourceNick == next }
            }
            try await client.send("QUIT :done")
            let shown = try await client.waitClosed(timeout: .seconds(30))
            sessions.append(MembershipChecker.Session(name: "churner \(churner) connection \(connection)", nicks: nicks, shown: shown))
        }
        return sessions
    }
}

/// The checker itself, on hand-made histories: it must be able to fail.
@Suite struct MembershipCheckerTests {
    private func message(_ nick: String, _ command: String, _ parameters: String...) -> IRCMessage {
        IRCMessage(source: "\(nick)!u@h", command: command, parameters: parameters)
    }

    private var order: [IRCMessage] {
        [message("f", "PRIVMSG", "#c", "1"),
         message("m", "JOIN", "#c"),
         message("f", "PRIVMSG", "#c", "2"),
         message("m", "NICK", "m2"),
         message("f", "PRIVMSG", "#c", "3"),
         message("m2", "PART", "#c"),
         message("f", "PRIVMSG", "#c", "4")]
    }

    private func session(_ texts: [String]) -> MembershipChecker.Session {
        .init(name: "m", nicks: ["m", "m2"], shown: texts.map { message("f", "PRIVMSG", "#c", $0) })
    }

    @Test func acceptsWhatWasSentWhileAMember() {
        #expect(MembershipChecker.check(order: order, channel: "#c", sender: "f", sessions: [session(["2", "3"])]).isEmpty)
    }

    @Test func findsAMissedMessageOneAfterThePartAndAReordering() {
        let missed = MembershipChecker.check(order: order, channel: "#c", sender: "f", sessions: [session(["2"])])
        #expect(missed.count == 1 && missed[0].contains("missed 1"), "\(missed)")
        let afterPart = MembershipChecker.check(order: order, channel: "#c", sender: "f", sessions: [session(["2", "3", "4"])])
        #expect(afterPart.count == 1 && afterPart[0].contains("not a member"), "\(afterPart)")
        let beforeJoin = MembershipChecker.check(order: order, channel: "#c", sender: "f", sessions: [session(["1", "2", "3"])])
        #expect(beforeJoin.count == 1 && beforeJoin[0].contains("not a member"), "\(beforeJoin)")
        let reordered = MembershipChecker.check(order: order, channel: "#c", sender: "f", sessions: [session(["3", "2"])])
        #expect(reordered.count == 1 && reordered[0].contains("order"), "\(reordered)")
        let twice = MembershipChecker.check(order: order, channel: "#c", sender: "f", sessions: [session(["2", "2", "3"])])
        #expect(twice.count == 1, "\(twice)")
    }

    @Test func aQuitEndsMembershipAsAPartDoes() {
        let quit = [message("m", "JOIN", "#c"), message("f", "PRIVMSG", "#c", "1"), message("m", "QUIT", "bye"),
                    message("f", "PRIVMSG", "#c", "2")]
        let session = MembershipChecker.Session(name: "m", nicks: ["m"], shown: [message("f", "PRIVMSG", "#c", "1"), message("f", "PRIVMSG", "#c", "2")])
        #expect(!MembershipChecker.check(order: quit, channel: "#c", sender: "f", sessions: [session]).isEmpty)
    }
}
