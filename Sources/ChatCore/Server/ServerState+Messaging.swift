extension ServerState {
    /// The most bytes of tag data a client's message may carry (IRCv3 message-tags).
    static var maximumClientTagsLength: Int { 4094 }

    /// `PRIVMSG`, `NOTICE` and `TAGMSG` to channels and nicks. ChannelState messages are delivered to
    /// every member but the sender (and to the sender too with `echo-message`), tagged with
    /// `time` and a unique `msgid`. `NOTICE` never triggers an error reply, as the protocol says.
    mutating func handleMessage(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        let command = message.command
        let isNotice = command == "NOTICE"
        let isTagOnly = command == "TAGMSG"
        guard let targets = message.parameters.first, !targets.isEmpty else {
            if !isNotice { reply(id, Numeric.noRecipient, "No recipient given (\(command))", into: &actions) }
            return
        }
        let text = message.parameters.count > 1 ? message.parameters[1] : ""
        if !isTagOnly, text.isEmpty {
            if !isNotice { reply(id, Numeric.noTextToSend, "No text to send", into: &actions) }
            return
        }
        var targetList = targets.utf8.contains(UInt8(ascii: ",")) ? targets.split(separator: ",").map(String.init) : [targets]
        if targetList.count > 1 {
            // `#a,#A` names one target: it gets the message once.
            var seen: Set<String> = []
            targetList.removeAll { !seen.insert(CaseMapping.fold($0)).inserted }
        }
        if targetList.isEmpty {
            if !isNotice { reply(id, Numeric.noRecipient, "No recipient given (\(command))", into: &actions) }
            return
        }
        if targetList.count > configuration.maxTargets {
            if !isNotice { reply(id, Numeric.tooManyTargets, targets, "Too many targets", into: &actions) }
            return
        }
        let senderPrefix = clients[id.rawValue]!.prefix
        let senderCapabilities = clients[id.rawValue]!.capabilities
        // Client-only tags (`+typing`, `+reply`…) are relayed; everything else the server sets.
        let clientTags = message.tags.isEmpty ? [] : message.tags.filter { $0.key.hasPrefix("+") }
        // IRCv3 gives a client's tag data (client-only tags or not) 4094 bytes, so that with the
        // server's own tags the line stays within the 8191 bytes every recipient accepts.
        if !message.tags.isEmpty, IRCMessage.serializedLength(of: message.tags) > Self.maximumClientTagsLength {
            reply(id, Numeric.inputTooLong, "Input line was too long (client tags over \(Self.maximumClientTagsLength) bytes)",
                  into: &actions)
            return
        }
        for target in targetList {
            var tags = eventTags(now: now, messageID: true)
            if let account = clients[id.rawValue]!.account { tags.append(IRCMessage.Tag("account", account)) }
            if clients[id.rawValue]!.bot { tags.append(IRCMessage.Tag("bot")) }
            tags.append(contentsOf: clientTags)
            let parameters = isTagOnly ? [target] : [target, text]
            if target.hasPrefix("#") {
                let folded = CaseMapping.fold(target)
                guard let channel = channels[folded] else {
                    if !isNotice { noSuchChannel(id, target, into: &actions) }
                    continue
                }
                let modes = channel.memberModes[id]
                if !Self.maySpeak(in: channel, modes: modes, prefix: senderPrefix) {
                    if !isNotice { reply(id, Numeric.cannotSendToChan, channel.name, "Cannot send to channel", into: &actions) }
                    continue
                }
                let out = IRCMessage(tags: tags, source: senderPrefix, command: command,
                                     parameters: [channel.name] + parameters.dropFirst())
                let echo = senderCapabilities.contains(.echoMessage)
                actions.append(.deliver(out, to: recipients(of: command, in: channel, sender: id), except: echo ? nil : id))
                if echo, modes == nil {
                    actions.append(.send(out, to: id))
                }
                record(out, in: HistoryConversation.channel(channel.name), now: now, into: &actions)
                rememberSent(tags[1].value, by: id, in: HistoryConversation.channel(channel.name))
                propagate(out, actor: id, into: &actions)
            } else {
                guard let recipient = clientID(nick: target), let record = client(recipient), record.isRegistered else {
                    if !isNotice { reply(id, Numeric.noSuchNick, target, "No such nick/channel", into: &actions) }
                    continue
                }
                let out = IRCMessage(tags: tags, source: senderPrefix, command: command,
                                     parameters: [record.nick] + parameters.dropFirst())
                if record.isRemote {
                    propagate(out, actor: id, into: &actions)
                } else if !isTagOnly || record.capabilities.contains(.messageTags) {
                    actions.append(.send(out, to: recipient))
                }
                // With echo-message a message to oneself arrives twice: as received and as echo.
                if senderCapabilities.contains(.echoMessage) {
                    actions.append(.send(out, to: id))
                }
                let conversation = HistoryConversation.between(clients[id.rawValue]!.nick, record.nick)
                self.record(out, in: conversation, now: now, into: &actions)
                rememberSent(tags[1].value, by: id, in: conversation)
                if command == "PRIVMSG", let away = record.away {
                    reply(id, Numeric.away, record.nick, away, into: &actions)
                }
            }
        }
    }

    /// The members a channel message goes to: all of them, but a `TAGMSG` only to those that
    /// negotiated `message-tags` (and to its local sender, for the echo).
    func recipients(of command: String, in channel: ChannelState, sender: ClientID?) -> [ClientID] {
        guard command == "TAGMSG" else { return channel.members }
        return channel.members.filter { $0 == sender || clients[$0.rawValue]?.capabilities.contains(.messageTags) == true }
    }

    /// Whether someone (with `modes` in the channel, nil when not a member) may speak there: `+n`
    /// keeps outsiders out, `+m` needs voice, and a ban silences all but the voiced.
    static func maySpeak(in channel: ChannelState, modes: ChannelState.MemberModes?, prefix: String) -> Bool {
        let unprivileged = modes?.isDisjoint(with: [.op, .voice]) ?? true
        if modes == nil, channel.modes.noExternalMessages { return false }
        if channel.modes.moderated, unprivileged { return false }
        return !(unprivileged && channel.modes.lists.isBanned(prefix))
    }

    mutating func handleQuit(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        let reason = message.parameters.first.map { "Quit: " + $0 } ?? "Client Quit"
        removeClient(id, quitMessage: reason, now: now, into: &actions)
        actions.append(.close(id, reason: reason))
    }

    func handlePing(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard let token = message.parameters.first else {
            reply(id, "409", "No origin specified", into: &actions)
            return
        }
        actions.append(.send(IRCMessage(source: configuration.name, "PONG", configuration.name, token), to: id))
    }
}
