import Testing
@testable import ChatCore

@Suite struct STSPolicyTests {
    @Test func parsesPortDurationAndPreloadIgnoringUnknownKeys() {
        #expect(STSPolicy.parse("port=6697") == STSPolicy(port: 6697))
        #expect(STSPolicy.parse("duration=300,preload") == STSPolicy(duration: 300, preload: true))
        #expect(STSPolicy.parse("port=6697,duration=0,future=x") == STSPolicy(port: 6697, duration: 0))
    }

    @Test func malformedNumbersMakeThePolicyInvalid() {
        #expect(STSPolicy.parse("port=abc") == nil)
        #expect(STSPolicy.parse("port=0") == nil)
        #expect(STSPolicy.parse("port=70000") == nil)
        #expect(STSPolicy.parse("duration=-5") == nil)
        #expect(STSPolicy.parse("duration") == nil)
    }

    @Test func announcementNamesThePortInPlaintextAndTheDurationOverTLS() {
        #expect(STSPolicy.announcement(port: 6697, duration: 2_592_000, secure: false) == "port=6697")
        #expect(STSPolicy.announcement(port: 6697, duration: 2_592_000, secure: true) == "duration=2592000")
    }
}
