import ChatClient
import ChatCore
import Testing
@testable import ChatTUI

@Suite struct LineModeSessionTests {
    typealias Action = LineModeSession.Action

    static func requests(_ actions: [Action]) -> [ClientRequest] {
        actions.compactMap { if case .perform(let request) = $0 { request } else { nil } }
    }

    static func errors(_ actions: [Action]) -> [String] {
        actions.compactMap { if case .stderr(let line) = $0 { line } else { nil } }
    }

    static func exitStatus(_ actions: [Action]) -> Int32? {
        actions.compactMap { if case .exit(let status) = $0 { status } else { nil } }.first
    }

    /// Registered and in #chatty.
    static func ready(_ session: inout LineModeSession) -> [Action] {
        session.clientEvent(.stateChanged(.registered(nick: "bot")), now: 0)
            + session.clientEvent(.joined(channel: "#chatty", nick: "bot", isOwn: true), now: 0)
    }

    @Test func linesReadBeforeRegistrationAndJoinAreQueuedThenSentInOrderWithASync() {
        var session = LineModeSession(defaultChannels: ["#chatty"])
        #expect(Self.requests(session.inputLine("a", now: 0) + session.inputLine("b", now: 0)).isEmpty)
        #expect(Self.requests(session.clientEvent(.stateChanged(.registered(nick: "bot")), now: 0)).isEmpty,
                "registered but not yet in the default channel")
        #expect(session.queuedLines == 2)
        let sent = Self.requests(session.clientEvent(.joined(channel: "#chatty", nick: "bot", isOwn: true), now: 0))
        #expect(sent == [.message(target: "#chatty", text: "a"), .message(target: "#chatty", text: "b"), .sync(token: "1")])
        #expect(Self.requests(session.inputLine("c", now: 0)) == [.message(target: "#chatty", text: "c"), .sync(token: "2")])
    }

    @Test func endOfInputQuitsOnlyOnceTheServerConfirmedEveryLine() {
        var session = LineModeSession(defaultChannels: ["#chatty"])
        _ = session.inputLine("a", now: 0)
        #expect(Self.requests(session.inputEnded(now: 0)).isEmpty, "not connected yet: nothing to quit")
        _ = Self.ready(&session)
        #expect(!session.isQuitting, "line a is sent but not confirmed")
        #expect(Self.requests(session.clientEvent(.synced(token: "1"), now: 0)) == [.quit(reason: "Chatty line mode")])
        let end = session.clientEvent(.stateChanged(.disconnected(reason: "Quit")), now: 0)
        #expect(Self.exitStatus(end) == 0)
        #expect(Self.errors(end).isEmpty)
    }

    @Test func registerAndIdentifyWaitForTheirOutcomeBeforeQuitting() {
        var session = LineModeSession(defaultChannels: ["#chatty"])
        _ = Self.ready(&session)
        #expect(Self.requests(session.inputLine("/register long-password", now: 0))
            == [.registerAccount(password: "long-password"), .sync(token: "1")])
        _ = session.inputEnded(now: 0)
        #expect(Self.requests(session.clientEvent(.synced(token: "1"), now: 0)).isEmpty, "the password is still being checked")
        #expect(Self.requests(session.clientEvent(.loggedIn(account: "bot"), now: 0)) == [.quit(reason: "Chatty line mode")])

        var failing = LineModeSession(defaultChannels: ["#chatty"])
        _ = Self.ready(&failing)
        _ = failing.inputLine("/identify wrong", now: 0)
        _ = failing.inputEnded(now: 0)
        _ = failing.clientEvent(.synced(token: "1"), now: 0)
        let refused = failing.clientEvent(.error("Login as bot failed: SASL authentication failed"), now: 0)
        #expect(Self.requests(refused) == [.quit(reason: "Chatty line mode")])
        #expect(Self.exitStatus(failing.clientEvent(.stateChanged(.disconnected(reason: "Quit")), now: 0)) == 1)
    }

    @Test func anOlderSyncDoesNotConfirmLaterLines() {
        var session = LineModeSession(defaultChannels: ["#chatty"])
        _ = Self.ready(&session)
        _ = session.inputLine("a", now: 0)
        _ = session.inputLine("b", now: 0)
        _ = session.inputEnded(now: 0)
        #expect(Self.requests(session.clientEvent(.synced(token: "1"), now: 0)).isEmpty)
        #expect(Self.requests(session.clientEvent(.synced(token: "2"), now: 0)) == [.quit(reason: "Chatty line mode")])
    }

    @Test func linesTheServerDidNotConfirmBeforeTheConnectionEndedAreReportedAndFailTheRun() {
        var session = LineModeSession(defaultChannels: ["#chatty"])
        _ = Self.ready(&session)
        _ = session.inputLine("lost line", now: 0)
        let lost = session.clientEvent(.connectionLost(reason: "Connection reset"), now: 0)
        #expect(Self.errors(lost).count == 1)
        #expect(Self.errors(lost).first?.contains("lost line") == true)
        _ = session.inputEnded(now: 0)
        _ = Self.ready(&session)
        let end = session.clientEvent(.stateChanged(.disconnected(reason: "Quit")), now: 0)
        #expect(Self.exitStatus(end) == 1)
    }

    @Test func plainTextWithoutAChannelIsAnErrorOnStderr() {
        var session = LineModeSession(defaultChannels: [])
        _ = session.clientEvent(.stateChanged(.registered(nick: "bot")), now: 0)
        let actions = session.inputLine("to nowhere", now: 0)
        #expect(Self.requests(actions).isEmpty)
        #expect(Self.errors(actions).first?.contains("not in a channel or query") == true)
        #expect(Self.requests(session.inputEnded(now: 0)) == [.quit(reason: "Chatty line mode")])
        #expect(Self.exitStatus(session.clientEvent(.stateChanged(.disconnected(reason: "Quit")), now: 0)) == 1)
    }

    @Test func aRefusedJoinStopsTheWaitAndCommandsStillWork() {
        var session = LineModeSession(defaultChannels: ["#secret"])
        _ = session.inputLine("/msg alice hi", now: 0)
        _ = session.clientEvent(.stateChanged(.registered(nick: "bot")), now: 0)
        let actions = session.clientEvent(.numericError(code: 475, text: "#secret: Cannot join channel (+k)"), now: 0)
        #expect(Self.requests(actions) == [.message(target: "alice", text: "hi"), .sync(token: "1")])
    }

    @Test func anErrorReplyToASentLineFailsTheRun() {
        var session = LineModeSession(defaultChannels: ["#chatty"])
        _ = Self.ready(&session)
        _ = session.inputLine("/msg nobody hi", now: 0)
        let actions = session.clientEvent(.numericError(code: 401, text: "nobody: No such nick/channel"), now: 0)
        #expect(Self.errors(actions) == ["chatty-tui: not delivered: nobody: No such nick/channel"])
        _ = session.clientEvent(.synced(token: "1"), now: 0)
        _ = session.inputEnded(now: 0)
        #expect(Self.exitStatus(session.clientEvent(.stateChanged(.disconnected(reason: "Quit")), now: 0)) == 1)
    }

    @Test func givesUpAfterTheTimeoutWhenItNeverGetsReadyAfterEndOfInput() {
        var session = LineModeSession(defaultChannels: ["#chatty"])
        _ = session.inputLine("a", now: 0)
        _ = session.inputEnded(now: 1_000)
        #expect(session.tick(now: 30_999).isEmpty)
        let actions = session.tick(now: 31_000)
        #expect(Self.errors(actions).contains { $0.contains("not delivered") && $0.hasSuffix(": a") })
        #expect(Self.requests(actions) == [.quit(reason: "Chatty line mode")])
        #expect(Self.exitStatus(session.tick(now: 34_000)) == 1)
    }

    @Test func aQuitLineStopsReadingAndSendsNoSync() {
        var session = LineModeSession(defaultChannels: ["#chatty"])
        _ = Self.ready(&session)
        let actions = session.inputLine("/quit bye", now: 0)
        #expect(Self.requests(actions) == [.quit(reason: "bye")])
        #expect(Self.requests(session.inputLine("after quit", now: 0)).isEmpty)
    }
}
