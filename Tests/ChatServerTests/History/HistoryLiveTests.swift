import ChatCore
import Foundation
import NIOCore
import Testing

@testable import ChatServer

/// CHATHISTORY, SEARCH and MARKREAD against a real server with a store, over loopback.
@Suite(.timeLimit(.minutes(2))) struct HistoryLiveTests {
    static let caps = ["batch", "message-tags", "server-time", "labeled-response", "draft/chathistory", "soju.im/search",
                       "draft/read-marker"]

    private func withHistoryServer(_ body: (Int) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "chatty-history-live-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = ChatServer(configuration: ChatServerConfiguration(
            listen: .hostname("127.0.0.1", port: 0), core: ServerConfiguration(motd: ["hi"]), threads: 2,
            flood: .init(rate: 0, burst: 10, hardLimit: 100)
        ), history: try HistoryStore(directory: directory))
        let port = try await server.start().port!
        do {
            try await body(port)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// Sends `line` and collects the texts (last parameters) of the messages in the answering batch.
    private func batch(_ client: TestIRCClient, _ line: String) async throws -> (type: String, texts: [String], label: String?) {
        try await client.send("@label=L1 " + line)
        let start = try await client.expect { $0.command == "BATCH" && $0.parameters.first?.hasPrefix("+") == true }
        let id = String(start.parameters[0].dropFirst())
        var texts: [String] = []
        while true {
            let message = try await client.expect { $0.tag("batch") == id || ($0.command == "BATCH" && $0.parameters.first == "-" + id) }
            if message.command == "BATCH" { break }
            texts.append(message.command == "CHATHISTORY" ? message.parameters[1] : message.parameters.last ?? "")
        }
        return (start.parameters[1], texts, start.tag("label"))
    }

    @Test func everySubcommandAndReferenceType() async throws {
        try await withHistoryServer { port in
            let ann = try await TestIRCClient.connect(port: port, name: "ann")
            let ben = try await TestIRCClient.connect(port: port, name: "ben")
            try await ann.register("ann", caps: Self.caps)
            try await ben.register("ben", caps: Self.caps)
            try await ann.join("#live")
            try await ben.join("#live")
            var ids: [String] = []
            var times: [String] = []
            for index in 1...6 {
                try await ann.send("PRIVMSG #live :m\(index)")
                let seen = try await ben.expect { $0.command == "PRIVMSG" && $0.parameters.last == "m\(index)" }
                ids.append(seen.tag("msgid")!)
                times.append(seen.tag("time")!)
            }
            try await ann.send("PRIVMSG ben :just for ben")
            _ = try await ben.expect { $0.parameters.last == "just for ben" }

            let latest = try await batch(ben, "CHATHISTORY LATEST #live * 3")
            #expect(latest.type == "chathistory" && latest.label == "L1")
            #expect(latest.texts == ["m4", "m5", "m6"])
            #expect(try await batch(ben, "CHATHISTORY LATEST #live msgid=\(ids[3]) 10").texts == ["m5", "m6"])
            #expect(try await batch(ben, "CHATHISTORY BEFORE #live msgid=\(ids[2]) 10").texts == ["m1", "m2"])
            #expect(try await batch(ben, "CHATHISTORY AFTER #live msgid=\(ids[3]) 1").texts == ["m5"])
            #expect(try await batch(ben, "CHATHISTORY AROUND #live msgid=\(ids[2]) 3").texts == ["m2", "m3", "m4"])
            #expect(try await batch(ben, "CHATHISTORY BETWEEN #live msgid=\(ids[0]) msgid=\(ids[4]) 10").texts == ["m2", "m3", "m4"])
            let before = try await batch(ben, "CHATHISTORY BEFORE #live timestamp=\(times[5]) 100").texts
            #expect(before.allSatisfy { $0 != "m6" } && before.contains("m1"), "\(before)")
            #expect(try await batch(ben, "CHATHISTORY LATEST ann * 5").texts == ["just for ben"])
            let targets = try await batch(ben, "CHATHISTORY TARGETS timestamp=2020-01-01T00:00:00.000Z timestamp=2099-01-01T00:00:00.000Z 10")
            #expect(targets.type == "draft/chathistory-targets")
            #expect(Set(targets.texts) == ["ann", "#live"])
            let search = try await batch(ben, "SEARCH text=M5")
            #expect(search.type == "soju.im/search" && search.texts == ["m5"])

            try await ben.send("@label=L2 CHATHISTORY AFTER #live msgid=nonexistent 5")
            let error = try await ben.expect { $0.command == "FAIL" }
            #expect(error.parameters.prefix(4) == ["CHATHISTORY", "MESSAGE_ERROR", "AFTER", "#live"])
            #expect(error.tag("label") == "L2")

            try await ben.send("MARKREAD #live timestamp=\(times[5])")
            let marker = try await ben.expect { $0.command == "MARKREAD" }
            #expect(marker.parameters == ["#live", "timestamp=\(times[5])"])
            await ann.close()
            await ben.close()
        }
    }

    @Test func someoneElsesConversationsStayPrivate() async throws {
        try await withHistoryServer { port in
            let ann = try await TestIRCClient.connect(port: port, name: "ann")
            let ben = try await TestIRCClient.connect(port: port, name: "ben")
            let eve = try await TestIRCClient.connect(port: port, name: "eve")
            try await ann.register("ann", caps: Self.caps)
            try await ben.register("ben", caps: Self.caps)
            try await eve.register("eve", caps: Self.caps)
            try await ann.join("#secret")
            try await ann.send("MODE #secret +s", "PRIVMSG #secret :hidden", "PRIVMSG ben :between us")
            _ = try await ben.expect { $0.parameters.last == "between us" }
            try await eve.send("CHATHISTORY LATEST #secret * 10")
            let refused = try await eve.expect { $0.command == "FAIL" }
            #expect(refused.parameters.prefix(2) == ["CHATHISTORY", "INVALID_TARGET"])
            #expect(try await batch(eve, "CHATHISTORY LATEST ann * 10").texts.isEmpty, "eve↔ann is empty, not ann↔ben")
            #expect(try await batch(eve, "SEARCH text=between").texts.isEmpty)
            #expect(try await batch(eve, "SEARCH text=hidden").texts.isEmpty)
            #expect(try await batch(ben, "SEARCH text=between").texts == ["between us"])
            await ann.close()
            await ben.close()
            await eve.close()
        }
    }
}
