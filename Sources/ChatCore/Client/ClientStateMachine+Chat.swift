/// PRIVMSG and NOTICE out: own-message echo and splitting to fit the line limit (the way in is
/// ``MessageTranslator``).
extension ClientStateMachine {
    // MARK: - Chat

    mutating func sendChat(
        command: String, target: String, text: String, ctcpAction: Bool, now: Timestamp
    ) -> [ClientAction] {
        guard case .registered(let session) = state else {
            return [.emit(.error("Not connected: message to \(target) not sent"))]
        }
        guard Self.isValidParameter(target) else { return [.emit(.error("Invalid target: \(target)"))] }
        let wrapper = ctcpAction ? "\u{01}ACTION \u{01}".utf8.count : 0
        let budget = max(16, textBudget(command: command, target: target, nick: session.nick) - wrapper)
        let echoed = session.capabilities.contains("echo-message")
        let conversation: Conversation = serverSupport.channelTarget(target).map(Conversation.channel) ?? .privateChat(target)

        var actions: [ClientAction] = []
        for piece in MessageSplitter.split(text, maxBytes: budget) {
            let body = ctcpAction ? "\u{01}ACTION \(piece)\u{01}" : piece
            actions.append(.send(IRCMessage(command, target, body)))
            if echoed { awaitEcho(target: target, body: body, text: piece) }
            if !echoed {
                let own = ChatMessage(conversation: conversation, sender: session.nick, text: piece, time: now, isOwn: true)
                if ctcpAction {
                    actions.append(.emit(.action(own)))
                } else if command == "NOTICE" {
                    actions.append(.emit(.notice(own)))
                } else {
                    actions.append(.emit(.message(own)))
                }
            }
        }
        return actions
    }

    /// Remembers a message until the server echoes it (bounded per target).
    mutating func awaitEcho(target: String, body: String, text: String) {
        let key = serverSupport.caseMapping.fold(target)
        unechoed.append(UnechoedMessage(target: target, key: key, body: body, text: text))
        if unechoed.lazy.filter({ $0.key == key }).count > 64, let oldest = unechoed.firstIndex(where: { $0.key == key }) {
            unechoed.remove(at: oldest)
        }
    }

    /// Our own message came back (`echo-message`): it was delivered.
    mutating func echoed(target: String, body: String) {
        let key = serverSupport.caseMapping.fold(target)
        if let index = unechoed.firstIndex(where: { $0.key == key && $0.body == body }) { unechoed.remove(at: index) }
    }

    /// Numerics that refuse a message to the target named in their second parameter.
    static var refusalCodes: Set<String> { ["401", "403", "404", "406", "477", "486", "489", "531"] }

    /// A refusal of the oldest message to that target the server has not echoed: the error says
    /// what was not sent (the text is also in the input history, Up). `nil` for other lines.
    mutating func refusal(_ message: IRCMessage) -> [ClientAction]? {
        guard Self.refusalCodes.contains(message.command), message.parameters.count >= 3, let code = Int(message.command) else { return nil }
        let key = serverSupport.caseMapping.fold(message.parameters[1])
        guard let index = unechoed.firstIndex(where: { $0.key == key }) else { return nil }
        let refused = unechoed.remove(at: index)
        return [.emit(.numericError(code: code, text: MessageTranslator.numericText(message) + " (not sent: \(refused.text))"))]
    }

    /// Several lines at once (a confirmed paste): one `draft/multiline` batch where the server
    /// offers it and the lines fit its limits (long lines split with `draft/multiline-concat`),
    /// else a message per line. Empty lines are kept inside a batch and skipped otherwise.
    public mutating func sendLines(target: String, lines: [String], now: Timestamp) -> [ClientAction] {
        guard case .registered(var session) = state else {
            return [.emit(.error("Not connected: \(lines.count) lines to \(target) not sent"))]
        }
        guard Self.isValidParameter(target) else { return [.emit(.error("Invalid target: \(target)"))] }
        let budget = max(16, textBudget(command: "PRIVMSG", target: target, nick: session.nick) - 32)
        // Each line in pieces that join back into it exactly; the limits count the pieces sent.
        let pieces = lines.map { $0.isEmpty ? [""] : MessageSplitter.concatenable($0, maxBytes: budget) }
        if let limits = session.multiline, lines.count > 1, limits.allows(lines),
           pieces.reduce(0, { $0 + $1.count }) <= (limits.maxLines ?? Int.max),
           !lines.contains(where: { $0.utf8.contains { $0 == 0 || $0 == 13 } }) {
            session.batchCounter += 1
            let reference = "ml\(session.batchCounter)"
            let echoed = session.capabilities.contains("echo-message")
            var actions: [ClientAction] = [.send(IRCMessage("BATCH", "+" + reference, "draft/multiline", target))]
            for linePieces in pieces {
                for (index, piece) in linePieces.enumerated() {
                    var tags = [IRCMessage.Tag("batch", reference)]
                    if index > 0 { tags.append(IRCMessage.Tag("draft/multiline-concat")) }
                    actions.append(.send(IRCMessage(tags: tags, command: "PRIVMSG", parameters: [target, piece])))
                }
            }
            actions.append(.send(IRCMessage("BATCH", "-" + reference)))
            state = .registered(session)
            if !echoed {
                let conversation: Conversation = serverSupport.channelTarget(target).map(Conversation.channel) ?? .privateChat(target)
                for line in lines where !line.isEmpty {
                    actions.append(.emit(.message(ChatMessage(conversation: conversation, sender: session.nick, text: line,
                                                              time: now, isOwn: true))))
                }
            }
            return actions
        }
        return lines.filter { !$0.isEmpty }.flatMap {
            sendChat(command: "PRIVMSG", target: target, text: $0, ctcpAction: false, now: now)
        }
    }

    /// Bytes left for the text of `COMMAND target :text` once the server has added `:nick!user@host `.
    func textBudget(command: String, target: String, nick: String) -> Int {
        let userHostLength = userHost?.utf8.count ?? Self.estimatedUserHostLength
        let prefix = 1 + nick.utf8.count + 1 + userHostLength + 1  // ":nick!user@host "
        let fixed = command.utf8.count + 1 + target.utf8.count + 2 + 2  // "CMD target :" + CR LF
        return Self.maximumLineLength - prefix - fixed
    }

    static var maximumLineLength: Int { 512 }
    static var estimatedUserHostLength: Int { 64 }
}
