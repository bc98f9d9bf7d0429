import Testing

@testable import ChatCore

@Suite struct OriginIDTests {
    @Test func wireFormRoundTrips() throws {
        let origin = OriginID(name: "a.chatty", incarnation: "x1F9-_")
        #expect(origin.wireForm == "a.chatty~x1F9-_")
        #expect(OriginID(wireForm: origin.wireForm) == origin)
        let parsed = try #require(OriginID(wireForm: "irc.example-1.net~k9"))
        #expect(parsed.name == "irc.example-1.net")
        #expect(parsed.incarnation == "k9")
    }

    @Test(arguments: [
        "", "~", "a.chatty", "a.chatty~", "~x1", "a.chatty~x1~y", "a chatty~x1", "a.chatty~x.1",
        "a.chatty~x1,b", "a=chatty~x1", "a.chätty~x1", "a.chatty~" + String(repeating: "x", count: 33),
        String(repeating: "a", count: 64) + "~x1",
    ])
    func rejectsMalformedWireForms(_ wire: String) {
        #expect(OriginID(wireForm: wire) == nil)
    }

    @Test func acceptsMaximumLengths() {
        let wire = String(repeating: "a", count: 63) + "~" + String(repeating: "x", count: 32)
        #expect(OriginID(wireForm: wire) != nil)
    }

    @Test func ordersByNameThenIncarnation() {
        let a1 = OriginID(name: "a.chatty", incarnation: "2")
        let a2 = OriginID(name: "a.chatty", incarnation: "10")
        let b = OriginID(name: "b.chatty", incarnation: "0")
        #expect([b, a1, a2].sorted() == [a2, a1, b])
    }

    @Test func comparesNamesCaseInsensitively() {
        let lower = OriginID(name: "a.chatty", incarnation: "1")
        #expect(lower.hasSameName(as: OriginID(name: "A.Chatty", incarnation: "2")))
        #expect(!lower.hasSameName(as: OriginID(name: "a.chatty2", incarnation: "1")))
        #expect(!lower.hasSameName(as: OriginID(name: "b.chatty", incarnation: "1")))
    }
}
