import Testing

@testable import ChatCore

@Suite struct HistoryQueryTests {
    private func parse(_ line: String, maximum: Int = 100) -> Result<HistoryQuery, HistoryQuery.Failure> {
        HistoryQuery.parse(line.split(separator: " ").map(String.init), maximumLimit: maximum)
    }

    private let noon = ServerTime.parse("2026-12-02T12:00:00.000Z")!

    @Test func everySubcommandAndReferenceType() throws {
        #expect(try parse("LATEST #c * 10").get() == HistoryQuery(target: "#c", selection: .latest(after: nil), limit: 10))
        #expect(try parse("latest #c msgid=abc 10").get().selection == .latest(after: .msgid("abc")))
        #expect(try parse("BEFORE #c timestamp=2026-12-02T12:00:00.000Z 5").get().selection == .before(.timestamp(noon)))
        #expect(try parse("AFTER bob msgid=x 5").get() == HistoryQuery(target: "bob", selection: .after(.msgid("x")), limit: 5))
        #expect(try parse("AROUND #c msgid=x 5").get().selection == .around(.msgid("x")))
        #expect(try parse("BETWEEN #c msgid=a timestamp=2026-12-02T12:00:00.000Z 5").get().selection
            == .between(.msgid("a"), .timestamp(noon)))
        let targets = try parse("TARGETS timestamp=2026-12-02T12:00:00.000Z timestamp=2026-12-01T12:00:00.000Z 7").get()
        #expect(targets.selection == .targets(from: noon.offset(byMilliseconds: -86_400_000), to: noon), "either order")
        #expect(targets.subcommand == "TARGETS")
    }

    @Test func limitsAreCappedByTheServer() throws {
        #expect(try parse("LATEST #c * 100000", maximum: 100).get().limit == 100)
    }

    @Test func malformedRequestsGetStandardReplies() {
        func code(_ line: String) -> String? {
            if case .failure(let failure) = parse(line) { return failure.code }
            return nil
        }
        #expect(HistoryQuery.parse([], maximumLimit: 10) == .failure(.init(code: "NEED_MORE_PARAMS", context: [], description: "Missing subcommand")))
        #expect(code("FOO #c * 10") == "INVALID_PARAMS")
        #expect(code("LATEST #c *") == "NEED_MORE_PARAMS")
        #expect(code("BETWEEN #c msgid=a 10") == "NEED_MORE_PARAMS")
        #expect(code("LATEST #c * 0") == "INVALID_PARAMS")
        #expect(code("LATEST #c * -3") == "INVALID_PARAMS")
        #expect(code("LATEST #c * ten") == "INVALID_PARAMS")
        #expect(code("BEFORE #c * 10") == "INVALID_PARAMS", "* only for LATEST")
        #expect(code("BEFORE #c id=x 10") == "INVALID_PARAMS")
        #expect(code("BEFORE #c msgid= 10") == "INVALID_PARAMS")
        #expect(code("AFTER #c timestamp=yesterday 10") == "INVALID_PARAMS")
        #expect(code("TARGETS msgid=a msgid=b 10") == "INVALID_PARAMS")
        #expect(code("LATEST #a,#b * 10") == "INVALID_TARGET")
        let failure = HistoryQuery.Failure(code: "INVALID_PARAMS", context: ["LATEST", "x"], description: "bad")
        #expect(failure.message(source: "srv").serialized() == ":srv FAIL CHATHISTORY INVALID_PARAMS LATEST x :bad\r\n")
    }
}

@Suite struct SearchQueryTests {
    private func parse(_ attributes: String, maximum: Int = 50) -> Result<HistoryQuery, HistoryQuery.Failure> {
        HistoryQuery.parseSearch([attributes], maximumLimit: maximum)
    }

    @Test func attributesAreTagEscaped() throws {
        let query = try parse("in=#c;text=hello\\sworld\\:x;from=ann;after=2026-12-02T12:00:00.000Z;limit=10").get()
        #expect(query.target == "#c")
        #expect(query.limit == 10)
        #expect(query.subcommand == "SEARCH" && query.command == "SEARCH")
        #expect(query.selection == .search(.init(text: "hello world;x", from: "ann",
                                                 after: ServerTime.parse("2026-12-02T12:00:00.000Z"), before: nil)))
        #expect(try parse("text=x").get().limit == 50, "no limit: the server's")
        #expect(try parse("text=x;limit=999").get().limit == 50)
        #expect(try parse("text=x").get().target == "", "everything the client may read")
    }

    @Test func badSearchesGetStandardReplies() {
        func reply(_ attributes: String) -> String? {
            if case .failure(let failure) = parse(attributes) { return failure.message(source: "srv").serialized() }
            return nil
        }
        #expect(HistoryQuery.parseSearch([], maximumLimit: 5)
            == .failure(.init(command: "SEARCH", code: "NEED_MORE_PARAMS", context: [], description: "Missing search attributes")))
        #expect(reply("in=#c") == ":srv FAIL SEARCH INVALID_PARAMS :text= is required\r\n")
        #expect(reply("text=   ")?.contains("INVALID_PARAMS") == true)
        #expect(reply("text=x;limit=0")?.contains("limit= must be a positive number") == true)
        #expect(reply("text=x;after=yesterday")?.contains("after= must be a timestamp") == true)
        #expect(reply("text=x;colour=red")?.contains("Unknown search attribute colour") == true)
        #expect(reply("text=x;in=#a,#b")?.contains("INVALID_PARAMS") == true)
    }
}

@Suite struct HistoryEntryTests {
    @Test func conversationKeysAreTheSameWhoeverAsks() {
        #expect(HistoryConversation.between("Alice", "bob") == HistoryConversation.between("BOB", "alice"))
        #expect(HistoryConversation.between("Alice", "bob") == "alice bob")
        #expect(HistoryConversation.peer(in: "alice bob", of: "ALICE") == "bob")
        #expect(HistoryConversation.peer(in: "alice bob", of: "carol") == nil)
        #expect(HistoryConversation.channel("#Chatty") == "#chatty")
    }

    @Test func entryKeepsTheDeliveredLineWhole() throws {
        let message = try IRCMessage.parse("@time=2026-12-02T12:00:00.000Z;msgid=m1 :a!u@h PRIVMSG #c :hello ✓")
        let entry = try #require(HistoryEntry(message, conversation: "#c", time: ServerTime.parse("2026-12-02T12:00:00.000Z")!))
        #expect(entry.line == "@time=2026-12-02T12:00:00.000Z;msgid=m1 :a!u@h PRIVMSG #c :hello ✓")
        #expect(entry.text == "hello ✓")
        #expect(entry.sender == "a")
        #expect(entry.msgid == "m1")
        #expect(HistoryEntry(try IRCMessage.parse(":a!u@h PRIVMSG #c :x"), conversation: "#c", time: Timestamp(millisecondsSinceEpoch: 0)) == nil,
                "nothing to reference without a msgid")
    }
}
