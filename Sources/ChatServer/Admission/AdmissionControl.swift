import Logging
import NIOConcurrencyHelpers

/// Bounds the number of client connections a server holds, so it never runs out of descriptors
/// while serving the clients it has.
///
/// A connection over the capacity is refused with an `ERROR` line and closed at once; the refusals
/// are logged at most once per ``logInterval`` (with how many were refused since the last line),
/// so a flood of connection attempts cannot flood the log either.
final class AdmissionControl: Sendable {
    struct State {
        var open = 0
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

    /// Connections currently admitted.
    var openConnections: Int { state.withLockedValue { $0.open } }

    /// Admits one more connection, or refuses it (and logs, rate-limited) when the server is full.
    func admit(now: Int64) -> Bool {
        let (admitted, logRefused) = state.withLockedValue { state -> (Bool, Int?) in
            if state.open < capacity {
                state.open += 1
                return (true, nil)
            }
            state.refusedSinceLog += 1
            guard Self.due(&state.lastLog, now: now, interval: logInterval) else { return (false, nil) }
            defer { state.refusedSinceLog = 0 }
            return (false, state.refusedSinceLog)
        }
        if let refused = logRefused {
            logger.warning("server full: refusing new clients", metadata: [
                "capacity": "\(capacity)", "refused": "\(refused)",
                "hint": "raise the open-file limit (ulimit -n) to hold more",
            ])
        }
        return admitted
    }

    /// A previously admitted connection closed.
    func release() {
        state.withLockedValue { $0.open -= 1 }
    }

    /// Accepting failed (the process or system ran out of descriptors, or memory): log it,
    /// rate-limited. NIO's `AcceptBackoffHandler` pauses accepting meanwhile, so the server does not spin.
    func acceptFailed(_ error: any Error, now: Int64) {
        let log = state.withLockedValue { Self.due(&$0.lastLog, now: now, interval: logInterval) }
        if log {
            logger.error("cannot accept connections; retrying in 1 s", metadata: [
                "error": "\(error)", "clients": "\(openConnections)",
            ])
        }
    }

    private static func due(_ last: inout Int64?, now: Int64, interval: Int64) -> Bool {
        if let previous = last, now - previous < interval { return false }
        last = now
        return true
    }
}
