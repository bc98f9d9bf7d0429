import Testing
@testable import ChatCore

@Suite struct SASLExchangeTests {
    func plain(_ text: String) -> String { Base64.encode(Array(text.utf8)) }

    @Test func plainInOneChunk() {
        var exchange = SASLExchange()
        #expect(exchange.received("PLAIN") == .send("+"))
        #expect(exchange.received(plain("\0ann\0secret-password")) == .checkPassword(account: "ann", password: "secret-password"))
        #expect(exchange.received("PLAIN") == .busy, "a second exchange waits for the check")
        exchange.finished()
        #expect(exchange.received("plain") == .send("+"))
    }

    @Test func chunksOf400ArePutTogetherAndAPlusEndsAMultipleOf400() {
        let login = SASLLogin(account: "ann", password: String(repeating: "p", count: 595))
        let chunks = login.plainChunks
        #expect(chunks.count == 3 && chunks[0].utf8.count == 400 && chunks[1].utf8.count == 400 && chunks[2] == "+",
                "600 base64 characters… \(chunks.map(\.count))")
        var exchange = SASLExchange()
        _ = exchange.received("PLAIN")
        #expect(exchange.received(chunks[0]) == SASLExchange.Action.none)
        #expect(exchange.received(chunks[1]) == SASLExchange.Action.none)
        #expect(exchange.received(chunks[2]) == .checkPassword(account: "ann", password: login.password))
    }

    @Test func anAbortCannotCancelACheckUnderWay() {
        var exchange = SASLExchange()
        _ = exchange.received("PLAIN")
        _ = exchange.received(plain("\0ann\0pw"))
        #expect(exchange.received("*") == .busy)
        #expect(exchange.received("PLAIN") == .busy)
        exchange.finished()
        #expect(exchange.received("*") == .aborted)
        #expect(SASLLogin(account: "ann", password: "", external: true).chunks == [Base64.encode(Array("ann".utf8))],
                "EXTERNAL names the account")
    }

    @Test func theClientsChunkingMatchesForShortPayloads() {
        #expect(SASLLogin(account: "a", password: "b").plainChunks == [Base64.encode(Array("\0a\0b".utf8))])
    }

    @Test func abortsTooLongAndMalformedPayloads() {
        var exchange = SASLExchange()
        _ = exchange.received("PLAIN")
        #expect(exchange.received("*") == .aborted)
        #expect(exchange.received("SCRAM-SHA-1") == .unknownMechanism)
        _ = exchange.received("PLAIN")
        #expect(exchange.received(String(repeating: "A", count: 401)) == .tooLong)
        _ = exchange.received("PLAIN")
        for _ in 0..<4 { _ = exchange.received(String(repeating: "A", count: 400)) }
        #expect(exchange.received(String(repeating: "A", count: 400)) == .tooLong, "longer than the payload limit")
        _ = exchange.received("PLAIN")
        #expect(exchange.received("not base64!") == .fail)
        _ = exchange.received("PLAIN")
        #expect(exchange.received(plain("other\0ann\0pw")) == .fail, "another authorization identity")
        _ = exchange.received("PLAIN")
        #expect(exchange.received(plain("\0ann")) == .fail, "no password")
        _ = exchange.received("PLAIN")
        #expect(exchange.received("+") == .fail, "an empty payload")
    }
}

@Suite struct Base64Tests {
    @Test func roundTripsAndRejectsNonCanonicalText() {
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            let encoded = Base64.encode(Array(text.utf8))
            #expect(Base64.decode(encoded) == Array(text.utf8))
        }
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.decode("Zm8") == nil)
        #expect(Base64.decode("Z=8=") == nil)
        #expect(Base64.decode("Zm9v!mFy") == nil)
    }

    @Test func credentialsRoundTrip() throws {
        let credentials = AccountCredentials(salt: [1, 2, 3], iterations: 10_000, storedKey: Array(repeating: 7, count: 32),
                                             serverKey: Array(repeating: 9, count: 32))
        #expect(AccountCredentials(encoded: credentials.encoded) == credentials)
        #expect(credentials.encoded.hasPrefix("SCRAM-SHA-256$10000$"))
        #expect(AccountCredentials(encoded: "plain$secret") == nil)
    }
}

@Suite struct SASLExchangeSCRAMTests {
    func encoded(_ text: String) -> String { Base64.encode(Array(text.utf8)) }

    @Test func threeRoundsThenTheClientsPlusLogsIn() throws {
        var exchange = SASLExchange()
        #expect(exchange.received("SCRAM-SHA-256") == .send("+"))
        #expect(exchange.received(encoded("n,,n=ann,r=abc")) == .makeServerFirst(account: "ann", clientNonce: "abc"))
        #expect(exchange.received(encoded("c=biws,r=abc,p=x")) == .busy, "waits for server-first")
        let serverFirst = "r=abcXYZ,s=c2FsdA==,i=4096"
        #expect(exchange.serverFirstMade(serverFirst) == .send(encoded(serverFirst)))
        let proof = [UInt8](repeating: 7, count: 32)
        #expect(exchange.received(encoded("c=biws,r=abcXYZ,p=" + Base64.encode(proof)))
            == .checkProof(account: "ann", authMessage: "n=ann,r=abc,\(serverFirst),c=biws,r=abcXYZ", proof: proof))
        #expect(exchange.proofAccepted(account: "ann", serverSignature: [1, 2]) == .send(encoded("v=" + Base64.encode([1, 2]))))
        #expect(exchange.received("+") == .succeeded(account: "ann"))
    }

    @Test func aReplayedOrForeignNonceChannelBindingOrAuthzidFails() {
        var exchange = SASLExchange()
        _ = exchange.received("SCRAM-SHA-256")
        #expect(exchange.received(encoded("p=tls-unique,,n=ann,r=abc")) == .fail, "channel binding is not offered")
        _ = exchange.received("SCRAM-SHA-256")
        #expect(exchange.received(encoded("n,a=bob,n=ann,r=abc")) == .fail, "another authorization identity")
        _ = exchange.received("SCRAM-SHA-256")
        _ = exchange.received(encoded("n,,n=ann,r=abc"))
        _ = exchange.serverFirstMade("r=abcXYZ,s=c2FsdA==,i=4096")
        #expect(exchange.received(encoded("c=biws,r=abcOTHER,p=" + Base64.encode([UInt8](repeating: 7, count: 32)))) == .fail,
                "the nonce must be the server's")
    }
}
