/// A vector clock: for each origin, how many of its events have been delivered (or, on an event,
/// how many its creator had delivered when it created the event). Missing entries are 0.
///
/// Entries equal to 0 are never stored, so two clocks that agree on every origin are `==`.
///
/// ## Wire encoding
/// ``wireEncoding`` is a comma-separated list of `origin=count` pairs sorted by origin, with
/// `origin` in ``OriginID/wireForm`` and `count` a positive decimal without leading zeros:
/// `a.chatty~x1=3,b.chatty~k9=7`. The empty clock encodes as the empty string. The format has
/// no spaces or semicolons, so it fits an IRCv3 tag value unchanged (or an IRC middle parameter
/// when not empty). ``init(wireEncoding:)`` accepts only this form (in any order) with at most
/// ``maxEntries`` entries.
public struct VectorClock: Hashable, Sendable, CustomStringConvertible {
    /// The most entries a parsed clock may have.
    public static let maxEntries = 64

    /// The longest valid wire encoding: ``maxEntries`` full-length origins with 20-digit counts.
    public static let maxEncodedLength =
        maxEntries * (OriginID.maxNameLength + 1 + OriginID.maxIncarnationLength + 1 + 20 + 1) - 1

    private(set) var counts: [OriginID: UInt64]

    /// The empty clock (every origin at 0).
    public init() {
        counts = [:]
    }

    /// A clock with the given entries; zero entries are dropped.
    public init(_ counts: [OriginID: UInt64]) {
        self.counts = counts.filter { $0.value != 0 }
    }

    /// The count for `origin`; 0 when absent. Setting 0 removes the entry.
    public subscript(origin: OriginID) -> UInt64 {
        get { counts[origin] ?? 0 }
        set { counts[origin] = newValue == 0 ? nil : newValue }
    }

    /// Origins with a non-zero entry, sorted.
    public var origins: [OriginID] { counts.keys.sorted() }

    /// Number of non-zero entries.
    public var count: Int { counts.count }

    public var isEmpty: Bool { counts.isEmpty }

    /// Pointwise maximum with `other`.
    public mutating func merge(_ other: VectorClock) {
        counts.merge(other.counts, uniquingKeysWith: max)
    }

    /// Pointwise maximum of `self` and `other`.
    public func merging(_ other: VectorClock) -> VectorClock {
        var copy = self
        copy.merge(other)
        return copy
    }

    /// Whether every entry of `self` is ≤ the same entry of `other`.
    public func isLessThanOrEqual(to other: VectorClock) -> Bool {
        counts.allSatisfy { $0.value <= other[$0.key] }
    }

    /// `self` → `other`: `self ≤ other` pointwise and `self ≠ other`.
    public func happenedBefore(_ other: VectorClock) -> Bool {
        self != other && isLessThanOrEqual(to: other)
    }

    /// Neither clock happened before the other and they are not equal.
    public func isConcurrent(with other: VectorClock) -> Bool {
        !isLessThanOrEqual(to: other) && !other.isLessThanOrEqual(to: self)
    }

    public enum Ordering: Sendable, Hashable {
        case equal
        case before
        case after
        case concurrent
    }

    /// How `self` relates to `other` in the happened-before partial order.
    public func compare(to other: VectorClock) -> Ordering {
        switch (isLessThanOrEqual(to: other), other.isLessThanOrEqual(to: self)) {
        case (true, true): .equal
        case (true, false): .before
        case (false, true): .after
        case (false, false): .concurrent
        }
    }

    /// The canonical encoding, e.g. `a.chatty~x1=3,b.chatty~k9=7`; `""` for the empty clock.
    ///
    /// - Important: A clock with more than ``maxEntries`` entries encodes, but peers will not
    ///   parse it; keep clocks small by removing dead origins
    ///   (``CausalDelivery/originRemoved(_:)``).
    public var wireEncoding: String {
        origins.map { "\($0.wireForm)=\(counts[$0]!)" }.joined(separator: ",")
    }

    /// Parses ``wireEncoding``. Returns `nil` for an invalid origin, a missing `=`, a count that
    /// is zero, has a sign, leading zeros or non-digits, or overflows `UInt64`, an empty entry
    /// (leading, trailing or doubled comma), a duplicated origin, or more than ``maxEntries``
    /// entries.
    public init?(wireEncoding: some StringProtocol) {
        let utf8 = wireEncoding.utf8
        counts = [:]
        if utf8.isEmpty { return }
        guard utf8.count <= Self.maxEncodedLength else { return nil }
        var entries = 0
        for entry in utf8.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false) {
            entries += 1
            guard entries <= Self.maxEntries,
                let equals = entry.firstIndex(of: UInt8(ascii: "=")),
                let origin = OriginID(wireForm: String(decoding: entry[..<equals], as: UTF8.self)),
                let count = Self.parseCount(entry[entry.index(after: equals)...]),
                counts.updateValue(count, forKey: origin) == nil
            else { return nil }
        }
    }

    private static func parseCount(_ digits: some Collection<UInt8>) -> UInt64? {
        guard let first = digits.first, first != UInt8(ascii: "0"), digits.count <= 20 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit) else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(digit - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    public var description: String { "[\(wireEncoding)]" }
}
