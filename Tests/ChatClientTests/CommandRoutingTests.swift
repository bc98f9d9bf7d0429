import ChatClient
import ChatCore
import Testing

/// The one mapping from typed commands to requests, for the commands operators and daily users need.
@Suite struct CommandRoutingTests {
    let channel = CommandContext(target: "#c", targetIsChannel: true)
    let query = CommandContext(target: "bob", targetIsChannel: false)

    @Test func operatorCommandsBecomeModeLines() {
        #expect(UserInput.memberMode(mode: "+o", nicks: ["a", "b", "c", "d"]).outcome(in: channel)
                == .send([.command(IRCMessage("MODE", "#c", "+ooo", "a", "b", "c")), .command(IRCMessage("MODE", "#c", "+o", "d"))]))
        #expect(UserInput.ban(mask: "troll", adding: true).outcome(in: channel)
                == .send([.command(IRCMessage("MODE", "#c", "+b", "troll!*@*"))]))
        #expect(UserInput.ban(mask: "*!*@10.0.0.*", adding: false).outcome(in: channel)
                == .send([.command(IRCMessage("MODE", "#c", "-b", "*!*@10.0.0.*"))]))
        #expect(UserInput.ban(mask: nil, adding: true).outcome(in: channel) == .send([.command(IRCMessage("MODE", "#c", "+b"))]))
        if case .error = UserInput.memberMode(mode: "+v", nicks: ["a"]).outcome(in: query) {} else {
            Issue.record("/voice outside a channel must be an error")
        }
    }

    @Test func modeAloneShowsTheCurrentChannelsModes() throws {
        #expect(try UserInput.parse("/mode") == .mode(target: nil, modes: []))
        #expect(try #require(try UserInput.parse("/mode")).outcome(in: channel) == .send([.command(IRCMessage("MODE", "#c"))]))
        #expect(try #require(try UserInput.parse("/mode +m")).outcome(in: channel) == .send([.command(IRCMessage("MODE", "#c", "+m"))]))
        #expect(try #require(try UserInput.parse("/mode #other")).outcome(in: channel) == .send([.command(IRCMessage("MODE", "#other"))]))
        if case .error = try #require(try UserInput.parse("/mode")).outcome(in: query) {} else {
            Issue.record("/mode alone outside a channel must say so")
        }
    }

    @Test func listTakesMasksAndFindsAWordAnywhereInTheName() {
        #expect(UserInput.list(nil).outcome(in: channel) == .send([.command(IRCMessage("LIST"))]))
        #expect(UserInput.list("chat").outcome(in: channel) == .send([.command(IRCMessage("LIST", "*chat*"))]))
        #expect(UserInput.list("#c*").outcome(in: channel) == .send([.command(IRCMessage("LIST", "#c*"))]))
        #expect(UserInput.list("#chatty").outcome(in: channel) == .send([.command(IRCMessage("LIST", "#chatty"))]))
        #expect(UserInput.list("#a,#b").outcome(in: channel) == .send([.command(IRCMessage("LIST", "#a,#b"))]))
    }

    @Test func whoDefaultsToTheBufferAndIgnoreStaysLocal() {
        #expect(UserInput.who(nil).outcome(in: channel) == .send([.command(IRCMessage("WHO", "#c"))]))
        #expect(UserInput.who("a*").outcome(in: channel) == .send([.command(IRCMessage("WHO", "a*"))]))
        #expect(UserInput.ignore("troll", adding: true).outcome(in: channel) == .ignore("troll", adding: true))
    }
}
