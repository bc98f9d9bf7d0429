/// PRIVMSG and NOTICE out: own-message echo and splitting to fit the line limit (the way in is
/// ``MessageTranslator``).
extension ClientStateMachine {
    // MARK: - Chat

    func sendChat(
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
