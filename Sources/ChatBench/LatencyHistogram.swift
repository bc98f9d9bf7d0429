/// A log-linear latency histogram in the spirit of HdrHistogram, without external dependencies.
///
/// Values (nanoseconds) below 128 are counted exactly. Above that, each power-of-two range is
/// split into 64 equal sub-buckets, so every recorded value is known to within 1/64 (~1.6 %).
/// Recording is an index computation and one increment; merging is element-wise addition.
struct LatencyHistogram: Sendable {
    private static let subBucketBits = 6
    private static let subBucketCount = 1 << subBucketBits  // 64
    private static let exactLimit = 2 * subBucketCount  // 128
    /// Enough buckets for values up to 2^62 ns.
    private static let bucketCount = exactLimit + (62 - subBucketBits) * subBucketCount

    private(set) var counts: [UInt64]
    private(set) var totalCount: UInt64 = 0
    private(set) var maxValue: UInt64 = 0
    private(set) var minValue: UInt64 = .max
    private(set) var sum: Double = 0

    init() {
        counts = Array(repeating: 0, count: Self.bucketCount)
    }

    @inline(__always)
    static func index(of value: UInt64) -> Int {
        if value < UInt64(exactLimit) { return Int(value) }
        let msb = 63 - value.leadingZeroBitCount
        let shift = msb - subBucketBits  // value >> shift lies in [64, 128)
        let sub = Int(value >> UInt64(shift)) - subBucketCount
        return exactLimit + (shift - 1) * subBucketCount + sub
    }

    /// The midpoint of the values that map to `index`.
    static func representativeValue(of index: Int) -> UInt64 {
        if index < exactLimit { return UInt64(index) }
        let offset = index - exactLimit
        let shift = offset / subBucketCount + 1
        let mantissa = UInt64(offset % subBucketCount + subBucketCount)
        let low = mantissa << UInt64(shift)
        return low + (UInt64(1) << UInt64(shift)) / 2
    }

    @inline(__always)
    mutating func record(_ value: UInt64) {
        let clamped = min(value, UInt64(1) << 61)
        counts[Self.index(of: clamped)] &+= 1
        totalCount &+= 1
        if value > maxValue { maxValue = value }
        if value < minValue { minValue = value }
        sum += Double(value)
    }

    mutating func merge(_ other: LatencyHistogram) {
        for i in 0..<counts.count where other.counts[i] != 0 {
            counts[i] &+= other.counts[i]
        }
        totalCount &+= other.totalCount
        maxValue = max(maxValue, other.maxValue)
        minValue = min(minValue, other.minValue)
        sum += other.sum
    }

    /// The value at `percentile` (0...100); the exact maximum for 100; 0 when empty.
    func value(atPercentile percentile: Double) -> UInt64 {
        guard totalCount > 0 else { return 0 }
        if percentile >= 100 { return maxValue }
        let rank = max(1, UInt64((percentile / 100 * Double(totalCount)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, count) in counts.enumerated() where count != 0 {
            seen += count
            if seen >= rank { return min(Self.representativeValue(of: index), maxValue) }
        }
        return maxValue
    }

    var mean: Double { totalCount == 0 ? 0 : sum / Double(totalCount) }
}
