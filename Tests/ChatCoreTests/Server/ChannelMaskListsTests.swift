import Testing
@testable import ChatCore

@Suite struct ChannelMaskListsTests {
    static let time = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    @Test func masksAreCompletedAndMatchedWithoutCase() {
        var lists = ChannelMaskLists()
        #expect(lists.add(.ban, mask: "Bar", setter: "op!o@h", time: Self.time) == .added("Bar!*@*"))
        #expect(lists.add(.ban, mask: "bar!*@*", setter: "op!o@h", time: Self.time) == .alreadyListed)
        #expect(lists.isBanned("bar!~u@127.0.0.1"))
        #expect(lists.isBanned("BAR!x@y"))
        #expect(!lists.isBanned("barry!x@y"))
        #expect(lists.add(.ban, mask: "*@10.0.0.*", setter: "op!o@h", time: Self.time) == .added("*!*@10.0.0.*"))
        #expect(lists.isBanned("anyone!u@10.0.0.7"))
        #expect(lists.remove(.ban, mask: "BAR") == "Bar!*@*")
        #expect(lists.remove(.ban, mask: "bar") == nil)
    }

    @Test func anExceptionLiftsABanAndAnInviteExceptionOpensInviteOnly() {
        var lists = ChannelMaskLists()
        _ = lists.add(.ban, mask: "*!*@*", setter: "s", time: Self.time)
        _ = lists.add(.exception, mask: "friend", setter: "s", time: Self.time)
        _ = lists.add(.inviteException, mask: "*!*@trusted.example", setter: "s", time: Self.time)
        #expect(lists.isBanned("stranger!u@h"))
        #expect(!lists.isBanned("friend!u@h"))
        #expect(lists.isInviteExempt("x!y@TRUSTED.example"))
        #expect(!lists.isInviteExempt("x!y@other.example"))
    }

    @Test func aListIsBoundedAndSurvivesItsEncoding() {
        var lists = ChannelMaskLists()
        for index in 0..<ChannelMaskLists.capacity {
            #expect(lists.add(.ban, mask: "n\(index)", setter: "op!o@h", time: Self.time) == .added("n\(index)!*@*"))
        }
        #expect(lists.add(.ban, mask: "onemore", setter: "op!o@h", time: Self.time) == .full)
        _ = lists.add(.inviteException, mask: "*!*@x", setter: "a.chatty", time: Self.time)
        #expect(ChannelMaskLists(encoded: lists.encoded) == lists)
    }

    @Test func wildcardsMatchRunsAndSingleCharacters() {
        #expect(WildcardMask("a*c").matches("abbbc"))
        #expect(WildcardMask("a*c").matches("ac"))
        #expect(!WildcardMask("a*c").matches("abd"))
        #expect(WildcardMask("a?c").matches("aéc"))
        #expect(!WildcardMask("a?c").matches("ac"))
        #expect(WildcardMask("*").matches(""))
        #expect(WildcardMask("**x*").matches("yyxyy"))
        #expect(!WildcardMask("nick").hasWildcards)
    }
}

/// Bans, exceptions and invite exceptions on a channel, and the 696 parameter errors.
@Suite struct ServerStateChannelListTests {
    static func channel() -> (ServerHarness, op: ClientID, bar: ClientID) {
        var server = ServerHarness()
        let op = server.register("op")
        let bar = server.register("bar")
        server.send(op, "JOIN #chan")
        _ = server.take(op)
        return (server, op, bar)
    }

    @Test func aBanIsEchoedListedAndKeepsTheUserOut() {
        var (server, op, bar) = Self.channel()
        server.send(op, "MODE #chan +b bar!*@*")
        #expect(server.take(op) == [":op!op@127.0.0.1 MODE #chan +b :bar!*@*"])
        server.send(op, "MODE #chan +b")
        let list = server.takeMessages(op)
        #expect(list.map(\.command) == ["367", "368"])
        #expect(list.first?.parameters.prefix(4) == ["op", "#chan", "bar!*@*", "op!op@127.0.0.1"])
        server.send(bar, "JOIN #chan")
        #expect(server.take(bar) == [":chatty.local 474 bar #chan :Cannot join channel (+b)"])
        // An exception lets the user in again; the ban list itself is readable by anyone (not secret).
        server.send(op, "MODE #chan +e BAR")
        _ = server.take(op)
        server.send(bar, "MODE #chan e")
        #expect(server.takeMessages(bar).map(\.command) == ["348", "349"])
        server.send(bar, "JOIN #chan")
        #expect(server.commands(bar).first == "JOIN")
    }

    @Test func aBannedMemberCannotSpeakUnlessVoiced() {
        var (server, op, bar) = Self.channel()
        server.send(bar, "JOIN #chan")
        _ = server.take(bar)
        server.send(op, "MODE #chan +b *!bar@*")
        _ = server.take(op)
        _ = server.take(bar)
        server.send(bar, "PRIVMSG #chan :can you hear me")
        #expect(server.commands(bar) == ["404"])
        #expect(server.take(op).isEmpty)
        server.send(op, "MODE #chan +v bar")
        _ = server.take(bar)
        _ = server.take(op)
        server.send(bar, "PRIVMSG #chan :now?")
        #expect(server.commands(op) == ["PRIVMSG"])
        server.send(op, "MODE #chan -b *!bar@*")
        #expect(server.take(op) == [":op!op@127.0.0.1 MODE #chan -b :*!bar@*"])
    }

    @Test func anInviteExceptionOpensAnInviteOnlyChannel() {
        var (server, op, bar) = Self.channel()
        server.send(op, "MODE #chan +iI bar!*@127.0.0.1")
        #expect(server.take(op) == [":op!op@127.0.0.1 MODE #chan +iI :bar!*@127.0.0.1"])
        server.send(bar, "JOIN #chan")
        #expect(server.commands(bar).first == "JOIN")
    }

    @Test func listsAreOnlyChangedByOperators() {
        var (server, op, bar) = Self.channel()
        server.send(bar, "JOIN #chan")
        _ = server.take(bar)
        _ = server.take(op)
        server.send(bar, "MODE #chan +b op")
        #expect(server.commands(bar) == ["482"])
        server.send(bar, "MODE #chan +b")
        #expect(server.commands(bar) == ["368"])
    }

    @Test(arguments: ["0", "-5", "abc", ""])
    func anInvalidLimitGets696(value: String) {
        var (server, op, _) = Self.channel()
        server.send(op, "MODE #chan +l :\(value)")
        let got = server.takeMessages(op)
        #expect(got.map(\.command) == ["696"])
        #expect(got.first?.parameters.prefix(4) == ["op", "#chan", "l", value])
        #expect(server.state.channel(named: "#chan")?.modes.limit == nil)
    }

    @Test(arguments: ["", "has space", "a,b"])
    func anInvalidKeyGets696(value: String) {
        var (server, op, _) = Self.channel()
        server.send(op, "MODE #chan +k :\(value)")
        #expect(server.commands(op) == ["696"])
        #expect(server.state.channel(named: "#chan")?.modes.key == nil)
        server.send(op, "MODE #chan +l")
        #expect(server.commands(op) == ["461"])
    }

    @Test func listQueriesAreRecognised() {
        #expect(ServerState.listQueries("b", argumentCount: 0) == [.ban])
        #expect(ServerState.listQueries("+beI", argumentCount: 0) == [.ban, .exception, .inviteException])
        #expect(ServerState.listQueries("+b", argumentCount: 1).isEmpty)
        #expect(ServerState.listQueries("+bn", argumentCount: 0).isEmpty)
        #expect(ServerState.listQueries("-b", argumentCount: 0).isEmpty)
    }

    @Test func isupportNamesTheLists() {
        let tokens = ServerHarness().state.isupportTokens
        #expect(tokens.contains("CHANMODES=beI,k,l,imnst"))
        #expect(tokens.contains("EXCEPTS") && tokens.contains("INVEX") && tokens.contains("MAXLIST=beI:100"))
    }
}
