import Testing

@testable import ChatCore

private let local = OriginID(name: "a.chatty", incarnation: "x1")
private let remote = OriginID(name: "b.chatty", incarnation: "k9")
private let secret = "correct horse battery staple"
private let nonceA = [UInt8](0..<16)
private let nonceI = [UInt8](repeating: 0xa5, count: 16)

/// Sends a message over the wire and back: serialize, then parse.
private func wire(_ message: IRCMessage) throws -> IRCMessage {
    try IRCMessage.parse(message.serialized())
}

private func line(_ text: String) throws -> IRCMessage {
    try IRCMessage.parse(text)
}

private func acceptor(secret: String = secret, nonce: [UInt8] = nonceA, expectedPeerName: String? = nil) -> LinkHandshake {
    LinkHandshake(role: .acceptor, local: local, nonce: nonce, expectedPeerName: expectedPeerName,
                  mac: FederationTestCrypto.mac(secret: secret))
}

private func initiator(secret: String = secret, nonce: [UInt8] = nonceI, expectedPeerName: String? = nil) -> LinkHandshake {
    LinkHandshake(role: .initiator, local: remote, nonce: nonce, expectedPeerName: expectedPeerName,
                  mac: FederationTestCrypto.mac(secret: secret))
}

private func expectReject(_ action: LinkHandshake.Action, sourceLocation: SourceLocation = #_sourceLocation) {
    guard case .reject = action else {
        Issue.record("expected a rejection, got \(action)", sourceLocation: sourceLocation)
        return
    }
}

private func sentMessage(_ action: LinkHandshake.Action) throws -> IRCMessage {
    guard case .send(let message) = action else { throw HandshakeTestError.unexpected(action) }
    return message
}

private enum HandshakeTestError: Error {
    case unexpected(LinkHandshake.Action)
}

private func hexMAC(_ text: String, secret: String = secret) -> String {
    FederationTestCrypto.hex(FederationTestCrypto.hmacSHA256(key: Array(secret.utf8), message: Array(text.utf8)))
}

@Suite struct TestHMACTests {
    // RFC 4231 test cases 1, 2 and 6, and FIPS 180-2 "abc": the test double is a real HMAC-SHA256.
    @Test func matchesPublishedVectors() {
        #expect(FederationTestCrypto.hex(FederationTestCrypto.sha256(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(FederationTestCrypto.hex(FederationTestCrypto.hmacSHA256(key: [UInt8](repeating: 0x0b, count: 20),
                                                                        message: Array("Hi There".utf8)))
            == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(hexMAC("what do ya want for nothing?", secret: "Jefe")
            == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(FederationTestCrypto.hex(FederationTestCrypto.hmacSHA256(
            key: [UInt8](repeating: 0xaa, count: 131),
            message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
            == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
    }
}

@Suite struct LinkHandshakeTests {
    let nonceAHex = FederationTestCrypto.hex(nonceA)
    let nonceIHex = FederationTestCrypto.hex(nonceI)

    @Test func authenticatesBothSides() throws {
        var server = acceptor()
        var client = initiator()
        #expect(client.start() == .none)
        let challenge = try sentMessage(server.start())
        #expect(challenge == IRCMessage("LINK", "CHALLENGE", nonceAHex))

        let auth = try sentMessage(client.lineReceived(wire(challenge)))
        let expectedInitiatorMAC = hexMAC("chatty-link-v1|initiator|\(nonceAHex)|\(nonceIHex)|b.chatty~k9")
        #expect(auth == IRCMessage("LINK", "AUTH", "b.chatty~k9", nonceIHex, expectedInitiatorMAC))

        let accepted = server.lineReceived(try wire(auth))
        let expectedAcceptorMAC = hexMAC("chatty-link-v1|acceptor|\(nonceAHex)|\(nonceIHex)|a.chatty~x1")
        let reply = IRCMessage("LINK", "AUTH", "a.chatty~x1", expectedAcceptorMAC)
        #expect(accepted == .authenticated(peer: remote, reply: reply))
        #expect(server.peer == remote)

        #expect(client.lineReceived(try wire(reply)) == .authenticated(peer: local, reply: nil))
        #expect(client.peer == local)
        // The secret never appears on the wire.
        for message in [challenge, auth, reply] {
            #expect(!message.serialized().contains(secret))
        }
    }

    @Test func acceptorRejectsAWrongSecret() throws {
        var server = acceptor()
        var client = initiator(secret: "wrong")
        _ = client.start()
        let auth = try sentMessage(client.lineReceived(wire(sentMessage(server.start()))))
        expectReject(server.lineReceived(try wire(auth)))
        #expect(server.peer == nil)
        // Later lines are ignored while the caller closes.
        #expect(server.lineReceived(try wire(auth)) == .none)
    }

    @Test func initiatorRejectsAnAcceptorWithoutTheSecret() throws {
        // An impostor acceptor that skips verification and answers with a MAC under its own key.
        var client = initiator()
        _ = client.start()
        _ = try sentMessage(client.lineReceived(line("LINK CHALLENGE \(nonceAHex)")))
        let forged = hexMAC("chatty-link-v1|acceptor|\(nonceAHex)|\(nonceIHex)|a.chatty~x1", secret: "guess")
        expectReject(client.lineReceived(try line("LINK AUTH a.chatty~x1 \(forged)")))
        #expect(client.peer == nil)
    }

    @Test func initiatorRejectsTheInitiatorProofReflected() throws {
        // Someone reflects the initiator MAC as the acceptor's proof, with the acceptor's format.
        var client = initiator()
        _ = client.start()
        let auth = try sentMessage(client.lineReceived(line("LINK CHALLENGE \(nonceAHex)")))
        expectReject(client.lineReceived(try line("LINK AUTH a.chatty~x1 \(auth.parameters[3])")))
    }

    @Test func rejectsReplayedAuthUnderANewNonce() throws {
        // Record a complete, valid session.
        var server1 = acceptor()
        var client1 = initiator()
        _ = client1.start()
        let auth = try sentMessage(client1.lineReceived(wire(sentMessage(server1.start()))))
        guard case .authenticated(_, let reply?) = server1.lineReceived(try wire(auth)) else {
            Issue.record("first session failed")
            return
        }

        // Replay the initiator's AUTH to a new acceptor session with a fresh challenge.
        var server2 = acceptor(nonce: [UInt8](repeating: 7, count: 16))
        _ = server2.start()
        expectReject(server2.lineReceived(try wire(auth)))

        // Replay the acceptor's AUTH to a new initiator session with a fresh nonce.
        var client2 = initiator(nonce: [UInt8](repeating: 9, count: 16))
        _ = client2.start()
        _ = try sentMessage(client2.lineReceived(line("LINK CHALLENGE \(nonceAHex)")))
        expectReject(client2.lineReceived(try wire(reply)))
    }

    @Test(arguments: [
        "PING :hello",
        "ERROR :Closing link",
        "LINK AUTH a.chatty~x1 00",
        "LINK CHALLENGE",
        "LINK CHALLENGE 0001",
        "LINK CHALLENGE 000102030405060708090a0b0c0d0e0f00",
        "LINK CHALLENGE 000102030405060708090A0B0C0D0E0F",
        "LINK CHALLENGE 000102030405060708090a0b0c0d0e0g",
        "LINK CHALLENGE 000102030405060708090a0b0c0d0e0f extra",
        "LINK challenge 000102030405060708090a0b0c0d0e0f",
        "LINK",
    ])
    func initiatorRejectsMalformedChallenges(_ text: String) throws {
        var client = initiator()
        _ = client.start()
        expectReject(client.lineReceived(try line(text)))
    }

    @Test(arguments: [
        "PRIVMSG #x :hi",
        "LINK CHALLENGE 000102030405060708090a0b0c0d0e0f",
        "LINK AUTH b.chatty~k9 a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
        "LINK AUTH b.chatty~k9 a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 <mac> extra",
        "LINK AUTH b.chatty a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 <mac>",
        "LINK AUTH b.chatty~k9 a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 <mac>",
        "LINK AUTH b.chatty~k9 A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5A5 <mac>",
        "LINK AUTH b.chatty~k9 a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 <mac>0",
        "LINK AUTH b.chatty~k9 a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 <mac>00",
        "LINK AUTH b.chatty~k9 a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 <mac-short>",
        "LINK AUTH b.chatty~k9 a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 <mac-upper>",
        "LINK AUTH b.chatty~k9 a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5 ",
    ])
    func acceptorRejectsMalformedAuth(_ template: String) throws {
        let mac = hexMAC("chatty-link-v1|initiator|\(nonceAHex)|\(nonceIHex)|b.chatty~k9")
        let text = template
            .replacing("<mac-short>", with: String(mac.dropLast(2)))
            .replacing("<mac-upper>", with: mac.uppercased())
            .replacing("<mac>", with: mac)
        // The unmodified line with the right MAC is accepted (so each case fails for its defect).
        var control = acceptor()
        _ = control.start()
        guard case .authenticated = control.lineReceived(try line("LINK AUTH b.chatty~k9 \(nonceIHex) \(mac)")) else {
            Issue.record("control line rejected")
            return
        }
        var server = acceptor()
        _ = server.start()
        expectReject(server.lineReceived(try line(text)))
        #expect(server.peer == nil)
    }

    @Test(arguments: ["a.chatty~other", "A.CHATTY~x1"])
    func rejectsAPeerClaimingOurName(_ claimed: String) throws {
        // Even with a valid MAC (a network member misconfigured or lying).
        let mac = hexMAC("chatty-link-v1|initiator|\(nonceAHex)|\(nonceIHex)|\(claimed)")
        var server = acceptor()
        _ = server.start()
        expectReject(server.lineReceived(try line("LINK AUTH \(claimed) \(nonceIHex) \(mac)")))

        var client = LinkHandshake(role: .initiator, local: local, nonce: nonceI, mac: FederationTestCrypto.mac(secret: secret))
        _ = client.start()
        _ = try sentMessage(client.lineReceived(line("LINK CHALLENGE \(nonceAHex)")))
        let acceptorMAC = hexMAC("chatty-link-v1|acceptor|\(nonceAHex)|\(nonceIHex)|\(claimed)")
        expectReject(client.lineReceived(try line("LINK AUTH \(claimed) \(acceptorMAC)")))
    }

    @Test func rejectsAnEchoedNonce() throws {
        let mac = hexMAC("chatty-link-v1|initiator|\(nonceAHex)|\(nonceAHex)|b.chatty~k9")
        var server = acceptor()
        _ = server.start()
        expectReject(server.lineReceived(try line("LINK AUTH b.chatty~k9 \(nonceAHex) \(mac)")))
    }

    @Test func checksTheExpectedPeerName() throws {
        let mac = hexMAC("chatty-link-v1|initiator|\(nonceAHex)|\(nonceIHex)|b.chatty~k9")
        var wrong = acceptor(expectedPeerName: "c.chatty")
        _ = wrong.start()
        expectReject(wrong.lineReceived(try line("LINK AUTH b.chatty~k9 \(nonceIHex) \(mac)")))
        var right = acceptor(expectedPeerName: "B.Chatty")
        _ = right.start()
        guard case .authenticated(let peer, _) = right.lineReceived(try line("LINK AUTH b.chatty~k9 \(nonceIHex) \(mac)")) else {
            Issue.record("expected peer name did not match case-insensitively")
            return
        }
        #expect(peer == remote)
    }

    @Test func rejectsASecondAuth() throws {
        var server = acceptor()
        var client = initiator()
        _ = client.start()
        let auth = try sentMessage(client.lineReceived(wire(sentMessage(server.start()))))
        guard case .authenticated(_, let reply?) = server.lineReceived(try wire(auth)) else {
            Issue.record("handshake failed")
            return
        }
        expectReject(server.lineReceived(try wire(auth)))
        #expect(client.lineReceived(try wire(reply)) == .authenticated(peer: local, reply: nil))
        expectReject(client.lineReceived(try wire(reply)))
    }

    @Test func initiatorRejectsAuthBeforeChallenge() throws {
        var client = initiator()
        _ = client.start()
        let mac = hexMAC("chatty-link-v1|acceptor|\(nonceAHex)|\(nonceIHex)|a.chatty~x1")
        expectReject(client.lineReceived(try line("LINK AUTH a.chatty~x1 \(mac)")))
    }

    @Test func initiatorRejectsASecondChallenge() throws {
        var client = initiator()
        _ = client.start()
        _ = try sentMessage(client.lineReceived(line("LINK CHALLENGE \(nonceAHex)")))
        expectReject(client.lineReceived(try line("LINK CHALLENGE \(nonceAHex)")))
    }

    @Test func helpersAreStrict() {
        #expect(LinkHandshake.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!LinkHandshake.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!LinkHandshake.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(LinkHandshake.unhex("00ff10", maxBytes: 3) == [0, 255, 16])
        #expect(LinkHandshake.unhex("00ff10", maxBytes: 2) == nil)
        #expect(LinkHandshake.unhex("0", maxBytes: 3) == nil)
        #expect(LinkHandshake.unhex("", maxBytes: 3) == nil)
        #expect(LinkHandshake.unhex("FF", maxBytes: 3) == nil)
        #expect(LinkHandshake.hex([0, 255, 16]) == "00ff10")
    }
}
