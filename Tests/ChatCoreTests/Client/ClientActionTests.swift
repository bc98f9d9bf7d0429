import Testing
@testable import ChatCore

@Suite struct ClientActionTests: ClientTestCase {
    @Test func helpersPickSendsAndEvents() {
        let actions: [ClientAction] = [
            .connect, .send(IRCMessage("NICK", "a")), .emit(.lag(milliseconds: 5)), .close,
            .send(IRCMessage("QUIT")), .scheduleTimer(at: t(1)), .emit(.error("x")), .cancelTimer,
        ]
        #expect(actions.sentMessages == [IRCMessage("NICK", "a"), IRCMessage("QUIT")])
        #expect(actions.events == [.lag(milliseconds: 5), .error("x")])
    }
}
