import Testing

@testable import ChatCore

@Suite struct ServerRegistrationStateMachineTests {
    @Test func nickThenUserRegisters() {
        var machine = ServerRegistrationStateMachine()
        #expect(machine.nickAccepted("dani") == .wait)
        #expect(machine.userReceived(user: "d", realName: "Dani") == .register(nick: "dani", user: "d", realName: "Dani", password: nil))
        #expect(machine.isRegistered)
        #expect(machine.userReceived(user: "x", realName: "y") == .alreadyRegistered)
        #expect(machine.passwordReceived("p") == .alreadyRegistered)
    }

    @Test func userThenNickRegisters() {
        var machine = ServerRegistrationStateMachine()
        #expect(machine.userReceived(user: "d", realName: "Dani") == .wait)
        #expect(machine.nickAccepted("dani") == .register(nick: "dani", user: "d", realName: "Dani", password: nil))
    }

    @Test func capNegotiationHoldsRegistrationUntilEnd() {
        var machine = ServerRegistrationStateMachine()
        #expect(machine.capabilityNegotiationStarted() == .wait)
        #expect(machine.passwordReceived("secret") == .wait)
        #expect(machine.nickAccepted("dani") == .wait)
        #expect(machine.userReceived(user: "d", realName: "") == .wait)
        #expect(!machine.isRegistered)
        #expect(machine.capabilityNegotiationEnded() == .register(nick: "dani", user: "d", realName: "", password: "secret"))
    }

    @Test func capEndBeforeNickAndUserWaits() {
        var machine = ServerRegistrationStateMachine()
        _ = machine.capabilityNegotiationStarted()
        #expect(machine.capabilityNegotiationEnded() == .wait)
        #expect(machine.nickAccepted("a") == .wait)
    }

    @Test func nickChangeBeforeUserKeepsLatest() {
        var machine = ServerRegistrationStateMachine()
        _ = machine.nickAccepted("first")
        _ = machine.nickAccepted("second")
        #expect(machine.userReceived(user: "u", realName: "r") == .register(nick: "second", user: "u", realName: "r", password: nil))
    }

    @Test func secondUserBeforeRegistrationIsRejected() {
        var machine = ServerRegistrationStateMachine()
        #expect(machine.userReceived(user: "u", realName: "r") == .wait)
        #expect(machine.userReceived(user: "v", realName: "s") == .alreadyRegistered)
    }
}
