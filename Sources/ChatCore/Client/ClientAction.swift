/// What the I/O layer must do after feeding an event into ``ClientStateMachine``.
///
/// Events return an ordered list of actions; the I/O layer runs them in order (for example
/// `.send(QUIT)` before `.close`).
public enum ClientAction: Sendable, Hashable {
    /// Open a new TCP connection; report ``ClientStateMachine/connected(now:)`` or
    /// ``ClientStateMachine/connectFailed(error:now:)``.
    case connect
    /// Write (and flush) one message.
    case send(IRCMessage)
    /// Close the connection once the preceding sends are written (chain it on the last write's future),
    /// or cancel the connection attempt; report
    /// ``ClientStateMachine/connectionClosed(error:now:)`` or ``ClientStateMachine/connectFailed(error:now:)``.
    case close
    /// Arm the single timer for `at`, replacing any previous one; call ``ClientStateMachine/timerFired(now:)``
    /// then. Firing late or early is harmless: the machine checks the deadline itself.
    case scheduleTimer(at: Timestamp)
    /// IRCv3 `sts` on a plaintext connection: the next connection (which follows this one's
    /// ``close``) goes to this host over TLS on `port`; never fall back to plaintext.
    case upgradeToTLS(port: Int)
    /// IRCv3 `sts` on a TLS connection: keep the policy for this host (reach it only over TLS, on
    /// this port, for `duration` seconds from now; `duration` 0 forgets it).
    case rememberSTS(STSPolicy)
    /// Disarm the timer.
    case cancelTimer
    /// Show an event to the user.
    case emit(ClientEvent)
}

extension Array where Element == ClientAction {
    /// The messages of the `.send` actions, in order.
    public var sentMessages: [IRCMessage] {
        compactMap { if case .send(let message) = $0 { message } else { nil } }
    }

    /// The events of the `.emit` actions, in order.
    public var events: [ClientEvent] {
        compactMap { if case .emit(let event) = $0 { event } else { nil } }
    }
}
