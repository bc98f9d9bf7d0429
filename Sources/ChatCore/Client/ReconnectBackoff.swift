/// Exponential reconnect backoff with jitter: `base`, `2·base`, `4·base`, … capped at `max`, each
/// multiplied by a factor in `1 ± jitter` chosen by an injected random value.
public struct ReconnectBackoff: Sendable, Hashable {
    /// First delay in milliseconds.
    public let baseMilliseconds: Int64
    /// Largest delay in milliseconds (also after jitter).
    public let maxMilliseconds: Int64
    /// Relative jitter, e.g. 0.2 for ±20 %.
    public let jitter: Double
    /// Failed attempts since the last ``reset()``.
    public private(set) var attempts: Int = 0

    public init(base: Duration, max: Duration, jitter: Double = 0.2) {
        self.init(baseMilliseconds: base.clientMilliseconds, maxMilliseconds: max.clientMilliseconds, jitter: jitter)
    }

    public init(baseMilliseconds: Int64, maxMilliseconds: Int64, jitter: Double = 0.2) {
        precondition(baseMilliseconds > 0 && maxMilliseconds >= baseMilliseconds, "invalid backoff bounds")
        precondition(jitter >= 0 && jitter < 1, "jitter must be in 0..<1")
        self.baseMilliseconds = baseMilliseconds
        self.maxMilliseconds = maxMilliseconds
        self.jitter = jitter
    }

    /// The delay before the next attempt, and counts the attempt.
    ///
    /// - Parameter random: A value in `0..<1`; `0.5` means no jitter, `0` the shortest (`1 - jitter`)
    ///   and values near 1 the longest (`1 + jitter`) delay.
    public mutating func nextDelay(random: Double) -> Int64 {
        precondition(random >= 0 && random < 1, "random must be in 0..<1")
        var raw = baseMilliseconds
        var doublings = attempts
        while doublings > 0, raw < maxMilliseconds {
            raw *= 2
            doublings -= 1
        }
        raw = min(raw, maxMilliseconds)
        attempts += 1
        let factor = 1 + jitter * (2 * random - 1)
        let jittered = (Double(raw) * factor).rounded()
        return Swift.max(1, Swift.min(maxMilliseconds, Int64(jittered)))
    }

    /// Starts again at `base`, after a successful registration.
    public mutating func reset() {
        attempts = 0
    }
}
