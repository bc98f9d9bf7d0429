import Testing

@testable import ChatCore

@Suite struct VectorClockTests {
    let a = OriginID(name: "a.chatty", incarnation: "x1")
    let b = OriginID(name: "b.chatty", incarnation: "k9")
    let c = OriginID(name: "c.chatty", incarnation: "q")

    @Test func missingEntriesAreZeroAndZeroIsNotStored() {
        var clock = VectorClock()
        #expect(clock[a] == 0)
        clock[a] = 3
        #expect(clock[a] == 3)
        #expect(clock.count == 1)
        clock[a] = 0
        #expect(clock.isEmpty)
        #expect(clock == VectorClock())
        #expect(VectorClock([a: 0, b: 2]) == VectorClock([b: 2]))
    }

    @Test func mergeTakesThePointwiseMaximum() {
        var clock = VectorClock([a: 3, b: 1])
        clock.merge(VectorClock([b: 5, c: 2]))
        #expect(clock == VectorClock([a: 3, b: 5, c: 2]))
        #expect(VectorClock([a: 1]).merging(VectorClock([a: 4])) == VectorClock([a: 4]))
    }

    @Test func happenedBeforeAndConcurrency() {
        let x = VectorClock([a: 1])
        let y = VectorClock([a: 1, b: 1])
        let z = VectorClock([a: 2])
        #expect(x.happenedBefore(y))
        #expect(!y.happenedBefore(x))
        #expect(!x.happenedBefore(x))
        #expect(y.isConcurrent(with: z))
        #expect(!x.isConcurrent(with: z))
        #expect(!x.isConcurrent(with: x))
        #expect(x.compare(to: y) == .before)
        #expect(y.compare(to: x) == .after)
        #expect(y.compare(to: z) == .concurrent)
        #expect(z.compare(to: VectorClock([a: 2])) == .equal)
        #expect(VectorClock().happenedBefore(x))
    }

    @Test func encodingIsSortedAndRoundTrips() throws {
        let clock = VectorClock([b: 7, a: 3, c: UInt64.max])
        #expect(clock.wireEncoding == "a.chatty~x1=3,b.chatty~k9=7,c.chatty~q=18446744073709551615")
        #expect(VectorClock(wireEncoding: clock.wireEncoding) == clock)
        #expect(VectorClock().wireEncoding == "")
        #expect(VectorClock(wireEncoding: "") == VectorClock())
        // Order on the wire does not matter.
        #expect(VectorClock(wireEncoding: "b.chatty~k9=7,a.chatty~x1=3") == VectorClock([a: 3, b: 7]))
    }

    @Test func encodingSurvivesAnIRCTag() throws {
        let clock = VectorClock([a: 3, b: 7])
        let message = IRCMessage(tags: [.init("chatty/clock", clock.wireEncoding)], command: "EVENT", parameters: ["x"])
        let parsed = try IRCMessage.parse(message.serialized())
        #expect(parsed.tag("chatty/clock").flatMap { VectorClock(wireEncoding: $0) } == clock)
    }

    @Test(arguments: [
        ",", "a.chatty~x1=3,", ",a.chatty~x1=3", "a.chatty~x1=3,,b.chatty~k9=1", "a.chatty~x1", "a.chatty~x1=",
        "a.chatty~x1=0", "a.chatty~x1=03", "a.chatty~x1=-3", "a.chatty~x1=+3", "a.chatty~x1=3a", "a.chatty~x1= 3",
        "a.chatty~x1=18446744073709551616", "a.chatty~x1=99999999999999999999", "a.chatty=3", "=3",
        "a.chatty~x1=3,a.chatty~x1=4", "a.chatty~x1=3=4", "a.chatty~x1=3;b.chatty~k9=1", "a.chatty~x1=3 ",
    ])
    func rejectsMalformedEncodings(_ encoding: String) {
        #expect(VectorClock(wireEncoding: encoding) == nil)
    }

    @Test func boundsTheNumberOfEntries() {
        let entries = (0..<65).map { "s\($0).chatty~i=\($0 + 1)" }
        #expect(VectorClock(wireEncoding: entries.prefix(64).joined(separator: ","))?.count == 64)
        #expect(VectorClock(wireEncoding: entries.joined(separator: ",")) == nil)
    }
}
