import Testing
@testable import ChatCore

@Suite struct UserInputTests: ClientTestCase {
    func parse(_ line: String) throws(UserInputError) -> UserInput? {
        try UserInput.parse(line)
    }

    func error(_ line: String) -> UserInputError? {
        do {
            _ = try UserInput.parse(line)
            return nil
        } catch {
            return error
        }
    }

    @Test func plainTextAndEmptyLines() throws {
        #expect(try parse("hello there") == .text("hello there"))
        #expect(try parse("  leading spaces kept") == .text("  leading spaces kept"))
        #expect(try parse("") == nil)
        #expect(try parse("   ") == nil)
    }

    @Test func doubleSlashSendsLiteralSlash() throws {
        #expect(try parse("//join is a command") == .text("/join is a command"))
        #expect(try parse("//") == .text("/"))
    }

    @Test func join() throws {
        #expect(try parse("/join #swift") == .join(channel: "#swift", key: nil))
        #expect(try parse("/JOIN   #secret   hunter2") == .join(channel: "#secret", key: "hunter2"))
        #expect(try parse("/j rust") == .join(channel: "rust", key: nil))
        #expect(error("/join") == .usage("Usage: /join <#channel> [key]"))
        #expect(error("/join    ") == .usage("Usage: /join <#channel> [key]"))
    }

    @Test func partAndLeave() throws {
        #expect(try parse("/part") == .part(channel: nil, reason: nil))
        #expect(try parse("/part #swift") == .part(channel: "#swift", reason: nil))
        #expect(try parse("/part #swift see you  later") == .part(channel: "#swift", reason: "see you  later"))
        #expect(try parse("/part bye all") == .part(channel: nil, reason: "bye all"))
        #expect(try parse("/Leave &local") == .part(channel: "&local", reason: nil))
    }

    @Test func quit() throws {
        #expect(try parse("/quit") == .quit(reason: nil))
        #expect(try parse("/quit gone fishing") == .quit(reason: "gone fishing"))
    }

    @Test func nick() throws {
        #expect(try parse("/nick bob") == .nick("bob"))
        #expect(try parse("/NiCk  bob  ") == .nick("bob"))
        #expect(error("/nick") == .usage("Usage: /nick <newnick>"))
        #expect(error("/nick two words") == .usage("Usage: /nick <newnick>"))
    }

    @Test func me() throws {
        #expect(try parse("/me waves at everyone") == .action("waves at everyone"))
        #expect(error("/me") == .usage("Usage: /me <action>"))
    }

    @Test func msg() throws {
        #expect(try parse("/msg bob hi there") == .message(target: "bob", text: "hi there"))
        #expect(try parse("/MSG #swift hello") == .message(target: "#swift", text: "hello"))
        #expect(error("/msg bob") == .usage("Usage: /msg <nick|#channel> <text>"))
        #expect(error("/msg") == .usage("Usage: /msg <nick|#channel> <text>"))
    }

    @Test func query() throws {
        #expect(try parse("/query bob") == .query(nick: "bob", text: nil))
        #expect(try parse("/query bob hello") == .query(nick: "bob", text: "hello"))
        #expect(error("/query") == .usage("Usage: /query <nick> [text]"))
    }

    @Test func names() throws {
        #expect(try parse("/names") == .names(channel: nil))
        #expect(try parse("/names #swift") == .names(channel: "#swift"))
    }

    @Test func topic() throws {
        #expect(try parse("/topic") == .topic(channel: nil, text: nil))
        #expect(try parse("/topic Swift 6 is out") == .topic(channel: nil, text: "Swift 6 is out"))
        #expect(try parse("/topic #swift") == .topic(channel: "#swift", text: nil))
        #expect(try parse("/topic #swift Swift 6") == .topic(channel: "#swift", text: "Swift 6"))
    }

    @Test func clearAndHelp() throws {
        #expect(try parse("/clear") == .clear)
        #expect(try parse("/help") == .help(command: nil))
        #expect(try parse("/help /JOIN") == .help(command: "join"))
        #expect(UserInput.commands.map(\.name).contains("quote"))
    }

    @Test func quoteAndRaw() throws {
        #expect(try parse("/quote MODE #swift +m") == .raw("MODE #swift +m"))
        #expect(try parse("/raw PING :x") == .raw("PING :x"))
        #expect(error("/quote") == .usage("Usage: /quote <raw IRC line>"))
        #expect(error("/raw  ") == .usage("Usage: /quote <raw IRC line>"))
    }

    @Test func unknownCommandsAreErrorsNotRawLines() {
        #expect(error("/frobnicate now") == .unknown("frobnicate"))
        #expect(error("/Frob bob") == .unknown("Frob"))
        #expect(error("/ hello") == .unknown(""))
        #expect(UserInputError.unknown("x").description == "Unknown command: /x. Type /help for a list of commands.")
    }
}

/// The commands a daily IRC user expects besides the basics: who, op/deop/voice/devoice, ban/unban, ignore.
@Suite struct UserInputOperatorCommandsTests {
    @Test func theyParse() throws {
        #expect(try UserInput.parse("/who") == .who(nil))
        #expect(try UserInput.parse("/who #c") == .who("#c"))
        #expect(try UserInput.parse("/op bob carol") == .memberMode(mode: "+o", nicks: ["bob", "carol"]))
        #expect(try UserInput.parse("/devoice bob") == .memberMode(mode: "-v", nicks: ["bob"]))
        #expect(try UserInput.parse("/ban") == .ban(mask: nil, adding: true))
        #expect(try UserInput.parse("/unban *!*@spam") == .ban(mask: "*!*@spam", adding: false))
        #expect(try UserInput.parse("/ignore troll") == .ignore("troll", adding: true))
        #expect(throws: UserInputError.self) { try UserInput.parse("/op") }
        #expect(throws: UserInputError.self) { try UserInput.parse("/unban") }
        #expect(throws: UserInputError.self) { try UserInput.parse("/unignore") }
    }
}
