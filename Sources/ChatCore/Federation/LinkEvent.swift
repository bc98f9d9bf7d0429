/// The link-protocol form of a causal network event:
/// `@o=<origin>;s=<sequence>;vc=<clock> EV :<event line>` — the event is an IRC line itself.
public enum LinkEvent {
    public static func encode(_ event: Stamped<IRCMessage>) -> IRCMessage {
        var inner = event.payload.serialized()
        inner.removeLast()  // "\r\n" is one Character
        return IRCMessage(tags: [.init("o", event.origin.wireForm), .init("s", String(event.sequence)),
                                 .init("vc", event.clock.wireEncoding)],
                          command: "EV", parameters: [inner])
    }

    /// The origin and sequence number of an `EV` line, read without decoding the rest.
    public static func identity(of message: IRCMessage) -> (origin: OriginID, sequence: UInt64)? {
        guard message.command == "EV",
              let origin = message.tag("o").flatMap({ OriginID(wireForm: $0) }),
              let sequence = message.tag("s").flatMap({ UInt64($0) }) else { return nil }
        return (origin, sequence)
    }

    /// Parses an `EV` line; nil if anything is malformed.
    public static func decode(_ message: IRCMessage) -> Stamped<IRCMessage>? {
        guard let (origin, sequence) = identity(of: message), message.parameters.count == 1,
              let clock = message.tag("vc").flatMap({ VectorClock(wireEncoding: $0) }),
              let payload = try? IRCMessage.parse(message.parameters[0], limits: IRCLimits(maxLineLength: 16_384, maxTagsLength: 32_768))
        else { return nil }
        return Stamped(origin: origin, sequence: sequence, clock: clock, payload: payload)
    }

    /// A state entry of a burst: `BURST :<line>`.
    public static func burst(_ message: IRCMessage) -> IRCMessage {
        var inner = message.serialized()
        inner.removeLast()
        return IRCMessage(command: "BURST", parameters: [inner])
    }
}
