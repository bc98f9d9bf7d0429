/// `draft/message-redaction`: `REDACT <target> <msgid> [:<reason>]` takes a message back. Its author
/// may, and so may the channel's operators and server operators. Recipients with the capability
/// get the `REDACT`; the history forgets the message; linked servers do the same.
extension ServerState {
    mutating func handleRedact(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard message.parameters.count >= 2, !message.parameters[0].isEmpty, !message.parameters[1].isEmpty else {
            actions.append(.send(IRCMessage(source: configuration.name, "FAIL", "REDACT", "NEED_MORE_PARAMS",
                                            "REDACT <target> <msgid> [:<reason>]"), to: id))
            return
        }
        let target = message.parameters[0], msgid = message.parameters[1]
        let requester = client(id)!
        func fail(_ code: String, _ text: String, withID: Bool = true) {
            let parameters = ["REDACT", code, target] + (withID ? [msgid] : []) + [text]
            actions.append(.send(IRCMessage(source: configuration.name, command: "FAIL", parameters: parameters), to: id))
        }
        let conversation: String
        var isChannelOperator = false
        if target.hasPrefix("#") {
            guard let channel = channels[CaseMapping.fold(target)], channel.contains(id) else {
                fail("INVALID_TARGET", "You are not on that channel", withID: false)
                return
            }
            conversation = HistoryConversation.channel(channel.name)
            isChannelOperator = channel.memberModes[id]?.contains(.op) == true
        } else {
            conversation = HistoryConversation.between(requester.nick, target)
        }
        guard let sent = recentMessages.sent(msgid), sent.conversation == conversation else {
            fail("UNKNOWN_MSGID", "This message does not exist or is too old")
            return
        }
        guard sent.uid == requester.uid || isChannelOperator || requester.isOperator else {
            fail("REDACT_FORBIDDEN", "You may not redact someone else's message")
            return
        }
        let reason = message.parameters.count > 2 ? message.parameters[2] : nil
        let redact = IRCMessage(source: requester.prefix, command: "REDACT",
                                parameters: [target, msgid] + (reason.map { [$0] } ?? []))
        applyRedaction(redact, requester: id, conversation: conversation, msgid: msgid, into: &actions)
        propagate(redact, actor: id, into: &actions)
    }

    /// Forgets the message, deletes it from the history, and tells the recipients with the capability.
    mutating func applyRedaction(_ redact: IRCMessage, requester: ClientID, conversation: String, msgid: String,
                                 into actions: inout [ServerAction]) {
        recentMessages.forget(msgid)
        if keepsHistory { actions.append(.redact(conversation: conversation, msgid: msgid)) }
        let target = redact.parameters[0]
        var recipients: [ClientID]
        if target.hasPrefix("#") {
            recipients = channels[CaseMapping.fold(target)]?.members ?? []
        } else {
            recipients = [requester] + (clientID(nick: target).map { [$0] } ?? [])
        }
        recipients = recipients.filter {
            client($0)?.isRemote == false && client($0)?.capabilities.contains(.messageRedaction) == true
        }
        if !recipients.isEmpty { actions.append(.deliver(redact, to: recipients, except: nil)) }
    }

    /// A `REDACT` event from a linked server (checked there).
    mutating func remoteRedact(_ event: IRCMessage, actor: ClientID, into actions: inout [ServerAction]) {
        guard event.parameters.count >= 2, let record = client(actor) else { return }
        let target = event.parameters[0]
        let conversation = target.hasPrefix("#") ? HistoryConversation.channel(target)
                                                 : HistoryConversation.between(record.nick, target)
        var redact = event
        redact.tags = []
        redact.source = record.prefix
        applyRedaction(redact, requester: actor, conversation: conversation, msgid: event.parameters[1], into: &actions)
    }

    /// Remembers who sent a message where (for `REDACT`).
    mutating func rememberSent(_ msgid: String, by id: ClientID, in conversation: String) {
        guard let uid = client(id)?.uid else { return }
        recentMessages.remember(msgid, RecentMessages.Sent(uid: uid, conversation: conversation))
    }
}
