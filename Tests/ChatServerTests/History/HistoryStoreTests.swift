import ChatCore
import Foundation
import GRDB
import Testing

@testable import ChatServer

@Suite struct HistoryStoreTests {
    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "chatty-history-\(UUID().uuidString)"
        return path
    }

    /// `count` messages `m1…` in `#c`, one second apart from `base`.
    static func messages(_ range: ClosedRange<Int>, in conversation: String = "#c", base: Int64 = 1_795_000_000_000) -> [HistoryRecord] {
        range.map { index in
            let time = Timestamp(millisecondsSinceEpoch: base + Int64(index) * 1000)
            let message = IRCMessage(tags: [.init("time", time.iso8601), .init("msgid", "m\(index)")], source: "a!u@h",
                                     command: "PRIVMSG", parameters: [conversation.hasPrefix("#") ? conversation : "b", "text \(index)"])
            return HistoryRecord(conversation: conversation, time: time, message: message)
        }
    }

    private func request(_ selection: HistoryQuery.Selection, limit: Int = 100, conversation: String = "#c",
                         channels: [String] = ["#c"], nick: String = "a") -> HistoryRequest {
        HistoryRequest(client: ClientID(0), uid: "u", query: HistoryQuery(target: conversation, selection: selection, limit: limit),
                       conversation: conversation, channels: channels, nick: nick, label: nil)
    }

    private func ids(_ entries: [HistoryEntry]) -> [String] { entries.map(\.msgid) }

    @Test func everySelection() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        try store.append(Self.messages(1...10))
        try store.append(Self.messages(1...3, in: "#other"))
        let at5 = Timestamp(millisecondsSinceEpoch: 1_795_000_005_000)
        #expect(ids(try store.entries(request(.latest(after: nil), limit: 3))) == ["m8", "m9", "m10"])
        #expect(ids(try store.entries(request(.latest(after: .msgid("m8")), limit: 5))) == ["m9", "m10"])
        #expect(ids(try store.entries(request(.before(.msgid("m5")), limit: 2))) == ["m3", "m4"])
        #expect(ids(try store.entries(request(.before(.timestamp(at5)), limit: 2))) == ["m3", "m4"])
        #expect(ids(try store.entries(request(.after(.msgid("m5")), limit: 2))) == ["m6", "m7"])
        #expect(ids(try store.entries(request(.after(.timestamp(at5)), limit: 2))) == ["m6", "m7"])
        #expect(ids(try store.entries(request(.around(.msgid("m5")), limit: 4))) == ["m3", "m4", "m5", "m6"])
        #expect(ids(try store.entries(request(.between(.msgid("m2"), .msgid("m6")), limit: 10))) == ["m3", "m4", "m5"])
        #expect(ids(try store.entries(request(.between(.msgid("m6"), .msgid("m2")), limit: 2))) == ["m4", "m5"],
                "backwards: the newest before the first reference")
        #expect(throws: HistoryStore.UnknownReference.self) {
            try store.entries(request(.after(.msgid("m1")), conversation: "#nothing"))
        }
    }

    @Test func withoutEventPlaybackOnlyMessagesCountTowardsTheLimit() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        try store.append(Self.messages(1...2))
        let join = HistoryRecord(conversation: "#c", time: Timestamp(millisecondsSinceEpoch: 1_795_000_003_000),
                                 message: IRCMessage(tags: [.init("msgid", "j1")], source: "b!u@h", command: "JOIN", parameters: ["#c"]))
        try store.append([join])
        #expect(ids(try store.entries(request(.latest(after: nil), limit: 2))) == ["m1", "m2"])
        var playback = request(.latest(after: nil), limit: 2)
        playback.eventPlayback = true
        #expect(ids(try store.entries(playback)) == ["m2", "j1"])
        #expect(ids(try store.entries(request(.before(.msgid("j1")), limit: 5))) == ["m1", "m2"], "an event is a reference too")
    }

    @Test func aRelayedDuplicateIsStoredOnceAndOrderIsDeliveryOrder() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        // Delivered out of time order (causal order across servers): the store keeps delivery order.
        try store.append(Self.messages(2...2) + Self.messages(1...1))
        try store.append(Self.messages(1...2))
        #expect(try store.count() == 2)
        #expect(ids(try store.entries(request(.latest(after: nil)))) == ["m2", "m1"])
        // Pruning the duplicates too leaves the search index whole (they were never in it).
        try store.prune(olderThan: Timestamp(millisecondsSinceEpoch: 1_900_000_000_000))
        #expect(try store.count() == 0)
        try store.pool.write { db in try db.execute(sql: "INSERT INTO message_fts(message_fts) VALUES ('integrity-check')") }
    }

    @Test func targetsListsOnlyTheAskersConversations() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        try store.append(Self.messages(1...2, in: "#c"))
        try store.append(Self.messages(3...3, in: "a b"))
        try store.append(Self.messages(4...4, in: "b c"))
        try store.append(Self.messages(5...5, in: "#private"))
        try store.append(Self.messages(6...6, in: "a_ z"))
        let all = HistoryQuery.Selection.targets(from: Timestamp(millisecondsSinceEpoch: 0),
                                                 to: Timestamp(millisecondsSinceEpoch: 1_900_000_000_000))
        let targets = try store.targets(request(all, conversation: "", channels: ["#c"], nick: "A"))
        #expect(targets.map(\.name) == ["b", "#c"], "newest first; not #private, not b↔c, and a_ is not a")
        // Only rows in the range count: #c's newest in (m1, m4) is m2, b's (m3) is outside it.
        let range = HistoryQuery.Selection.targets(from: Timestamp(millisecondsSinceEpoch: 1_795_000_001_000),
                                                   to: Timestamp(millisecondsSinceEpoch: 1_795_000_003_000))
        let inRange = try store.targets(request(range, conversation: "", channels: ["#c"], nick: "A"))
        #expect(inRange == [HistoryReply.Target(name: "#c", latest: Timestamp(millisecondsSinceEpoch: 1_795_000_002_000))])
    }

    @Test func historySurvivesReopeningAndPruningRemovesOldMessages() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        do {
            let store = try HistoryStore(directory: directory)
            try store.append(Self.messages(1...5))
        }
        let reopened = try HistoryStore(directory: directory)
        #expect(try reopened.count() == 5)
        #expect(try reopened.prune(olderThan: Timestamp(millisecondsSinceEpoch: 1_795_000_003_000)) == 2)
        #expect(ids(try reopened.entries(request(.latest(after: nil)))) == ["m3", "m4", "m5"])
    }

    @Test func aRedactedMessageAndItsMultilineLinesAreGoneFromTheHistoryAndSearch() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        var records = Self.messages(1...4)
        for index in 0..<2 {
            var line = records[3]
            line.message.tags = [.init("time", records[3].time.iso8601), .init("msgid", "ml-\(index)")]
            records.append(line)
        }
        try store.append(records)
        try store.append(Self.messages(2...2, in: "#other"))
        #expect(try store.redact(conversation: "#c", msgid: "m2") == 1)
        #expect(try store.redact(conversation: "#c", msgid: "ml") == 2)
        #expect(try store.redact(conversation: "#c", msgid: "m") == 0, "a prefix of another id deletes nothing")
        #expect(ids(try store.entries(request(.latest(after: nil)))) == ["m1", "m3", "m4"])
        #expect(ids(try store.entries(request(.latest(after: nil), conversation: "#other", channels: ["#other"]))) == ["m2"])
    }

    @Test func channelsAreKeptAndReplaced() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        let created = Timestamp(millisecondsSinceEpoch: 1_700_000_000_000)
        var snapshot = ChannelSnapshot(name: "#Kept", topic: "hello", topicSetter: "a!u@h", topicTime: created,
                                       modes: ChannelSnapshot.modes(flags: "imt", key: "k", limit: 7), created: created)
        _ = snapshot.modes.lists.add(.ban, mask: "bad", setter: "a!u@h", time: created)
        _ = snapshot.modes.lists.add(.exception, mask: "*!*@good", setter: "a!u@h", time: created)
        try store.save(snapshot)
        #expect(try store.channels() == [snapshot])
        snapshot.topic = nil
        snapshot.modes.key = nil
        try store.save(snapshot)
        #expect(try store.channels() == [snapshot])
    }

    @Test func searchFindsWordsOnlyWhereTheClientMayRead() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        func entry(_ id: String, _ text: String, in conversation: String, from sender: String = "a", at second: Int64) -> HistoryRecord {
            let time = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000 + second * 1000)
            return HistoryRecord(conversation: conversation, time: time,
                                 message: IRCMessage(tags: [.init("time", time.iso8601), .init("msgid", id)], source: "\(sender)!u@h",
                                                     command: "PRIVMSG", parameters: [conversation, text]))
        }
        try store.append([
            entry("s1", "the deploy failed", in: "#ops", at: 1),
            entry("s2", "Deploy worked, hooray", in: "#ops", from: "Bob", at: 2),
            entry("s3", "deploy secrets here", in: "#private", at: 3),
            entry("s4", "deploy between us", in: "a b", at: 4),
            entry("s5", "deploy between others", in: "b c", at: 5),
            entry("s6", "NOT deploy OR anything", in: "#ops", at: 6),
        ])
        func search(_ criteria: HistoryQuery.SearchCriteria, in conversation: String = "", limit: Int = 10) throws -> [String] {
            let request = HistoryRequest(client: ClientID(0), uid: "u",
                                         query: HistoryQuery(target: conversation, selection: .search(criteria), limit: limit),
                                         conversation: conversation, channels: ["#ops"], nick: "A", label: nil)
            return try store.entries(request).map(\.msgid)
        }
        #expect(try search(.init(text: "deploy")) == ["s1", "s2", "s4", "s6"], "not #private, not b↔c; case-insensitive")
        #expect(try search(.init(text: "deploy failed")) == ["s1"], "every word")
        #expect(try search(.init(text: "deploy", from: "bob")) == ["s2"])
        #expect(try search(.init(text: "deploy", after: Timestamp(millisecondsSinceEpoch: 1_795_000_001_500),
                                 before: Timestamp(millisecondsSinceEpoch: 1_795_000_005_500))) == ["s2", "s4"])
        #expect(try search(.init(text: "deploy"), limit: 2) == ["s4", "s6"], "the newest, oldest first")
        #expect(try search(.init(text: "deploy"), in: "#ops") == ["s1", "s2", "s6"])
        #expect(try search(.init(text: "NOT OR \"")) == ["s6"], "operators are words")
        try store.prune(olderThan: Timestamp(millisecondsSinceEpoch: 1_795_000_001_500))
        #expect(try search(.init(text: "failed")) == [], "pruned messages leave the index")
    }

    @Test func readMarkersAreKept() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        try store.save(ReadMarker(owner: "a", target: "#c", time: Timestamp(millisecondsSinceEpoch: 1)))
        try store.save(ReadMarker(owner: "a", target: "#c", time: Timestamp(millisecondsSinceEpoch: 2)))
        try store.save(ReadMarker(owner: "a", target: "b", time: Timestamp(millisecondsSinceEpoch: 3)))
        #expect(try store.readMarkers() == [ReadMarker(owner: "a", target: "#c", time: Timestamp(millisecondsSinceEpoch: 2)),
                                            ReadMarker(owner: "a", target: "b", time: Timestamp(millisecondsSinceEpoch: 3))])
    }

    @Test func aSecondServerOnTheSameDirectoryIsRefused() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try HistoryStore(directory: directory)
        #expect {
            _ = try HistoryStore(directory: directory)
        } throws: { error in
            "\(error)".contains("in use by another chatty-tui server")
        }
        _ = first
    }

    @Test func aCorruptFileOrAnUnusableDirectoryIsAClearError() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: directory + "/history.sqlite"))
        #expect {
            _ = try HistoryStore(directory: directory)
        } throws: { error in
            "\(error)".hasPrefix("cannot open the history database \(directory)/history.sqlite")
        }
        let file = directory + "/plain-file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        #expect {
            _ = try HistoryStore(directory: file + "/sub")
        } throws: { error in
            "\(error)".hasPrefix("cannot use the data directory \(file)/sub")
        }
    }

    @Test func theWriterCommitsInGroupsAndAnswersAfterEarlierWrites() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let writer = HistoryWriter(store: try HistoryStore(directory: directory), logger: .init(label: "test"))
        for entry in Self.messages(1...2000) { writer.record(entry) }
        let request = request(.latest(after: nil), limit: 3)
        let answer = await withCheckedContinuation { continuation in
            writer.query(request) { continuation.resume(returning: $0) }
        }
        guard case .success(.entries(let entries)) = answer else {
            Issue.record("no entries: \(answer)")
            return
        }
        #expect(ids(entries) == ["m1998", "m1999", "m2000"], "the query saw every write queued before it")
        writer.stop()
        let statistics = writer.currentStatistics
        #expect(statistics.written == 2000)
        #expect(statistics.lost == 0)
        #expect(statistics.commits < 2000, "group commit: \(statistics.commits) transactions")
    }

    @Test func aDatabaseFromBeforeCompactEventsIsMigratedWithItsHistoryAndSearch() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        do {
            // The schema as the previous release left it, with rows in its `message` table.
            let pool = try DatabasePool(path: directory + "/history.sqlite")
            try HistoryStore.migrator.migrate(pool, upTo: "v4-channel-lists")
            try pool.write { db in
                for record in Self.messages(1...3) {
                    let entry = record.entry
                    try db.execute(sql: """
                        INSERT INTO message (conversation, msgid, time, sender, command, text, line) VALUES (?, ?, ?, ?, ?, ?, ?)
                        """, arguments: [entry.conversation, entry.msgid, entry.time.millisecondsSinceEpoch, entry.sender,
                                         entry.command, entry.text, entry.line])
                }
                try db.execute(sql: "INSERT INTO message (conversation, msgid, time, sender, command, text, line) VALUES ('#c', 'bad', 0, '', '', '', '')")
            }
        }
        let store = try HistoryStore(directory: directory)
        let entries = try store.entries(request(.latest(after: nil)))
        #expect(entries == Self.messages(1...3).map(\.entry), "every column and the line as delivered; an unreadable row is dropped")
        try store.append(Self.messages(4...4))
        #expect(ids(try store.entries(request(.after(.msgid("m2"))))) == ["m3", "m4"])
        let found = try store.entries(HistoryRequest(client: ClientID(0), uid: "u",
                                                     query: HistoryQuery(target: "#c", selection: .search(.init(text: "text")), limit: 10),
                                                     conversation: "#c", channels: ["#c"], nick: "a", label: nil))
        #expect(ids(found) == ["m1", "m2", "m3", "m4"], "the search index is rebuilt")
    }

    @Test func aDeletedNewestRowsSeqIsNeverReused() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        try store.append(Self.messages(1...3))
        #expect(try store.redact(conversation: "#c", msgid: "m3") == 1, "indexed, then the newest row goes")
        try store.append(Self.messages(4...4))
        #expect(ids(try store.entries(request(.latest(after: nil)))) == ["m1", "m2", "m4"],
                "the new row is indexed (a reused seq would sit below the index's progress)")
    }

    @Test func theWriterIndexesInTheBackgroundWithoutAQuery() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        let writer = HistoryWriter(store: store, logger: .init(label: "test"))
        defer { writer.stop() }
        for entry in Self.messages(1...(HistoryWriter.indexChunk * 3 + 7)) { writer.record(entry) }
        // No query (a query would catch the indexes up itself): the history thread's spare time does it.
        var indexed: Int64 = 0
        let deadline = ContinuousClock.now + .seconds(30)
        while indexed < Int64(HistoryWriter.indexChunk * 3 + 7), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            indexed = try await store.pool.read { db in try Int64.fetchOne(db, sql: "SELECT last_seq FROM index_progress") ?? 0 }
        }
        #expect(indexed == Int64(HistoryWriter.indexChunk * 3 + 7))
    }

    @Test func queriesInTheMiddleOfTrafficKeepTheStoredOrder() async throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        let writer = HistoryWriter(store: store, logger: .init(label: "test"))
        let records = Self.messages(1...12_000)
        var answers: [Task<Void, Never>] = []
        for (index, record) in records.enumerated() {
            writer.record(record)
            if index % 1_500 == 0 {
                // A query between messages: its catch-up writes what is queued meanwhile.
                let request = request(.latest(after: nil), limit: 1)
                answers.append(Task {
                    await withCheckedContinuation { continuation in
                        writer.query(request) { _ in continuation.resume() }
                    }
                })
            }
        }
        for answer in answers { await answer.value }
        writer.stop()
        let stored = try await store.pool.read { db in try String.fetchAll(db, sql: "SELECT msgid FROM event ORDER BY seq") }
        #expect(stored == records.map(\.msgid), "delivery order kept")
    }
}
