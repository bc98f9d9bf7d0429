/// One client's SASL exchange (IRCv3 SASL 3.1/3.2: `AUTHENTICATE`), as a value: the mechanism,
/// the base64 payload collected from its 400-byte chunks, and what to do with it.
///
/// `AUTHENTICATE PLAIN` → `AUTHENTICATE +`; then the payload in chunks of at most 400 bytes, a
/// chunk of exactly 400 meaning more follows (and `+` ending a payload whose length is a multiple
/// of 400, or standing for an empty one); `AUTHENTICATE *` aborts.
///
/// `SCRAM-SHA-256` (RFC 5802/7677, no channel binding) takes three rounds: client-first →
/// server-first (its nonce comes from the I/O layer) → client-final → server-final → `+`. The
/// password never reaches the server; the proof is checked against the stored verifier.
public struct SASLExchange: Sendable, Hashable {
    public enum Mechanism: String, Sendable, Hashable, CaseIterable {
        case external = "EXTERNAL"
        case plain = "PLAIN"
        case scramSHA256 = "SCRAM-SHA-256"
    }

    /// Which SCRAM message is being collected.
    enum Step: Sendable, Hashable {
        case first
        /// The client-final message, after this server-first.
        case final(account: String, clientFirstBare: String, serverFirst: String)
    }

    enum State: Sendable, Hashable {
        case awaitingMechanism
        case collecting(Mechanism, payload: String, step: Step)
        /// Something is being computed off the event loop; further lines wait.
        case checking
        /// SCRAM: server-first is being made (its nonce comes from the I/O layer).
        case makingServerFirst(account: String, clientFirstBare: String)
        /// SCRAM: the server-final was sent; the client answers `+`.
        case awaitingAcknowledgement(account: String)
    }

    public enum Action: Sendable, Hashable {
        /// Nothing yet (more chunks to come).
        case none
        /// Send `AUTHENTICATE <parameter>`.
        case send(String)
        /// Check this password for `account` (`PLAIN`: the authorization identity is empty or the same).
        case checkPassword(account: String, password: String)
        /// `EXTERNAL`: log in with the connection's client certificate (to `account` if named).
        case checkCertificate(account: String?)
        /// SCRAM: make the server-first message for `account` from the client's nonce.
        case makeServerFirst(account: String, clientNonce: String)
        /// SCRAM: check the client's proof over `authMessage`.
        case checkProof(account: String, authMessage: String, proof: [UInt8])
        /// SCRAM: the client acknowledged the server's signature: logged in.
        case succeeded(account: String)
        /// `904`: the payload is malformed or the mechanism cannot proceed.
        case fail
        /// `905`: the payload is longer than allowed.
        case tooLong
        /// `906`: the client aborted.
        case aborted
        /// `908` then `904`: not a mechanism we offer.
        case unknownMechanism
        /// `AUTHENTICATE` while a check is under way: ignored.
        case busy
    }

    /// The longest payload accepted, in base64 characters (a PLAIN payload of long names and a
    /// long password fits several times).
    public static let maximumPayload = 1600
    /// `sasl` capability value: the mechanisms offered.
    public static var mechanisms: String { Mechanism.allCases.map(\.rawValue).joined(separator: ",") }

    private(set) var state: State = .awaitingMechanism

    public init() {}

    /// One `AUTHENTICATE` parameter from the client.
    public mutating func received(_ parameter: String) -> Action {
        if parameter == "*" {
            // A check under way cannot be taken back: its answer decides (one check per connection).
            if case .checking = state { return .busy }
            if case .makingServerFirst = state { return .busy }
            state = .awaitingMechanism
            return .aborted
        }
        switch state {
        case .awaitingMechanism:
            guard let mechanism = Mechanism(rawValue: parameter.uppercased()) else { return .unknownMechanism }
            state = .collecting(mechanism, payload: "", step: .first)
            return .send("+")
        case .collecting(let mechanism, var payload, let step):
            guard parameter.utf8.count <= 400 else {
                state = .awaitingMechanism
                return .tooLong
            }
            if parameter != "+" { payload += parameter }
            guard payload.utf8.count <= Self.maximumPayload else {
                state = .awaitingMechanism
                return .tooLong
            }
            if parameter.utf8.count == 400 {
                state = .collecting(mechanism, payload: payload, step: step)
                return .none
            }
            return complete(mechanism, payload: payload, step: step)
        case .checking, .makingServerFirst:
            return .busy
        case .awaitingAcknowledgement(let account):
            state = .checking
            guard parameter == "+" else {
                state = .awaitingMechanism
                return .fail
            }
            return .succeeded(account: account)
        }
    }

    /// SCRAM: the I/O layer made the server-first message; send it and wait for client-final.
    public mutating func serverFirstMade(_ serverFirst: String) -> Action {
        guard case .makingServerFirst(let account, let clientFirstBare) = state else { return .none }
        state = .collecting(.scramSHA256, payload: "",
                            step: .final(account: account, clientFirstBare: clientFirstBare, serverFirst: serverFirst))
        return .send(Base64.encode(Array(serverFirst.utf8)))
    }

    /// SCRAM: the proof was right; send the server's signature and wait for the client's `+`.
    public mutating func proofAccepted(account: String, serverSignature: [UInt8]) -> Action {
        state = .awaitingAcknowledgement(account: account)
        return .send(Base64.encode(Array(("v=" + Base64.encode(serverSignature)).utf8)))
    }

    /// The check finished: a new exchange may start.
    public mutating func finished() {
        state = .awaitingMechanism
    }

    private mutating func complete(_ mechanism: Mechanism, payload: String, step: Step) -> Action {
        guard let bytes = Base64.decode(payload) else {
            state = .awaitingMechanism
            return .fail
        }
        switch (mechanism, step) {
        case (.external, _):
            // An empty payload, or the authorization identity (the account to use).
            guard let name = String(validating: bytes, as: UTF8.self) else {
                state = .awaitingMechanism
                return .fail
            }
            state = .checking
            return .checkCertificate(account: name.isEmpty ? nil : name)
        case (.plain, _):
            // authzid NUL authcid NUL passwd
            let fields = bytes.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3, !fields[1].isEmpty, !fields[2].isEmpty,
                  fields[0].isEmpty || fields[0] == fields[1],
                  let account = String(validating: fields[1], as: UTF8.self),
                  let password = String(validating: fields[2], as: UTF8.self) else {
                state = .awaitingMechanism
                return .fail
            }
            state = .checking
            return .checkPassword(account: account, password: password)
        case (.scramSHA256, .first):
            // gs2-header ("n,," — no channel binding; an authzid must be the user) then client-first-bare.
            guard let text = String(validating: bytes, as: UTF8.self), text.hasPrefix("n,") || text.hasPrefix("y,") else {
                state = .awaitingMechanism
                return .fail
            }
            let parts = text.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else {
                state = .awaitingMechanism
                return .fail
            }
            let bare = String(parts[2])
            let attributes = Self.attributes(bare)
            // Account names are nicks: no "," or "=" to escape.
            guard let user = attributes["n"], let nonce = attributes["r"], !user.isEmpty, !nonce.isEmpty,
                  !user.contains("="), parts[1].isEmpty || parts[1] == "a=" + user else {
                state = .awaitingMechanism
                return .fail
            }
            state = .makingServerFirst(account: user, clientFirstBare: bare)
            return .makeServerFirst(account: user, clientNonce: nonce)
        case (.scramSHA256, .final(let account, let clientFirstBare, let serverFirst)):
            guard let text = String(validating: bytes, as: UTF8.self) else {
                state = .awaitingMechanism
                return .fail
            }
            let fields = text.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 3, let last = fields.last, last.hasPrefix("p=") else {
                state = .awaitingMechanism
                return .fail
            }
            let withoutProof = fields.dropLast().joined(separator: ",")
            let attributes = Self.attributes(withoutProof)
            guard let proof = Base64.decode(last.dropFirst(2)), proof.count == 32,
                  attributes["r"] == Self.attributes(serverFirst)["r"],
                  let binding = attributes["c"], binding == "biws" || binding == "eSws" else {
                state = .awaitingMechanism
                return .fail
            }
            state = .checking
            return .checkProof(account: account, authMessage: clientFirstBare + "," + serverFirst + "," + withoutProof,
                               proof: proof)
        }
    }

    /// `a=x,b=y` → `["a": "x", "b": "y"]` (first occurrence wins).
    static func attributes(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for field in text.split(separator: ",") {
            guard field.count >= 2, field.dropFirst().first == "=" else { continue }
            let key = String(field.prefix(1))
            if result[key] == nil { result[key] = String(field.dropFirst(2)) }
        }
        return result
    }
}
