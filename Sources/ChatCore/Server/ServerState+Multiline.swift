/// `draft/multiline`: a client sends one message of several lines as a batch; recipients with
/// the capability get it as a batch, the others line by line (each line its own message, with
/// the msgid `<batch msgid>-<n>`, which is also what the history keeps). Linked servers get one
/// `MULTILINE` event and deliver it the same way.
extension ServerState {
    /// `BATCH +<ref> draft/multiline <target>` and `BATCH -<ref>` from a client.
    ///
    /// `labeled-response` (the caller leaves BATCH to this function): a label on `BATCH +` (or on
    /// `BATCH -`) goes on the opening `BATCH` of the sender's echo, else on an `ACK` (or the error
    /// that refused the message); never on a batch's own lines.
    mutating func handleBatch(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        let label = client(id)!.capabilities.contains(.labeledResponse) ? message.tag("label") : nil
        var own: [ServerAction] = []
        let labelled = handleBatch(message, label: label, from: id, now: now, into: &own)
        if let label, !labelled {
            // A refusal (FAIL, 417…): labelled as any reply.
            actions += labelReplies(own, for: id, label: label)
        } else {
            actions += own
        }
    }

    private mutating func labelReplies(_ replies: [ServerAction], for id: ClientID, label: String) -> [ServerAction] {
        LabeledResponse.wrap(replies, for: id, label: label, batch: client(id)!.capabilities.contains(.batch),
                             source: configuration.name, batchReference: nextMessageID())
    }

    private static func isEchoBatchStart(_ action: ServerAction, for id: ClientID) -> Bool {
        if case .send(let message, let target) = action, target == id, message.command == "BATCH",
           message.parameters.first?.hasPrefix("+") == true {
            return true
        }
        return false
    }

    /// Returns whether the label (if any) was dealt with: kept by an opened batch, or put on the
    /// echo (or an ACK) of a closed one; false for a refusal, which the caller labels.
    private mutating func handleBatch(_ message: IRCMessage, label: String?, from id: ClientID, now: Timestamp,
                                      into actions: inout [ServerAction]) -> Bool {
        guard let reference = message.parameters.first, reference.count > 1,
              reference.hasPrefix("+") || reference.hasPrefix("-") else {
            needMoreParams(id, "BATCH", into: &actions)
            return false
        }
        let name = String(reference.dropFirst())
        if reference.hasPrefix("+") {
            guard message.parameters.count >= 3, message.parameters[1] == "draft/multiline",
                  client(id)!.capabilities.contains(.multiline) else {
                // Its lines are swallowed all the same: none of them goes out on its own.
                if multilineBatches[id] == nil {
                    multilineBatches[id] = (MultilineBatch(reference: name, target: message.parameters.last ?? "*", clientTags: []), true)
                }
                failBatch(id, MultilineBatch.Failure(code: "MULTILINE_INVALID", detail: nil,
                                                     text: "Only draft/multiline batches may be sent (request the capability)"),
                          into: &actions)
                return false
            }
            guard multilineBatches[id] == nil else {
                failBatch(id, MultilineBatch.Failure(code: "MULTILINE_INVALID", detail: nil, text: "A multiline batch is already open"),
                          into: &actions)
                return false
            }
            let clientTags = message.tags.filter { $0.key.hasPrefix("+") }
            // The same 4094 bytes of tag data as any message (a MULTILINE link event carries them).
            if !message.tags.isEmpty, IRCMessage.serializedLength(of: message.tags) > Self.maximumClientTagsLength {
                multilineBatches[id] = (MultilineBatch(reference: name, target: message.parameters[2], clientTags: []), true)
                reply(id, Numeric.inputTooLong, "Input line was too long (client tags over \(Self.maximumClientTagsLength) bytes)",
                      into: &actions)
                return false
            }
            var batch = MultilineBatch(reference: name, target: message.parameters[2], clientTags: clientTags)
            batch.label = label
            multilineBatches[id] = (batch, false)
            return true
        }
        guard let (batch, failed) = multilineBatches[id], batch.reference == name else {
            failBatch(id, MultilineBatch.Failure(code: "MULTILINE_INVALID", detail: nil, text: "No such batch: \(name)"), into: &actions)
            return false
        }
        multilineBatches[id] = nil
        if failed { return true }
        guard !batch.lines.isEmpty else {
            failBatch(id, MultilineBatch.Failure(code: "MULTILINE_INVALID", detail: nil, text: "The batch is empty"), into: &actions)
            return false
        }
        var sent: [ServerAction] = []
        sendMultiline(batch, from: id, now: now, into: &sent)
        guard let effective = batch.label ?? label else {
            actions += sent
            return true
        }
        if let index = sent.firstIndex(where: { Self.isEchoBatchStart($0, for: id) }), case .send(var start, let target) = sent[index] {
            start.tags.insert(IRCMessage.Tag("label", effective), at: 0)
            sent[index] = .send(start, to: target)
            actions += sent
        } else {
            // No echo (or an error for the sender): an ACK, or the labelled error.
            actions += labelReplies(sent, for: id, label: effective)
        }
        return true
    }

    /// A line tagged `batch=<ref>`: kept in the open batch (a refused batch swallows the rest).
    /// Returns false when no batch of that name is open (the line is then handled on its own).
    mutating func multilineLine(_ message: IRCMessage, reference: String, from id: ClientID,
                                into actions: inout [ServerAction]) -> Bool {
        guard let open = multilineBatches[id], open.batch.reference == reference else { return false }
        if open.failed { return true }
        var batch = open.batch
        do {
            try batch.add(message)
            multilineBatches[id] = (batch, false)
        } catch {
            multilineBatches[id] = (batch, true)
            failBatch(id, error, into: &actions)
        }
        return true
    }

    private func failBatch(_ id: ClientID, _ failure: MultilineBatch.Failure, into actions: inout [ServerAction]) {
        let parameters = ["BATCH", failure.code] + (failure.detail.map { [$0] } ?? []) + [failure.text]
        actions.append(.send(IRCMessage(source: configuration.name, command: "FAIL", parameters: parameters), to: id))
    }

    /// A complete batch from a local client: checked like a PRIVMSG, then delivered, kept and propagated.
    private mutating func sendMultiline(_ batch: MultilineBatch, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        let sender = client(id)!
        let command = batch.command ?? "PRIVMSG"
        let isNotice = command == "NOTICE"
        var tags = eventTags(now: now, messageID: true)
        if let account = sender.account { tags.append(IRCMessage.Tag("account", account)) }
        if sender.bot { tags.append(IRCMessage.Tag("bot")) }
        tags.append(contentsOf: batch.clientTags)
        let recipients: [ClientID]
        let target: String
        let conversation: String
        if batch.target.hasPrefix("#") {
            guard let channel = channels[CaseMapping.fold(batch.target)] else {
                if !isNotice { noSuchChannel(id, batch.target, into: &actions) }
                return
            }
            if !Self.maySpeak(in: channel, modes: channel.memberModes[id], prefix: sender.prefix) {
                if !isNotice { reply(id, Numeric.cannotSendToChan, channel.name, "Cannot send to channel", into: &actions) }
                return
            }
            target = channel.name
            conversation = HistoryConversation.channel(channel.name)
            recipients = channel.members.filter { $0 != id }
        } else {
            guard let recipient = clientID(nick: batch.target), let record = client(recipient), record.isRegistered else {
                if !isNotice { reply(id, Numeric.noSuchNick, batch.target, "No such nick/channel", into: &actions) }
                return
            }
            target = record.nick
            conversation = HistoryConversation.between(sender.nick, record.nick)
            recipients = record.isRemote || recipient == id ? [] : [recipient]
            if command == "PRIVMSG", let away = record.away {
                reply(id, Numeric.away, record.nick, away, into: &actions)
            }
        }
        deliverMultiline(command: command, target: target, lines: batch.lines, tags: tags, source: sender.prefix,
                         to: recipients, conversation: conversation, now: now, relayed: false, into: &actions)
        if sender.capabilities.contains(.echoMessage) {
            // The sender's echo on its own, so that a label can go on its opening BATCH.
            deliverMultiline(command: command, target: target, lines: batch.lines, tags: tags, source: sender.prefix,
                             to: [id], conversation: conversation, now: now, relayed: false, record: false, into: &actions)
        }
        rememberSent(tags[1].value, by: id, in: conversation)
        var event = IRCMessage(tags: tags, command: "MULTILINE", parameters: [command, target])
        event.tags.append(IRCMessage.Tag("lines", batch.lines.map(\.text).joined(separator: "\n")))
        let concatenated = batch.lines.indices.filter { batch.lines[$0].concat }.map(String.init)
        if !concatenated.isEmpty { event.tags.append(IRCMessage.Tag("concat", concatenated.joined(separator: ","))) }
        propagate(event, actor: id, into: &actions)
    }

    /// A `MULTILINE` event from a linked server: delivered to this server's recipients.
    mutating func remoteMultiline(_ event: IRCMessage, actor: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard event.parameters.count >= 2, let text = event.tag("lines"), event.tag("msgid") != nil,
              let sender = client(actor) else { return }
        let command = event.parameters[0] == "NOTICE" ? "NOTICE" : "PRIVMSG"
        let concatenated = Set((event.tag("concat") ?? "").split(separator: ",").compactMap { Int($0) })
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().map {
            MultilineBatch.Line(text: String($0.element), concat: concatenated.contains($0.offset))
        }
        let tags = event.tags.filter { !Self.internalTags.contains($0.key) && $0.key != "lines" && $0.key != "concat" }
        let target = event.parameters[1]
        let conversation = target.hasPrefix("#") ? HistoryConversation.channel(target) : HistoryConversation.between(sender.nick, target)
        rememberSent(event.tag("msgid")!, by: actor, in: conversation)
        if target.hasPrefix("#") {
            guard let channel = channels[CaseMapping.fold(target)] else { return }
            deliverMultiline(command: command, target: channel.name, lines: lines, tags: tags, source: sender.prefix,
                             to: channel.members, conversation: HistoryConversation.channel(channel.name), now: now,
                             relayed: true, into: &actions)
        } else {
            let local = clientID(nick: target).flatMap { client($0)?.isRemote == false ? $0 : nil }
            deliverMultiline(command: command, target: target, lines: lines, tags: tags, source: sender.prefix,
                             to: local.map { [$0] } ?? [], conversation: HistoryConversation.between(sender.nick, target),
                             now: now, relayed: true, into: &actions)
        }
    }

    /// The batch to recipients with `draft/multiline` (and `batch`), line by line to the others;
    /// the lines are what the history keeps.
    private func deliverMultiline(command: String, target: String, lines: [MultilineBatch.Line], tags: [IRCMessage.Tag],
                                  source: String, to recipients: [ClientID], conversation: String, now: Timestamp,
                                  relayed: Bool, record keeps: Bool = true, into actions: inout [ServerAction]) {
        guard let msgid = tags.first(where: { $0.key == "msgid" })?.value else { return }
        var batched: [ClientID] = []
        var plain: [ClientID] = []
        for recipient in recipients {
            guard let capabilities = client(recipient)?.capabilities else { continue }
            if capabilities.isSuperset(of: [.multiline, .batch]) { batched.append(recipient) } else { plain.append(recipient) }
        }
        if !batched.isEmpty {
            let start = IRCMessage(tags: tags, source: source, command: "BATCH", parameters: ["+" + msgid, "draft/multiline", target])
            // One recipient (the sender's echo) as a send, which a label can then mark.
            actions.append(batched.count == 1 ? .send(start, to: batched[0]) : .deliver(start, to: batched, except: nil))
            for line in lines {
                var tags = [IRCMessage.Tag("batch", msgid)]
                if line.concat { tags.append(IRCMessage.Tag("draft/multiline-concat")) }
                actions.append(.deliver(IRCMessage(tags: tags, source: source, command: command, parameters: [target, line.text]),
                                        to: batched, except: nil))
            }
            actions.append(.deliver(IRCMessage(source: source, command: "BATCH", parameters: ["-" + msgid]), to: batched, except: nil))
        }
        let lineTags = tags.filter { $0.key != "msgid" }
        for (index, line) in lines.enumerated() where !line.text.isEmpty {
            let message = IRCMessage(tags: lineTags + [IRCMessage.Tag("msgid", "\(msgid)-\(index)")], source: source,
                                     command: command, parameters: [target, line.text])
            if !plain.isEmpty { actions.append(.deliver(message, to: plain, except: nil)) }
            if keeps { record(message, in: conversation, now: now, relayed: relayed, into: &actions) }
        }
    }
}
