import NIOCore
import Testing

@testable import ChatCore

@Suite struct IRCMessageParsingTests {
    @Test func parsesAllParts() throws {
        let message = try IRCMessage.parse("@time=2026-11-25T10:00:00.000Z;+typing=active :nick!u@h PRIVMSG #chatty :hello there\r\n")
        #expect(message.tags == [.init("time", "2026-11-25T10:00:00.000Z"), .init("+typing", "active")])
        #expect(message.source == "nick!u@h")
        #expect(message.sourceNick == "nick")
        #expect(message.command == "PRIVMSG")
        #expect(message.parameters == ["#chatty", "hello there"])
    }

    @Test func acceptsBareLFAndNoTerminator() throws {
        #expect(try IRCMessage.parse("PING x\n") == IRCMessage("PING", "x"))
        #expect(try IRCMessage.parse("PING x") == IRCMessage("PING", "x"))
    }

    @Test func commandIsUppercasedAndNumericsKept() throws {
        #expect(try IRCMessage.parse("privmsg a b").command == "PRIVMSG")
        #expect(try IRCMessage.parse(":srv 001 me :Welcome").command == "001")
        #expect(throws: IRCParseError.invalidCommand) { try IRCMessage.parse("12 x") }
        #expect(throws: IRCParseError.invalidCommand) { try IRCMessage.parse("PRIVMSGé x") }
        // Unknown but printable command words parse, so the server can answer 421.
        #expect(try IRCMessage.parse("nonexistent_command x").command == "NONEXISTENT_COMMAND")
    }

    /// Found by `scripts/fuzz` (target irc): an empty tag section followed by a command starting
    /// with `@` parsed, and serialised into a line that read back as tags.
    @Test func aCommandCannotStartLikeATagSectionOrASource() throws {
        #expect(throws: IRCParseError.invalidCommand) { try IRCMessage.parse("@ @@tCti/o1C=e=losed@anRge0o26;/a=\\scSloseGdR") }
        #expect(throws: IRCParseError.invalidCommand) { try IRCMessage.parse(":src :cmd x") }
        #expect(throws: IRCParseError.invalidCommand) { try IRCMessage.parse("@a=b @cmd") }
        #expect(try IRCMessage.parse("CMD@ x").command == "CMD@", "only the first character")
        #expect(throws: IRCParseError.malformedSource) { try IRCMessage.parse("::rc@ \\worl+R=") }
    }

    @Test func trickyCorpus() throws {
        // Empty trailing parameter.
        #expect(try IRCMessage.parse("TOPIC #c :").parameters == ["#c", ""])
        // Colon inside trailing.
        #expect(try IRCMessage.parse("PRIVMSG #c :a :b: c").parameters == ["#c", "a :b: c"])
        // Colon inside a middle parameter is just a character.
        #expect(try IRCMessage.parse("MODE #c +k a:b").parameters == ["#c", "+k", "a:b"])
        // Runs of spaces between parts.
        #expect(try IRCMessage.parse(":src   JOIN    #c   ").parameters == ["#c"])
        // Trailing with leading spaces keeps them.
        #expect(try IRCMessage.parse("PRIVMSG #c :  x").parameters == ["#c", "  x"])
        // A lone colon source has no command.
        #expect(throws: IRCParseError.missingCommand) { try IRCMessage.parse(": PRIVMSG x") }
        #expect(throws: IRCParseError.missingCommand) { try IRCMessage.parse(":source") }
        #expect(throws: IRCParseError.missingCommand) { try IRCMessage.parse("@a=b ") }
        #expect(throws: IRCParseError.empty) { try IRCMessage.parse("") }
        #expect(throws: IRCParseError.empty) { try IRCMessage.parse("     ") }
        #expect(throws: IRCParseError.empty) { try IRCMessage.parse("\r\n") }
        #expect(throws: IRCParseError.forbiddenCharacter) { try IRCMessage.parse("PRIVMSG #c :a\u{0}b") }
        #expect(throws: IRCParseError.forbiddenCharacter) { try IRCMessage.parse("PRIVMSG #c :a\rb") }
    }

    @Test func fifteenParametersMax() throws {
        let line = "CMD " + (1...14).map(String.init).joined(separator: " ") + " fifteen sixteen"
        let message = try IRCMessage.parse(line)
        #expect(message.parameters.count == 15)
        #expect(message.parameters.last == "fifteen sixteen")
    }

    @Test func tagEscapes() throws {
        let message = try IRCMessage.parse(#"@a=x\:y\sz\\w\r\n;b=\q;c=end\;d;e= :s CMD"#)
        #expect(message.tag("a") == "x;y z\\w\r\n")
        #expect(message.tag("b") == "q")
        #expect(message.tag("c") == "end")
        #expect(message.tag("d") == "")
        #expect(message.tag("e") == "")
        #expect(message.tag("missing") == nil)
    }

    @Test func duplicateTagLastWins() throws {
        #expect(try IRCMessage.parse("@k=1;k=2 CMD").tag("k") == "2")
    }

    @Test func malformedTags() {
        #expect(throws: IRCParseError.malformedTags) { try IRCMessage.parse("@=v CMD") }
        #expect(throws: IRCParseError.malformedTags) { try IRCMessage.parse("@a;=1 CMD") }
        #expect(throws: IRCParseError.malformedTags) { try IRCMessage.parse("@k$=1 CMD") }
    }

    @Test func invalidUTF8IsRejected() {
        var buffer = ByteBuffer(string: "PRIVMSG #c :bad ")
        buffer.writeBytes([0xC3, 0x28, 0xFF])
        #expect(throws: IRCParseError.invalidUTF8) { try IRCMessage.parse(buffer) }
    }

    @Test func tagValuesAreCheckedAsUTF8() throws {
        #expect(try IRCMessage.parse("@+draft/react=👍🏽;k=caf\\sé CMD").tags == [.init("+draft/react", "👍🏽"), .init("k", "caf é")])
        for escaped in [false, true] {
            var buffer = ByteBuffer(string: escaped ? "@k=a\\s" : "@k=a")
            buffer.writeBytes([0xC3, 0x28])
            buffer.writeString(" CMD")
            #expect(throws: IRCParseError.invalidUTF8, "escaped: \(escaped)") { try IRCMessage.parse(buffer) }
        }
        #expect(try IRCMessage.parse("Cap LS").command == "CAP", "mixed case is upper-cased")
    }

    @Test func lengthLimits() throws {
        let limits = IRCLimits(maxLineLength: 512, maxTagsLength: 8191)
        let body = "PRIVMSG #c :" + String(repeating: "a", count: 498)
        #expect(body.utf8.count + 2 == 512)
        #expect(try IRCMessage.parse(body, limits: limits).parameters[1].count == 498)
        #expect(throws: IRCParseError.lineTooLong) { try IRCMessage.parse(body + "a", limits: limits) }
        // Tags do not count against the 512 bytes.
        let tags = "@k=" + String(repeating: "v", count: 8000) + " "
        #expect(try IRCMessage.parse(tags + body, limits: limits).tag("k")?.count == 8000)
        let hugeTags = "@k=" + String(repeating: "v", count: 8200) + " "
        #expect(throws: IRCParseError.tagsTooLong) { try IRCMessage.parse(hugeTags + "PING x", limits: limits) }
        // Both limits are configurable.
        #expect(throws: IRCParseError.lineTooLong) { try IRCMessage.parse("PRIVMSG #c :hello", limits: IRCLimits(maxLineLength: 10)) }
    }

    @Test func parsesMultibyteText() throws {
        #expect(try IRCMessage.parse("PRIVMSG #c :héllo 👩‍💻 日本").parameters[1] == "héllo 👩‍💻 日本")
    }
}
