import Testing
@testable import ChatCore

@Suite struct NickFallbackTests: ClientTestCase {
    @Test func underscoresThenDigitsThenGivesUp() {
        var fallback = NickFallback(base: "alice", nickLength: nil)
        var tried: [String] = []
        var rejected = "alice"
        while let next = fallback.next(rejected: rejected, erroneous: false) {
            tried.append(next)
            rejected = next
        }
        #expect(tried == [
            "alice_", "alice__", "alice___", "alice1", "alice2", "alice3", "alice4", "alice5", "alice6", "alice7",
        ])
    }

    @Test func respectsNickLength() {
        var fallback = NickFallback(base: "alexander", nickLength: 9)
        #expect(fallback.next(rejected: "alexander", erroneous: false) == "alexande_")
        #expect(fallback.next(rejected: "alexande_", erroneous: false) == "alexand__")
        #expect(fallback.next(rejected: "alexand__", erroneous: false) == "alexan___")
        #expect(fallback.next(rejected: "alexan___", erroneous: false) == "alexande1")
    }

    @Test func erroneousNickIsCleanedFirst() {
        var fallback = NickFallback(base: "9al ice!", nickLength: nil)
        #expect(fallback.next(rejected: "9al ice!", erroneous: true) == "alice")
        #expect(fallback.next(rejected: "alice", erroneous: true) == "alice__")
    }

    @Test func erroneousLongNickFallsBackToNineCharacters() {
        var fallback = NickFallback(base: "averyverylongnick", nickLength: nil)
        #expect(fallback.next(rejected: "averyverylongnick", erroneous: true) == "averyvery")
    }

    @Test func sanitizeKeepsRFCCharacters() {
        #expect(NickFallback.sanitize("[a]-b_c`d^{e}|f\\") == "[a]-b_c`d^{e}|f\\")
        #expect(NickFallback.sanitize("-1ä ö") == "chatty")
    }
}
