/// Client-side keepalive: a `PING` after `interval` of silence, lag from the matching `PONG`, and a
/// dead-connection verdict when nothing at all arrives within `timeout` of the `PING`.
struct Keepalive: Sendable, Hashable {
    struct OutstandingPing: Sendable, Hashable {
        var token: String
        var sentAt: Timestamp
    }

    enum TimerAction: Sendable, Hashable {
        /// Nothing due yet; re-arm the timer for `next`.
        case wait(next: Timestamp)
        /// Send `PING :token`; re-arm the timer for `next`.
        case ping(token: String, next: Timestamp)
        /// Nothing received for `silence` milliseconds after our `PING`.
        case dead(silence: Int64)
    }

    let intervalMilliseconds: Int64
    let timeoutMilliseconds: Int64
    private(set) var lastReceived: Timestamp
    private(set) var outstanding: OutstandingPing?

    init(interval: Duration, timeout: Duration, now: Timestamp) {
        self.intervalMilliseconds = max(1, interval.clientMilliseconds)
        self.timeoutMilliseconds = max(1, timeout.clientMilliseconds)
        self.lastReceived = now
    }

    /// When the timer should fire next.
    var deadline: Timestamp {
        if let outstanding, lastReceived < outstanding.sentAt {
            return outstanding.sentAt.offset(byMilliseconds: timeoutMilliseconds)
        }
        return lastReceived.offset(byMilliseconds: intervalMilliseconds)
    }

    mutating func received(now: Timestamp) {
        lastReceived = max(lastReceived, now)
    }

    /// A `PONG` with `token`: returns the lag in milliseconds when it answers our outstanding `PING`.
    mutating func pongReceived(token: String, now: Timestamp) -> Int64? {
        guard let outstanding, outstanding.token == token else { return nil }
        self.outstanding = nil
        return max(0, now.milliseconds(since: outstanding.sentAt))
    }

    mutating func timerFired(now: Timestamp) -> TimerAction {
        if let outstanding, lastReceived < outstanding.sentAt {
            let silence = now.milliseconds(since: outstanding.sentAt)
            if silence >= timeoutMilliseconds {
                return .dead(silence: now.milliseconds(since: lastReceived))
            }
            return .wait(next: deadline)
        }
        if now.milliseconds(since: lastReceived) >= intervalMilliseconds {
            let token = "chatty-\(now.millisecondsSinceEpoch)"
            outstanding = OutstandingPing(token: token, sentAt: now)
            return .ping(token: token, next: now.offset(byMilliseconds: timeoutMilliseconds))
        }
        return .wait(next: deadline)
    }
}
