/// PRIVMSG and NOTICE in and out: CTCP, own-message echo, and splitting to fit the line limit.
extension ClientStateMachine {
    // MARK: - Chat

    func chatReceived(_ message: IRCMessage, ownNick: String, now: Timestamp) -> [ClientAction] {
        let target = message.parameters[0]
        let text = message.parameters[1]
        let isNotice = message.command == "NOTICE"
        let sender = message.sourceNick ?? ""
        let isOwn = isSameNick(sender, ownNick)
        let time = message.tag("time").flatMap(ServerTime.parse) ?? now
        let msgid = message.tag("msgid")

        let conversation: Conversation
        if let channel = channelTarget(target) {
            conversation = .channel(channel)
        } else if isOwn {
            conversation = .privateChat(target)
        } else if message.source == nil || !(message.source ?? "").contains("!") || target == "*" {
            conversation = .server
        } else {
            conversation = .privateChat(sender)
        }

        func chat(_ text: String) -> ChatMessage {
            ChatMessage(conversation: conversation, sender: sender, text: text, time: time, msgid: msgid, isOwn: isOwn)
        }

        guard let ctcp = CTCP(text) else {
            return [.emit(isNotice ? .notice(chat(text)) : .message(chat(text)))]
        }
        if ctcp.command == "ACTION" && !isNotice {
            return [.emit(.action(chat(ctcp.argument)))]
        }
        if isOwn {
            // Our own CTCP requests and replies, echoed back by `echo-message`.
            return []
        }
        if isNotice {
            return [.emit(.ctcpReply(from: sender, command: ctcp.command, argument: ctcp.argument))]
        }
        var actions: [ClientAction] = [
            .emit(.ctcpRequest(from: sender, command: ctcp.command, argument: ctcp.argument))
        ]
        let reply: String?
        switch ctcp.command {
        case "VERSION": reply = configuration.versionReply
        case "PING": reply = ctcp.argument
        case "TIME": reply = now.iso8601
        case "CLIENTINFO": reply = "ACTION CLIENTINFO PING TIME VERSION"
        default: reply = nil
        }
        if let reply, !sender.isEmpty {
            let body = reply.isEmpty ? ctcp.command : "\(ctcp.command) \(reply)"
            actions.append(.send(IRCMessage("NOTICE", sender, "\u{01}\(body)\u{01}")))
        }
        return actions
    }

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
        let conversation: Conversation = channelTarget(target).map(Conversation.channel) ?? .privateChat(target)

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
