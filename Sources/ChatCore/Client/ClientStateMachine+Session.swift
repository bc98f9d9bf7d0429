/// Server lines of a registered session that change its state (roster, nick, topic, capabilities,
/// ISUPPORT) and the events they make; the rest goes to ``MessageTranslator``.
extension ClientStateMachine {
    // MARK: - Registered

    mutating func registeredMessage(
        _ message: IRCMessage, session: inout Session, now: Timestamp
    ) -> [ClientAction] {
        let parameters = message.parameters
        if message.tag("label") == Self.typingLabel {
            // The answer to a typing notification: nothing to show (see `typingLabel`).
            if message.command == "BATCH", let reference = parameters.first, reference.hasPrefix("+") {
                typingReplyBatches.insert(String(reference.dropFirst()))
            }
            return []
        }
        if !typingReplyBatches.isEmpty {
            if let batch = message.tag("batch"), typingReplyBatches.contains(batch) { return [] }
            if message.command == "BATCH", let reference = parameters.first, reference.hasPrefix("-"),
               typingReplyBatches.remove(String(reference.dropFirst())) != nil {
                return []
            }
        }
        if !unechoed.isEmpty, let refused = refusal(message) { return refused }
        let sender = message.sourceNick ?? ""
        let isSelf = isSameNick(sender, session.nick)
        if isSelf, let source = message.source, let bang = source.firstIndex(of: "!") {
            userHost = String(source[source.index(after: bang)...])
        }

        switch message.command {
        case "PING":
            return [.send(IRCMessage("PONG", parameters.last ?? ""))]

        case "PONG":
            let token = parameters.last ?? ""
            if token.hasPrefix(Self.syncTokenPrefix) {
                return [.emit(.synced(token: String(token.dropFirst(Self.syncTokenPrefix.count))))]
            }
            guard let lag = session.keepalive.pongReceived(token: token, now: now.millisecondsSinceEpoch) else { return [] }
            return [.emit(.lag(milliseconds: lag))]

        case "PRIVMSG", "NOTICE":
            guard parameters.count >= 2 else { return MessageTranslator.malformed(message) }
            if isSelf, !isReplayed(message) {
                echoed(target: parameters[0], body: parameters[1])
            }
            return mergedWithHistory(translator(ownNick: session.nick).chat(message, now: now), message)

        case "JOIN":
            guard let channel = parameters.first, !sender.isEmpty else { return MessageTranslator.malformed(message) }
            var replay: [ClientAction] = []
            if isSelf {
                session.roster.selfJoined(channel, nick: session.nick, serverSupport)
                session.whoAsked.remove(serverSupport.caseMapping.fold(channel))
                addChannelToJoin(channel)
                if let request = history.opened(channel, key: serverSupport.caseMapping.fold(channel),
                                                supported: historySupported(session)) {
                    replay.append(.send(request))
                }
            } else {
                session.roster.memberJoined(channel, nick: sender, serverSupport)
            }
            return [.emit(.joined(channel: channel, nick: sender, isOwn: isSelf))] + membersChanged([channel], session) + replay

        case "PART":
            guard let channels = parameters.first, !sender.isEmpty else { return MessageTranslator.malformed(message) }
            let reason = parameters.count >= 2 ? parameters[1] : nil
            var actions: [ClientAction] = []
            for channel in channels.split(separator: ",").map(String.init) {
                if isSelf {
                    session.roster.selfLeft(channel, serverSupport)
                    removeChannelToJoin(channel)
                } else {
                    session.roster.memberLeft(channel, nick: sender, serverSupport)
                }
                actions.append(.emit(.parted(channel: channel, nick: sender, reason: reason, isOwn: isSelf)))
                actions += membersChanged([channel], session)
            }
            return actions

        case "KICK":
            guard parameters.count >= 2 else { return MessageTranslator.malformed(message) }
            let (channel, victim) = (parameters[0], parameters[1])
            let reason = parameters.count >= 3 ? parameters[2] : nil
            let ownKick = isSameNick(victim, session.nick)
            if ownKick {
                session.roster.selfLeft(channel, serverSupport)
                removeChannelToJoin(channel)
            } else {
                session.roster.memberLeft(channel, nick: victim, serverSupport)
            }
            return [.emit(.kicked(channel: channel, nick: victim, by: sender, reason: reason, isOwn: ownKick))]
                + membersChanged([channel], session)

        case "QUIT":
            guard !sender.isEmpty, !isSelf else { return [] }
            let channels = session.roster.memberQuit(nick: sender, serverSupport)
            return [.emit(.quit(nick: sender, reason: parameters.first, channels: channels))] + membersChanged(channels, session)
                + reclaimIfFreed(sender, session)

        case "NICK":
            guard let newNick = parameters.first, !sender.isEmpty else { return MessageTranslator.malformed(message) }
            let channels = session.roster.rename(sender, to: newNick, serverSupport)
            if isSelf {
                session.nick = newNick
                preferredNick = newNick
                if let wanted = session.reclaimNick {
                    session.reclaimNick = nil
                    if isSameNick(newNick, wanted), serverSupport.monitorLimit != nil,
                       !monitored.contains(where: { isSameNick($0, wanted) }) {
                        return [.send(IRCMessage("MONITOR", "-", wanted)),
                                .emit(.nickChanged(old: sender, new: newNick, isOwn: true, channels: channels)),
                                .emit(.stateChanged(.registered(nick: newNick)))] + membersChanged(channels, session)
                    }
                }
                return [
                    .emit(.nickChanged(old: sender, new: newNick, isOwn: true, channels: channels)),
                    .emit(.stateChanged(.registered(nick: newNick))),
                ] + membersChanged(channels, session)
            }
            return [.emit(.nickChanged(old: sender, new: newNick, isOwn: false, channels: channels))]
                + membersChanged(channels, session) + reclaimIfFreed(sender, session)

        case "TOPIC":
            guard parameters.count >= 2 else { return MessageTranslator.malformed(message) }
            session.roster.setTopic(parameters[0], parameters[1], serverSupport)
            return [.emit(.topic(channel: parameters[0], text: parameters[1], setBy: sender, isChange: true))]

        case "MODE":
            guard parameters.count >= 2 else { return MessageTranslator.malformed(message) }
            let arguments = Array(parameters.dropFirst(2))
            var changed: [String] = []
            if serverSupport.isChannel(parameters[0]) {
                session.roster.applyMode(parameters[0], modes: parameters[1], parameters: arguments, serverSupport)
                changed = [parameters[0]]
            }
            return [.emit(.mode(target: parameters[0], modes: parameters[1], parameters: arguments,
                                by: message.sourceNick))] + membersChanged(changed, session)

        case "INVITE":
            guard parameters.count >= 2 else { return MessageTranslator.malformed(message) }
            if !isSameNick(parameters[0], session.nick) {
                // invite-notify: someone else was invited into one of our channels.
                return [.emit(.invitedOther(channel: parameters[1], nick: parameters[0], by: sender))]
            }
            return [.emit(.invited(channel: parameters[1], by: sender))]

        case "CAP":
            return capabilityChange(message, session: &session)

        case "ERROR":
            return [.emit(.serverError(parameters.last ?? ""))]

        case "BATCH":
            guard let reference = parameters.first, reference.count > 1 else { return [] }
            if reference.hasPrefix("+"), parameters.count >= 2 {
                history.batchStarted(id: String(reference.dropFirst()), type: parameters[1],
                                     parameters: Array(parameters.dropFirst(2)), serverSupport.caseMapping)
                return []
            }
            guard reference.hasPrefix("-") else { return [] }
            let (request, events) = history.batchEnded(id: String(reference.dropFirst()))
            return (request.map { [.send($0)] } ?? []) + events.map { .emit($0) }

        case "MARKREAD" where parameters.count >= 2:
            let time = parameters[1].hasPrefix("timestamp=") ? ServerTime.parse(String(parameters[1].dropFirst(10))) : nil
            if let time {
                let key = serverSupport.caseMapping.fold(parameters[0])
                readMarkers[key] = max(readMarkers[key] ?? time, time)
            }
            return [.emit(.readMarker(target: parameters[0], time: time))]

        case "CHATHISTORY" where parameters.count >= 2 && parameters[0] == "TARGETS":
            let name = parameters[1]
            return history.targetListed(name, isChannel: serverSupport.isChannel(name), serverSupport.caseMapping)
                .map { [.send($0)] } ?? []

        case "FAIL" where parameters.first == "SEARCH":
            return history.searchFailed().map { .emit($0) } + translator(ownNick: session.nick).generic(message, now: now)

        case "FAIL" where parameters.first == "CHATHISTORY" && parameters.count >= 5:
            return history.failed(target: parameters[3], serverSupport.caseMapping).map { .emit($0) }
        case "FAIL" where parameters.first == "CHATHISTORY" && parameters.count >= 3 && parameters[2] == "AROUND":
            // A refusal that names no target (other servers): only a /context asks AROUND.
            return history.contextFailed().map { .emit($0) }
                + translator(ownNick: session.nick).generic(message, now: now)

        case "TAGMSG":
            guard let target = parameters.first, !sender.isEmpty, !isSelf else { return [] }
            let conversation = translator(ownNick: session.nick).conversation(target: target, sender: sender, source: message.source)
            var actions: [ClientAction] = []
            if let typing = message.tag("+typing") {
                actions.append(.emit(.typing(conversation: conversation, nick: sender, active: typing == "active")))
            }
            if let reaction = message.tag("+draft/react"), !reaction.isEmpty, let msgid = message.tag("+draft/reply") {
                actions.append(.emit(.reaction(conversation: conversation, msgid: msgid, nick: sender, reaction: reaction)))
            }
            return actions

        case "REDACT":
            guard parameters.count >= 2 else { return MessageTranslator.malformed(message) }
            let conversation = translator(ownNick: session.nick).conversation(target: parameters[0], sender: sender,
                                                                               source: message.source)
            return [.emit(.redacted(conversation: conversation, msgid: parameters[1], by: sender))]

        case "AWAY":
            guard !sender.isEmpty else { return [] }
            let message = parameters.first.flatMap { $0.isEmpty ? nil : $0 }
            return [.emit(.awayChanged(nick: sender, message: message))]
                + membersChanged(session.roster.setAway(sender, message != nil, serverSupport), session)

        case "SETNAME":
            guard let name = parameters.first, !sender.isEmpty else { return MessageTranslator.malformed(message) }
            return [.emit(.realNameChanged(nick: sender, realName: name, channels: session.roster.channels(of: sender, serverSupport)))]

        case "CHGHOST":
            guard parameters.count >= 2, !sender.isEmpty else { return MessageTranslator.malformed(message) }
            if isSelf { userHost = parameters[0] + "@" + parameters[1] }
            return [.emit(.hostChanged(nick: sender, user: parameters[0], host: parameters[1],
                                       channels: session.roster.channels(of: sender, serverSupport)))]

        case "354" where parameters.count >= 4 && parameters[1] == Self.awayWhoToken:
            // Our own WHO of a channel (`%tnf`): token, nick, flags.
            _ = session.roster.setAway(parameters[2], parameters[3].hasPrefix("G"), serverSupport)
            return []

        case "315" where parameters.count >= 2 && session.pendingWho.contains(serverSupport.caseMapping.fold(parameters[1])):
            session.pendingWho.remove(serverSupport.caseMapping.fold(parameters[1]))
            return membersChanged([parameters[1]], session)

        case "730", "731":
            guard let list = parameters.last else { return [] }
            var actions: [ClientAction] = []
            for entry in list.split(separator: ",") {
                let nick = String(entry.split(separator: "!", maxSplits: 1).first ?? entry)
                if message.command == "731", let wanted = session.reclaimNick, isSameNick(nick, wanted) {
                    actions.append(.send(IRCMessage("NICK", wanted)))
                }
                if monitored.contains(where: { isSameNick($0, nick) }) {
                    actions.append(.emit(.presence(nick: nick, online: message.command == "730")))
                }
            }
            return actions

        case "AUTHENTICATE" where parameters.first == "+":
            return session.pendingLogin.map { $0.plainChunks.map { .send(IRCMessage("AUTHENTICATE", $0)) } } ?? []

        case "900":
            session.pendingLogin = nil
            return [.emit(.loggedIn(account: parameters.count >= 3 ? parameters[2] : session.nick))]

        case "903", "907":
            return []

        case "902", "904", "905", "906", "908":
            let attempted = session.pendingLogin?.account ?? session.nick
            session.pendingLogin = nil
            return [.emit(.error("Login as \(attempted) failed: \(parameters.last ?? "SASL authentication failed")"))]

        case "FAIL" where parameters.count >= 3:
            // A standard reply: `FAIL <command> <code> [context…] :<description>`.
            return [.emit(.error("\(parameters[0]) failed: \(parameters[parameters.count - 1]) (\(parameters[1]))"))]

        case "REGISTER" where parameters.first == "SUCCESS":
            return [.emit(.serverInfo(code: nil, text: "Account \(parameters.count >= 2 ? parameters[1] : session.nick) registered"))]

        case "005":
            serverSupport.apply(parameters.dropFirst().dropLast())
            var actions: [ClientAction] = [.emit(.serverSupport(serverSupport)),
                                           .emit(.serverInfo(code: 5, text: MessageTranslator.numericText(message)))]
            // The first connection learns of MONITOR only now: watch the nick we want back.
            if let wanted = session.reclaimNick, !session.reclaimWatched, serverSupport.monitorLimit != nil {
                session.reclaimWatched = true
                actions.append(.send(IRCMessage("MONITOR", "+", wanted)))
            }
            return actions

        case "331", "332":
            guard parameters.count >= 3 else { return MessageTranslator.malformed(message) }
            let text = message.command == "332" ? parameters[2] : ""
            session.roster.setTopic(parameters[1], text.isEmpty ? nil : text, serverSupport)
            return [.emit(.topic(channel: parameters[1], text: text, setBy: nil, isChange: false))]

        case "333":
            guard parameters.count >= 3 else { return MessageTranslator.malformed(message) }
            let setter = parameters[2].split(separator: "!", maxSplits: 1).first.map(String.init) ?? parameters[2]
            let at = parameters.count >= 4 ? Int64(parameters[3]).map { Timestamp(millisecondsSinceEpoch: $0 * 1000) } : nil
            return [.emit(.topicSetBy(channel: parameters[1], setBy: setter, at: at))]

        case "353":
            guard parameters.count >= 3 else { return MessageTranslator.malformed(message) }
            session.roster.namesReceived(parameters[parameters.count - 2], entries: parameters[parameters.count - 1],
                                         serverSupport)
            return []

        case "366":
            guard parameters.count >= 2 else { return MessageTranslator.malformed(message) }
            let members = session.roster.namesEnded(parameters[1], serverSupport)
            var actions: [ClientAction] = [.emit(.names(channel: parameters[1], members: members))] + membersChanged([parameters[1]], session)
            // Who is away already: asked once per join (later changes come with away-notify).
            let folded = serverSupport.caseMapping.fold(parameters[1])
            if session.capabilities.contains("away-notify"), serverSupport.whox, session.roster.contains(parameters[1], serverSupport),
               !session.pendingWho.contains(folded), !session.whoAsked.contains(folded) {
                session.pendingWho.insert(folded)
                session.whoAsked.insert(folded)
                actions.append(.send(IRCMessage("WHO", parameters[1], "%tnf," + Self.awayWhoToken)))
            }
            return actions

        default:
            return translator(ownNick: session.nick).generic(message, now: now)
        }
    }

    /// Someone gave up `nick` (quit or renamed): when it is the nick we want back, ask for it.
    func reclaimIfFreed(_ nick: String, _ session: Session) -> [ClientAction] {
        guard let wanted = session.reclaimNick, isSameNick(nick, wanted) else { return [] }
        return [.send(IRCMessage("NICK", wanted))]
    }

    /// `CAP NEW/DEL/ACK` after registration: the ``CapabilityTracker`` decides, we send what it asks.
    func capabilityChange(_ message: IRCMessage, session: inout Session) -> [ClientAction] {
        guard message.parameters.count >= 3 else { return [] }
        let entries = message.parameters[message.parameters.count - 1].split(separator: " ").map(String.init)
        switch session.capabilities.capReceived(subcommand: message.parameters[1], entries: entries) {
        case .none:
            return []
        case .request(let names):
            return [.send(IRCMessage("CAP", "REQ", names.joined(separator: " ")))]
        }
    }
}
