import Testing
@testable import ChatCore

@Suite struct ChannelRosterTests: ClientTestCase {
    let support = ServerSupport()

    func roster() -> ChannelRoster {
        var roster = ChannelRoster()
        roster.selfJoined("#chatty", nick: "alice", support)
        roster.selfJoined("#swift", nick: "alice", support)
        roster.namesReceived("#chatty", entries: "@alice +bob", support)
        roster.namesReceived("#chatty", entries: "carol", support)
        _ = roster.namesEnded("#chatty", support)
        roster.namesReceived("#swift", entries: "alice Bob", support)
        _ = roster.namesEnded("#swift", support)
        return roster
    }

    @Test func namesReplaceMembersSortedByRank() {
        let roster = roster()
        #expect(roster.members(of: "#CHATTY", support) == [
            ChannelMember(nick: "alice", prefixes: "@"), ChannelMember(nick: "bob", prefixes: "+"),
            ChannelMember(nick: "carol"),
        ])
        #expect(roster.channelNames == ["#chatty", "#swift"])
    }

    @Test func quitAndRenameReportAffectedChannels() {
        var roster = roster()
        #expect(roster.rename("carol", to: "caroline", support) == ["#chatty"])
        #expect(roster.memberQuit(nick: "BOB", support) == ["#chatty", "#swift"])
        #expect(roster.members(of: "#swift", support) == [ChannelMember(nick: "alice")])
    }

    @Test func prefixModesUpdateMembers() {
        var roster = roster()
        roster.applyMode("#chatty", modes: "+ov-v+l", parameters: ["carol", "carol", "bob", "10"], support)
        #expect(roster.members(of: "#chatty", support).map(\.displayName) == ["@alice", "@carol", "bob"])
        #expect(roster.members(of: "#chatty", support)[1].prefixes == "@+")
    }

    @Test func leavingForgetsTheChannel() {
        var roster = roster()
        roster.selfLeft("#Chatty", support)
        #expect(roster.channelNames == ["#swift"])
        #expect(roster.members(of: "#chatty", support) == [])
    }
}
