/// A message sent and not yet echoed by the server (`echo-message`).
struct UnechoedMessage: Sendable, Hashable {
    /// Where it went, as typed.
    var target: String
    /// `target` folded with the server's case mapping (an echo or a refusal names it in any case).
    var key: String
    /// The parameter sent (with a CTCP wrapper for an action), as the echo carries it.
    var body: String
    /// The text as the user wrote it.
    var text: String
}
