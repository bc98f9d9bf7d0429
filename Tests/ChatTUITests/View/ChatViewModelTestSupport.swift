import ChatCore
@testable import ChatTUI

/// Builders shared by the view model tests.
enum Fixture {
    static func viewModel(scrollbackLimit: Int = 10_000) -> ChatViewModel {
        var vm = ChatViewModel(
            status: StatusInfo(connection: "connected", server: "irc.example.org", nick: "me", lagMilliseconds: 42),
            scrollbackLimit: scrollbackLimit
        )
        vm.openBuffer("#swift", activate: true)
        vm.setMembers(["@alice", "+bob", "me"], in: "#swift")
        vm.setTopic("Swift on Linux", in: "#swift")
        return vm
    }

    static func message(_ text: String, from nick: String = "alice", hour: Int = 9, minute: Int = 5) -> ChatLine {
        ChatLine(hour: hour, minute: minute, nick: nick, text: text)
    }

    /// Appends `count` one-row lines "line 0", "line 1", … to `buffer`.
    static func fill(_ vm: inout ChatViewModel, count: Int, buffer: String = "#swift", start: Int = 0) {
        for index in start..<(start + count) {
            vm.append(message("line \(index)"), to: buffer)
        }
    }
}

extension ChatViewModel {
    /// Shows members given as NAMES entries (`"@alice"`), in the given order, as a roster event would.
    mutating func setMembers(_ names: [String], in channel: String) {
        setMembers(names.map { name -> ChannelMember in
            let (prefixes, nick) = MemberList.stripPrefixes(name)
            return ChannelMember(nick: nick, prefixes: prefixes)
        }, in: channel)
    }
}
