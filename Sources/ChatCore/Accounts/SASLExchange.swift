/// One client's SASL exchange (IRCv3 SASL 3.1/3.2: `AUTHENTICATE`), as a value: the mechanism,
/// the base64 payload collected from its 400-byte chunks, and what to do with it.
///
/// `AUTHENTICATE PLAIN` → `AUTHENTICATE +`; then the payload in chunks of at most 400 bytes, a
/// chunk of exactly 400 meaning more follows (and `+` ending a payload whose length is a multiple
/// of 400, or standing for an empty one); `AUTHENTICATE *` aborts.
public struct SASLExchange: Sendable, Hashable {
    public enum Mechanism: String, Sendable, Hashable, CaseIterable {
        case plain = "PLAIN"
    }

    enum State: Sendable, Hashable {
        case awaitingMechanism
        case collecting(Mechanism, payload: String)
        /// The credentials are being checked (off the event loop); further lines wait.
        case checking
    }

    public enum Action: Sendable, Hashable {
        /// Nothing yet (more chunks to come).
        case none
        /// Send `AUTHENTICATE <parameter>`.
        case send(String)
        /// Check this password for `account` (`PLAIN`: the authorization identity is empty or the same).
        case checkPassword(account: String, password: String)
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
            state = .awaitingMechanism
            return .aborted
        }
        switch state {
        case .awaitingMechanism:
            guard let mechanism = Mechanism(rawValue: parameter.uppercased()) else { return .unknownMechanism }
            state = .collecting(mechanism, payload: "")
            return .send("+")
        case .collecting(let mechanism, var payload):
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
                state = .collecting(mechanism, payload: payload)
                return .none
            }
            return complete(mechanism, payload: payload)
        case .checking:
            return .busy
        }
    }

    /// The check finished: a new exchange may start.
    public mutating func finished() {
        state = .awaitingMechanism
    }

    private mutating func complete(_ mechanism: Mechanism, payload: String) -> Action {
        guard let bytes = Base64.decode(payload) else {
            state = .awaitingMechanism
            return .fail
        }
        switch mechanism {
        case .plain:
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
        }
    }
}
