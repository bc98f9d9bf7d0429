/// The mutual challenge–response authentication of a server link, for either end.
///
/// Both servers hold the same network secret; it never crosses the wire. Each side proves it
/// knows the secret by MACing a fresh nonce chosen by the other side, so a recorded exchange
/// cannot be replayed. The role label in each MAC input keeps one side's proof from being
/// reflected back as the other side's, and a peer claiming our own server name is refused.
///
/// ## Protocol
/// Nonces are ``nonceLength`` random bytes, written as lowercase hex (exactly
/// `2 × nonceLength` characters). MACs are HMAC-SHA256 with the shared secret, written as
/// lowercase hex. `<origin>` is ``OriginID/wireForm`` (`name~incarnation`).
///
/// 1. acceptor → initiator: `LINK CHALLENGE <nonceA>`
/// 2. initiator → acceptor: `LINK AUTH <initiator origin> <nonceI> <macI>` where
///    `macI = HMAC("chatty-link-v1|initiator|<nonceA>|<nonceI>|<initiator origin>")`
/// 3. acceptor verifies `macI`, then → initiator: `LINK AUTH <acceptor origin> <macA>` where
///    `macA = HMAC("chatty-link-v1|acceptor|<nonceA>|<nonceI>|<acceptor origin>")`
/// 4. initiator verifies `macA`.
///
/// MAC inputs are the UTF-8 bytes of those strings, with the nonces in their hex form.
///
/// Anything else before authentication is rejected: another command (an `ERROR` line from the
/// peer is reported as such), a `LINK` line out of turn (`AUTH` before `CHALLENGE`, a second
/// `CHALLENGE`, a `CHALLENGE` sent to the acceptor), a wrong number of parameters, an invalid
/// origin, a peer with our own server name or not the expected one, malformed or wrong-length
/// hex, a wrong MAC. `LINK` lines after authentication (a second `AUTH`) are rejected too.
///
/// - Important: The I/O layer bounds the handshake's duration itself (for example with
///   ``PeerKeepalive``) and closes the connection after ``Action/reject(_:)``; lines that are
///   still fed to the machine after a rejection are ignored.
public struct LinkHandshake: Sendable {
    /// HMAC-SHA256 keyed with the shared secret.
    public typealias MAC = @Sendable (_ message: [UInt8]) -> [UInt8]

    public enum Role: Sendable, Hashable {
        /// We opened the connection.
        case initiator
        /// We accepted the connection.
        case acceptor
    }

    public enum Action: Sendable, Hashable {
        case none
        case send(IRCMessage)
        /// The peer proved it knows the secret. Send `reply` first if there is one (the acceptor's
        /// final `AUTH`), then start the link.
        case authenticated(peer: OriginID, reply: IRCMessage?)
        /// Log the reason and close the connection.
        case reject(String)
    }

    enum State: Sendable, Hashable {
        case initial
        /// Initiator: waiting for `LINK CHALLENGE`.
        case awaitingChallenge
        /// Initiator: our `AUTH` is sent, waiting for the acceptor's.
        case awaitingAcceptorAuth(nonceA: String)
        /// Acceptor: `CHALLENGE` sent, waiting for the initiator's `AUTH`.
        case awaitingInitiatorAuth
        case authenticated(peer: OriginID)
        case rejected
    }

    /// Bytes in a nonce.
    public static let nonceLength = 16
    /// The longest MAC accepted, in bytes (SHA-512 sized, to bound input).
    static let maxMACLength = 64
    static let protocolLabel = "chatty-link-v1"

    public let role: Role
    public let local: OriginID
    /// If set, the peer must have this server name (ASCII case-insensitive).
    public let expectedPeerName: String?
    /// Our nonce in hex: `nonceA` for the acceptor, `nonceI` for the initiator.
    private let nonce: String
    private let mac: MAC
    private(set) var state: State = .initial

    /// - Parameters:
    ///   - role: Which end of the connection we are.
    ///   - local: Our origin.
    ///   - nonce: ``nonceLength`` fresh random bytes, never reused.
    ///   - expectedPeerName: The server name we expect (usually known to an initiator).
    ///   - mac: HMAC-SHA256 with the shared secret.
    public init(role: Role, local: OriginID, nonce: [UInt8], expectedPeerName: String? = nil, mac: @escaping MAC) {
        precondition(nonce.count == Self.nonceLength, "a link nonce has \(Self.nonceLength) bytes")
        self.role = role
        self.local = local
        self.nonce = Self.hex(nonce)
        self.expectedPeerName = expectedPeerName
        self.mac = mac
    }

    /// The authenticated peer, once there is one.
    public var peer: OriginID? {
        switch state {
        case .authenticated(let peer): peer
        case .initial, .awaitingChallenge, .awaitingAcceptorAuth, .awaitingInitiatorAuth, .rejected: nil
        }
    }

    /// The connection is established: the acceptor sends its challenge, the initiator waits.
    public mutating func start() -> Action {
        switch state {
        case .initial:
            switch role {
            case .initiator:
                state = .awaitingChallenge
                return .none
            case .acceptor:
                state = .awaitingInitiatorAuth
                return .send(IRCMessage("LINK", "CHALLENGE", nonce))
            }
        case .awaitingChallenge, .awaitingAcceptorAuth, .awaitingInitiatorAuth, .authenticated, .rejected:
            preconditionFailure("start() called twice")
        }
    }

    /// A line arrived from the peer.
    public mutating func lineReceived(_ message: IRCMessage) -> Action {
        switch state {
        case .initial:
            preconditionFailure("lineReceived(_:) before start()")
        case .rejected:
            return .none
        case .authenticated:
            guard message.command == "LINK" else {
                preconditionFailure("handshake is complete; route link lines to the link machine")
            }
            return reject("unexpected LINK \(message.parameters.first ?? "") after authentication")
        case .awaitingChallenge:
            guard let subcommand = linkSubcommand(message) else { return rejectUnexpected(message) }
            guard subcommand == "CHALLENGE" else { return reject("expected LINK CHALLENGE, got LINK \(subcommand)") }
            guard message.parameters.count == 2 else { return reject("LINK CHALLENGE needs 1 parameter") }
            let nonceA = message.parameters[1]
            guard Self.isValidNonce(nonceA) else { return reject("malformed challenge nonce") }
            state = .awaitingAcceptorAuth(nonceA: nonceA)
            let proof = Self.hex(mac(Self.macInput(.initiator, nonceA: nonceA, nonceI: nonce, origin: local)))
            return .send(IRCMessage("LINK", "AUTH", local.wireForm, nonce, proof))
        case .awaitingAcceptorAuth(let nonceA):
            guard let subcommand = linkSubcommand(message) else { return rejectUnexpected(message) }
            guard subcommand == "AUTH" else { return reject("expected LINK AUTH, got LINK \(subcommand)") }
            guard message.parameters.count == 3 else { return reject("acceptor's LINK AUTH needs 2 parameters") }
            let peer: OriginID
            switch verifyPeer(message.parameters[1]) {
            case .success(let origin): peer = origin
            case .failure(let failure): return reject(failure.reason)
            }
            let expected = mac(Self.macInput(.acceptor, nonceA: nonceA, nonceI: nonce, origin: peer))
            guard let proof = Self.unhex(message.parameters[2], maxBytes: Self.maxMACLength),
                Self.constantTimeEquals(proof, expected)
            else { return reject("authentication failed for \(peer)") }
            state = .authenticated(peer: peer)
            return .authenticated(peer: peer, reply: nil)
        case .awaitingInitiatorAuth:
            guard let subcommand = linkSubcommand(message) else { return rejectUnexpected(message) }
            guard subcommand == "AUTH" else { return reject("expected LINK AUTH, got LINK \(subcommand)") }
            guard message.parameters.count == 4 else { return reject("initiator's LINK AUTH needs 3 parameters") }
            let peer: OriginID
            switch verifyPeer(message.parameters[1]) {
            case .success(let origin): peer = origin
            case .failure(let failure): return reject(failure.reason)
            }
            let nonceI = message.parameters[2]
            guard Self.isValidNonce(nonceI) else { return reject("malformed nonce from \(peer)") }
            guard nonceI != nonce else { return reject("\(peer) echoed our nonce") }
            let expected = mac(Self.macInput(.initiator, nonceA: nonce, nonceI: nonceI, origin: peer))
            guard let proof = Self.unhex(message.parameters[3], maxBytes: Self.maxMACLength),
                Self.constantTimeEquals(proof, expected)
            else { return reject("authentication failed for \(peer)") }
            state = .authenticated(peer: peer)
            let reply = Self.hex(mac(Self.macInput(.acceptor, nonceA: nonce, nonceI: nonceI, origin: local)))
            return .authenticated(peer: peer, reply: IRCMessage("LINK", "AUTH", local.wireForm, reply))
        }
    }

    // MARK: - Helpers

    private struct Failure: Error {
        var reason: String
    }

    private func verifyPeer(_ wireForm: String) -> Result<OriginID, Failure> {
        guard let peer = OriginID(wireForm: wireForm) else {
            return .failure(Failure(reason: "invalid peer origin \(wireForm.debugDescription)"))
        }
        if peer.hasSameName(as: local) {
            return .failure(Failure(reason: "peer claims our own server name \(peer.name)"))
        }
        if let expectedPeerName, !OriginID.sameName(peer.name, expectedPeerName) {
            return .failure(Failure(reason: "expected server \(expectedPeerName), peer is \(peer.name)"))
        }
        return .success(peer)
    }

    private func linkSubcommand(_ message: IRCMessage) -> String? {
        guard message.command == "LINK", let first = message.parameters.first else { return nil }
        return first
    }

    private mutating func rejectUnexpected(_ message: IRCMessage) -> Action {
        if message.command == "ERROR" {
            return reject("peer error: \(message.parameters.last ?? "")")
        }
        return reject("unexpected \(message.command) before authentication")
    }

    private mutating func reject(_ reason: String) -> Action {
        state = .rejected
        return .reject(reason)
    }

    static func macInput(_ role: Role, nonceA: String, nonceI: String, origin: OriginID) -> [UInt8] {
        let label: String
        switch role {
        case .initiator: label = "initiator"
        case .acceptor: label = "acceptor"
        }
        return Array("\(protocolLabel)|\(label)|\(nonceA)|\(nonceI)|\(origin.wireForm)".utf8)
    }

    static func isValidNonce(_ hex: String) -> Bool {
        hex.utf8.count == 2 * nonceLength && unhex(hex, maxBytes: nonceLength) != nil
    }

    /// Lowercase hex.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes lowercase hex of even length and at most `maxBytes` bytes; `nil` otherwise.
    static func unhex(_ hex: String, maxBytes: Int) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard !utf8.isEmpty, utf8.count % 2 == 0, utf8.count <= 2 * maxBytes else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        default: nil
        }
    }

    /// Compares without an early exit, so timing does not reveal how many leading bytes match.
    /// (The length is not secret.)
    static func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in lhs.indices {
            difference |= lhs[index] ^ rhs[index]
        }
        return difference == 0
    }
}
