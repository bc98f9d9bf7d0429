import Testing
@testable import ChatCore

@Suite struct ClientEventTests: ClientTestCase {
    @Test func memberDisplayNameShowsTheHighestPrefix() {
        #expect(ChannelMember(nick: "bob", prefixes: "@+").displayName == "@bob")
        #expect(ChannelMember(nick: "carol").displayName == "carol")
    }

    @Test func chatMessageDefaults() {
        let message = ChatMessage(conversation: .channel("#c"), sender: "bob", text: "hi", time: t(5))
        #expect(message.msgid == nil)
        #expect(!message.isOwn)
    }
}
