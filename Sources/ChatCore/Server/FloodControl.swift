/// A per-client token bucket: `burst` lines may arrive at once, then `rate` lines per second.
/// Lines over the budget are delayed, not dropped; the I/O layer disconnects a client whose
/// delayed lines pile up past its hard limit — by default ten seconds of lines at its rate, so a
/// flooder is cut off within seconds and no line is relayed more than ten seconds late.
public struct FloodControl: Sendable, Hashable {
    public struct Configuration: Sendable, Hashable {
        /// Lines per second; 0 turns flood control off.
        public var rate: Double
        public var burst: Int
        /// Delayed lines a client may have queued before it is disconnected for flooding.
        public var hardLimit: Int

        public init(rate: Double = 2, burst: Int = 10, hardLimit: Int? = nil) {
            self.rate = rate
            self.burst = burst
            self.hardLimit = hardLimit ?? Self.defaultHardLimit(rate: rate, burst: burst)
        }

        /// Ten seconds of lines at `rate` (at least the burst): how late a delayed line may be relayed.
        public static func defaultHardLimit(rate: Double, burst: Int) -> Int {
            max(burst, Int((rate * 10).rounded(.up)))
        }

        public var isEnabled: Bool { rate > 0 }
    }

    public enum Decision: Sendable, Hashable {
        case process
        /// Come back at this time (monotonic ms).
        case delay(until: Int64)
    }

    public let configuration: Configuration
    private var tokens: Double
    private var lastRefill: Int64

    public init(configuration: Configuration, now: Int64) {
        self.configuration = configuration
        self.tokens = Double(configuration.burst)
        self.lastRefill = now
    }

    /// Asks to process one line now.
    public mutating func lineArrived(now: Int64) -> Decision {
        guard configuration.isEnabled else { return .process }
        if now > lastRefill {
            tokens = min(Double(configuration.burst), tokens + Double(now - lastRefill) * configuration.rate / 1000)
            lastRefill = now
        }
        if tokens >= 1 {
            tokens -= 1
            return .process
        }
        let wait = Int64(((1 - tokens) * 1000 / configuration.rate).rounded(.up))
        return .delay(until: now + max(1, wait))
    }
}
