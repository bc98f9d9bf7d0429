/// The identity of one running server process in a federated network: its configured server
/// name plus an *incarnation*, a random token chosen each time the process starts.
///
/// A restarted server is therefore a new origin: its event sequence numbers start again at 1
/// without colliding with those of its previous life.
///
/// The wire form is `name~incarnation`, for example `a.chatty~x1f9`. Both parts are restricted
/// to characters that need no escaping in IRC parameters or tag values and that cannot be
/// confused with the separators used by ``VectorClock/wireEncoding`` (`~`, `=`, `,`):
/// - `name`: 1–63 characters from `A–Z a–z 0–9 . - _`;
/// - `incarnation`: 1–32 characters from `A–Z a–z 0–9 - _`.
///
/// Ordering is by `name`, then `incarnation` (plain byte order), which gives clocks and other
/// origin-keyed output a deterministic order.
public struct OriginID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public static let maxNameLength = 63
    public static let maxIncarnationLength = 32

    public let name: String
    public let incarnation: String

    /// Creates an origin from parts that are known to be valid (the server's own configuration).
    ///
    /// - Important: Invalid parts are a programming error; validate configuration with
    ///   ``isValidName(_:)`` and ``isValidIncarnation(_:)`` first, and parse peer input with
    ///   ``init(wireForm:)``.
    public init(name: String, incarnation: String) {
        precondition(Self.isValidName(name), "invalid server name \(name.debugDescription)")
        precondition(Self.isValidIncarnation(incarnation), "invalid incarnation \(incarnation.debugDescription)")
        self.name = name
        self.incarnation = incarnation
    }

    /// Parses `name~incarnation`; `nil` unless there is exactly one `~` and both parts are valid.
    public init?(wireForm: some StringProtocol) {
        let utf8 = wireForm.utf8
        guard utf8.count <= Self.maxNameLength + 1 + Self.maxIncarnationLength,
            let tilde = utf8.firstIndex(of: UInt8(ascii: "~"))
        else { return nil }
        let name = String(decoding: utf8[..<tilde], as: UTF8.self)
        let incarnation = String(decoding: utf8[utf8.index(after: tilde)...], as: UTF8.self)
        guard Self.isValidName(name), Self.isValidIncarnation(incarnation) else { return nil }
        self.name = name
        self.incarnation = incarnation
    }

    /// `name~incarnation`.
    public var wireForm: String { "\(name)~\(incarnation)" }

    public var description: String { wireForm }

    /// Whether `name` and `other` are the same server name, ignoring ASCII case (as IRC does).
    public func hasSameName(as other: OriginID) -> Bool {
        Self.sameName(name, other.name)
    }

    public static func < (lhs: OriginID, rhs: OriginID) -> Bool {
        if lhs.name != rhs.name { return lhs.name.utf8.lexicographicallyPrecedes(rhs.name.utf8) }
        return lhs.incarnation.utf8.lexicographicallyPrecedes(rhs.incarnation.utf8)
    }

    public static func isValidName(_ name: String) -> Bool {
        let utf8 = name.utf8
        return !utf8.isEmpty && utf8.count <= maxNameLength
            && utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    public static func isValidIncarnation(_ incarnation: String) -> Bool {
        let utf8 = incarnation.utf8
        return !utf8.isEmpty && utf8.count <= maxIncarnationLength
            && utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    static func sameName(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.elementsEqual(rhs.utf8) { asciiLowercased($0) == asciiLowercased($1) }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            false
        }
    }

    private static func asciiLowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte + 32 : byte
    }
}
