import Testing
@testable import ChatCore

@Suite struct ServerSupportTests: ClientTestCase {
    @Test func defaults() {
        let support = ServerSupport()
        #expect(support.channelTypes == "#&")
        #expect(support.prefixSymbols == ["@", "+"])
        #expect(support.nickLength == nil)
        #expect(support.caseMapping == .rfc1459)
    }

    @Test func appliesTokens() {
        var support = ServerSupport()
        support.apply(["PREFIX=(qaohv)~&@%+", "CHANTYPES=#", "NICKLEN=16", "NETWORK=Chatty\\x20Net",
                       "CASEMAPPING=ascii", "CHANMODES=beI,k,l,imnst", "EXCEPTS"])
        #expect(support.prefixModes == ["q", "a", "o", "h", "v"])
        #expect(support.prefixSymbols == ["~", "&", "@", "%", "+"])
        #expect(support.channelTypes == "#")
        #expect(support.nickLength == 16)
        #expect(support.network == "Chatty Net")
        #expect(support.caseMapping == .ascii)
        #expect(support.tokens["EXCEPTS"] == "")
        #expect(support.isChannel("#x") && !support.isChannel("&x"))
    }

    @Test func negatedTokenRestoresDefault() {
        var support = ServerSupport()
        support.apply(["NICKLEN=30", "NETWORK=X"])
        support.apply(["-NICKLEN"])
        #expect(support.nickLength == nil)
        #expect(support.tokens["NICKLEN"] == nil)
        #expect(support.network == "X")
    }

    @Test func caseMappings() {
        #expect(CaseMapping.rfc1459.fold("Al[i]ce\\~") == "al{i}ce|^")
        #expect(CaseMapping.strictRFC1459.fold("Al[i]ce\\~") == "al{i}ce|~")
        #expect(CaseMapping.ascii.fold("Al[i]ce\\~") == "al[i]ce\\~")
    }

    @Test func splitsPrefixesAndUserHost() {
        let support = ServerSupport()
        #expect(support.splitPrefixes("@+bob") == ChannelMember(nick: "bob", prefixes: "@+"))
        #expect(support.splitPrefixes("carol!c@host") == ChannelMember(nick: "carol"))
    }

    @Test func modeParameters() {
        let support = ServerSupport()
        #expect(support.modeTakesParameter("o", adding: false))
        #expect(support.modeTakesParameter("b", adding: true))
        #expect(support.modeTakesParameter("l", adding: true))
        #expect(!support.modeTakesParameter("l", adding: false))
        #expect(!support.modeTakesParameter("n", adding: true))
    }
}
