import Logging
import NIOConcurrencyHelpers

/// How many client connections a server holds, and what it says when it is full, so it never runs
/// out of descriptors while serving the clients it has.
///
/// The hub counts the open connections (``ServerHub/connect(channel:host:now:capacity:)`` refuses past
/// ``capacity``); a refused connection gets an `ERROR` line and is closed at once. Refusals are logged
/// at most once per ``logInterval`` (with how many were refused since the last line), so a flood of
/// connection attempts cannot flood the log either.
final class AdmissionControl: Sendable {
    struct State {
        var refusedSinceLog = 0
        var lastLog: Int64?
    }

    /// The most client connections held at once.
    let capacity: Int
    /// Milliseconds between two log lines about refusals (or about accept failures).
    let logInterval: Int64
    private let logger: Logger
    private let state = NIOLockedValueBox(State())

    init(capacity: Int, logger: Logger, logInterval: Int64 = 10_000) {
        self.capacity = capacity
        self.logger = logger
        self.logInterval = logInterval
    }

    /// A connection was refused because the server is full: logs, rate-limited.
    func refused(now: Int64) {
        let logRefused = state.withLockedValue { state -> Int? in
            state.refusedSinceLog += 1
            guard Self.due(&state.lastLog, now: now, interval: logInterval) else { return nil }
            defer { state.refusedSinceLog = 0 }
            return state.refusedSinceLog
        }
        if let refused = logRefused {
            logger.warning("server full: refusing new clients", metadata: [
                "capacity": "\(capacity)", "refused": "\(refused)",
                "hint": "raise the open-file limit (ulimit -n) to hold more",
            ])
        }
    }

    /// Accepting failed (the process or system ran out of descriptors, or memory): log it,
    /// rate-limited. NIO's `AcceptBackoffHandler` pauses accepting meanwhile, so the server does not spin.
    func acceptFailed(_ error: any Error, now: Int64) {
        let log = state.withLockedValue { Self.due(&$0.lastLog, now: now, interval: logInterval) }
        if log {
            logger.error("cannot accept connections; retrying in 1 s", metadata: ["error": "\(error)"])
        }
    }

    private static func due(_ last: inout Int64?, now: Int64, interval: Int64) -> Bool {
        if let previous = last, now - previous < interval { return false }
        last = now
        return true
    }
}
