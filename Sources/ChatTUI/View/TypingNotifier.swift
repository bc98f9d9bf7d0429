/// When to tell the server we type: `active` at most every 3 s while the input line has text for
/// a conversation, `done` once it is emptied without sending (sending a message ends it by itself).
struct TypingNotifier: Sendable {
    private var lastActive: (target: String, at: Int64)?

    /// The input line of `target` (nil: the server buffer or a command) now holds `text`.
    mutating func inputChanged(target: String?, text: String, now: Int64) -> (target: String, state: String)? {
        let composing = target != nil && !text.isEmpty && !text.hasPrefix("/")
        if composing, let target {
            if let last = lastActive, last.target == target, now - last.at < TypingIndicator.resendMilliseconds { return nil }
            lastActive = (target, now)
            return (target, "active")
        }
        guard let last = lastActive else { return nil }
        lastActive = nil
        return (last.target, "done")
    }

    /// The line was sent: the message itself tells the others we stopped.
    mutating func sent() {
        lastActive = nil
    }
}
