/// Server links: the network events this server originates, the events of other servers applied
/// here, the state burst when a link comes up, and netsplits.
///
/// Network events are IRC messages as clients would see them, tagged with the acting user's
/// network-wide `uid` (and `ts`, when a nick was taken, for collisions). Every server applies the
/// same events in causal order (the link layer guarantees it), so every server computes the same
/// state — including who wins a nick collision, which needs no extra message.
extension ServerState {
    /// Internal tags that never reach clients.
    static let internalTags: Set<String> = ["uid", "ts", "prefix", "signon", "away", "oper", "setter", "target"]

    /// Adds a `.propagate` action for an event a local client caused.
    mutating func propagate(_ message: IRCMessage, actor: ClientID, extraTags: [IRCMessage.Tag] = [],
                            into actions: inout [ServerAction]) {
        guard configuration.federated, let record = client(actor), !record.isRemote else { return }
        var event = message
        event.tags.insert(IRCMessage.Tag("uid", record.uid), at: 0)
        event.tags.append(contentsOf: extraTags)
        actions.append(.propagate(event))
    }

    /// The `USER` event that introduces a client to the other servers.
    func introduction(of id: ClientID) -> IRCMessage? {
        guard let record = client(id), record.isRegistered, !record.quitting else { return nil }
        var tags = [
            IRCMessage.Tag("uid", record.uid),
            IRCMessage.Tag("ts", String(record.nickTime.millisecondsSinceEpoch)),
            IRCMessage.Tag("signon", String(record.connected.millisecondsSinceEpoch)),
        ]
        if let away = record.away { tags.append(IRCMessage.Tag("away", away)) }
        if record.isOperator { tags.append(IRCMessage.Tag("oper")) }
        if record.bot { tags.append(IRCMessage.Tag("bot")) }
        if let account = record.account { tags.append(IRCMessage.Tag("account", account)) }
        return IRCMessage(tags: tags, command: "USER",
                          parameters: [record.nick, record.user, record.host, record.server, record.realName])
    }

    /// The whole known state, sent to a server when a link comes up: every user, every channel with
    /// its modes, members and topic. Applying a burst is idempotent.
    public func burst() -> [IRCMessage] {
        // Accounts first: a user's login and nick ownership refer to them.
        var messages = [IRCMessage(source: configuration.name, command: "SERVER",
                                   parameters: [configuration.name, configuration.description])]
        messages += accounts.keys.sorted().map { accountEvent(accounts[$0]!) }
        for record in clients.compactMap({ $0 }) {
            if let intro = introduction(of: record.id) { messages.append(intro) }
        }
        for folded in channels.keys.sorted() {
            let channel = channels[folded]!
            messages.append(IRCMessage(source: configuration.name, command: "CHANNEL",
                                       parameters: [channel.name, String(channel.created.millisecondsSinceEpoch)]
                                           + channel.modes.modeString(showKey: true)))
            for kind in ChannelMaskLists.Kind.allCases {
                for entry in channel.modes.lists[kind] {
                    messages.append(IRCMessage(tags: [.init("setter", entry.setter), .init("ts", String(entry.time.millisecondsSinceEpoch))],
                                               source: configuration.name, command: "LISTMODE",
                                               parameters: [channel.name, String(kind.rawValue), entry.mask]))
                }
            }
            for member in channel.members {
                guard let record = client(member), !record.quitting else { continue }
                let prefix = channel.memberModes[member]!.prefixes(all: true)
                messages.append(IRCMessage(tags: [.init("uid", record.uid), .init("prefix", prefix)],
                                           source: record.prefix, command: "JOIN", parameters: [channel.name]))
            }
            if let topic = channel.topic {
                messages.append(IRCMessage(tags: [.init("setter", channel.topicSetter ?? configuration.name),
                                                  .init("ts", String(channel.topicTime?.millisecondsSinceEpoch ?? 0))],
                                           source: configuration.name, command: "TOPIC", parameters: [channel.name, topic]))
            }
        }
        return messages
    }

    /// Another server became reachable.
    public mutating func serverLinked(_ name: String, description: String) {
        linkedServers[name] = description
    }

    /// A server left the network (its link died): its users quit, with a netsplit reason.
    public mutating func serverSplit(_ name: String, now: Timestamp) -> [ServerAction] {
        linkedServers[name] = nil
        var actions: [ServerAction] = []
        let reason = "\(configuration.name) \(name)"
        for record in clients.compactMap({ $0 }) where record.isRemote && record.server == name {
            removeClient(record.id, quitMessage: reason, now: now, into: &actions)
            release(record.id)
        }
        return actions
    }

    /// Applies one event (or burst entry) from another server, returning the deliveries to local clients.
    public mutating func remoteEventReceived(_ event: IRCMessage, from server: String, now: Timestamp) -> [ServerAction] {
        var actions: [ServerAction] = []
        switch event.command {
        case "USER":
            remoteUser(event, now: now, into: &actions)
        case "CHANNEL":
            remoteChannel(event, now: now)
        case "TOPIC" where event.tag("setter") != nil:
            remoteBurstTopic(event, now: now, into: &actions)
        case "SERVER":
            // A linked server's description (first in its burst), for LINKS.
            if event.parameters.count >= 2, linkedServers[event.parameters[0]] != nil {
                linkedServers[event.parameters[0]] = event.parameters[1]
            }
        case "LISTMODE":
            remoteListEntry(event, now: now, into: &actions)
        case "ACCOUNT" where event.tag("uid") == nil:
            remoteAccount(event, now: now, into: &actions)
        default:
            guard let uid = event.tag("uid"), let actor = uids[uid], let record = client(actor), record.isRemote,
                  !record.quitting else {
                // An unknown user, e.g. one whose server this server split while another server
                // still relayed what they said before: a message is delivered and kept all the same
                // (it was said, and other servers showed it); anything else has nothing to apply to.
                lateMessage(event, now: now, into: &actions)
                return actions
            }
            remoteAction(event, actor: actor, now: now, into: &actions)
        }
        return actions
    }

    /// A `PRIVMSG`/`NOTICE`/`TAGMSG` from a user this server no longer knows: delivered with the
    /// source it came with.
    private mutating func lateMessage(_ event: IRCMessage, now: Timestamp, into actions: inout [ServerAction]) {
        guard ["PRIVMSG", "NOTICE", "TAGMSG"].contains(event.command), let target = event.parameters.first,
              let source = event.source, source.contains("!") else { return }
        var message = event
        message.tags = event.tags.filter { !Self.internalTags.contains($0.key) }
        if target.hasPrefix("#") {
            guard let channel = channels[CaseMapping.fold(target)] else { return }
            actions.append(.deliver(message, to: recipients(of: event.command, in: channel, sender: nil), except: nil))
            record(message, in: HistoryConversation.channel(channel.name), now: now, relayed: true, into: &actions)
        } else {
            let sender = String(source.prefix { $0 != "!" })
            record(message, in: HistoryConversation.between(sender, target), now: now, relayed: true, into: &actions)
            if let recipient = clientID(nick: target), let record = client(recipient), !record.isRemote,
               event.command != "TAGMSG" || record.capabilities.contains(.messageTags) {
                actions.append(.send(message, to: recipient))
            }
        }
    }

    /// The message as local clients see it: without internal tags, sourced from the user.
    private func clientView(_ event: IRCMessage, actor: ClientID) -> IRCMessage {
        var message = event
        message.tags = event.tags.filter { !Self.internalTags.contains($0.key) }
        message.source = client(actor)?.prefix ?? event.source
        return message
    }

    private mutating func remoteUser(_ event: IRCMessage, now: Timestamp, into actions: inout [ServerAction]) {
        guard event.parameters.count >= 5, let uid = event.tag("uid"), uids[uid] == nil else { return }
        let nick = event.parameters[0]
        guard Self.isValidNick(nick, maxLength: 64) else { return }
        let signon = Timestamp(millisecondsSinceEpoch: event.tag("signon").flatMap { Int64($0) } ?? now.millisecondsSinceEpoch)
        let id = allocate {
            ClientRecord(id: $0, host: event.parameters[2], connected: signon, server: event.parameters[3], uid: uid, isRemote: true)
        }
        uids[uid] = id
        remoteCount += 1
        clients[id.rawValue]!.user = event.parameters[1]
        clients[id.rawValue]!.realName = event.parameters[4]
        clients[id.rawValue]!.away = event.tag("away")
        clients[id.rawValue]!.isOperator = event.tag("oper") != nil
        clients[id.rawValue]!.bot = event.tag("bot") != nil
        let account = event.tag("account")
        if event.tag("oper") != nil { operatorCount += 1 }
        let claimed = Timestamp(millisecondsSinceEpoch: event.tag("ts").flatMap { Int64($0) } ?? signon.millisecondsSinceEpoch)
        clients[id.rawValue]!.nickTime = claimed
        claimNick(nick, for: id, now: now, into: &actions)
        if account != nil { remoteLogin(id, account: account, now: now, into: &actions) }
    }

    /// Gives `id` the nick, resolving a collision the same way on every server: the nick taken
    /// earlier wins (then the smaller uid); the loser is renamed to a nick derived from its uid.
    private mutating func claimNick(_ nick: String, for id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        let folded = CaseMapping.fold(nick)
        let claimant = client(id)!
        if let holder = nicks[folded], holder != id, let other = client(holder) {
            let holderWins = (other.nickTime, other.uid) < (claimant.nickTime, claimant.uid)
            let loser = holderWins ? id : holder
            if !holderWins {
                nicks[folded] = id
                setNick(nick, of: id, now: now, into: &actions)
            }
            renameAfterCollision(loser, now: now, into: &actions)
            return
        }
        if claimant.nick != "*", nicks[CaseMapping.fold(claimant.nick)] == id { nicks[CaseMapping.fold(claimant.nick)] = nil }
        nicks[folded] = id
        setNick(nick, of: id, now: now, into: &actions)
    }

    private mutating func setNick(_ nick: String, of id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        if let record = client(id), record.nick != "*", record.isRegistered {
            rememberNick(of: record, now: now)
            // Offline only if nobody holds it now (a collision's loser gives up a nick the winner has).
            let holder = nicks[CaseMapping.fold(record.nick)]
            if holder == nil || holder == id { monitorOffline(record.nick, except: id, into: &actions) }
        }
        clients[id.rawValue]!.nick = nick
        monitorOnline(id, into: &actions)
    }

    /// Renames the loser of a nick collision; its peers here see the change, and a local loser is told why.
    private mutating func renameAfterCollision(_ id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let record = client(id) else { return }
        var hash: UInt32 = 2_166_136_261
        for byte in record.uid.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        var fallback = "Guest" + String(hash % 1_000_000)
        var attempt: UInt32 = 0
        while let holder = nicks[CaseMapping.fold(fallback)], holder != id {
            attempt += 1
            fallback = "Guest" + String((hash &+ attempt) % 1_000_000)
        }
        let old = record.prefix
        let wasShown = record.nick != "*" && nicks[CaseMapping.fold(record.nick)] == id
        if wasShown { nicks[CaseMapping.fold(record.nick)] = nil }
        nicks[CaseMapping.fold(fallback)] = id
        setNick(fallback, of: id, now: now, into: &actions)
        let change = IRCMessage(tags: eventTags(now: now, messageID: false), source: old, command: "NICK", parameters: [fallback])
        if record.isRegistered, !record.isRemote || wasShown {
            actions.append(.deliver(change, to: peers(of: id, includingSelf: !record.isRemote), except: nil))
        }
        if !record.isRemote {
            actions.append(.send(IRCMessage(source: configuration.name, "NOTICE", fallback,
                                            "Nick collision: another server's \(record.nick) was there first; you are now \(fallback)"), to: id))
        }
    }

    private mutating func remoteChannel(_ event: IRCMessage, now: Timestamp) {
        guard event.parameters.count >= 3, Self.isValidChannelName(event.parameters[0], maxLength: 64) else { return }
        let folded = CaseMapping.fold(event.parameters[0])
        guard channels[folded] == nil else { return }
        let created = Timestamp(millisecondsSinceEpoch: Int64(event.parameters[1]) ?? now.millisecondsSinceEpoch)
        var channel = ChannelState(name: event.parameters[0], created: created)
        channel.modes = Self.modes(from: event.parameters[2], arguments: Array(event.parameters.dropFirst(3)))
        // An empty channel is kept only while members arrive in the same burst. The network's
        // view of a channel wins over what this server kept of it.
        dormantChannels[folded] = nil
        channels[folded] = channel
    }

    static func modes(from flags: String, arguments: [String]) -> ChannelState.Modes {
        var modes = ChannelState.Modes()
        modes.noExternalMessages = false
        modes.topicLocked = false
        var arguments = arguments.makeIterator()
        for flag in flags {
            switch flag {
            case "i": modes.inviteOnly = true
            case "m": modes.moderated = true
            case "n": modes.noExternalMessages = true
            case "s": modes.secret = true
            case "t": modes.topicLocked = true
            case "k": modes.key = arguments.next()
            case "l": modes.limit = arguments.next().flatMap { Int($0) }
            default: break
            }
        }
        return modes
    }

    /// A burst's ban, exception or invite exception: added where it is missing (lists merge).
    private mutating func remoteListEntry(_ event: IRCMessage, now: Timestamp, into actions: inout [ServerAction]) {
        guard event.parameters.count >= 3, let letter = event.parameters[1].first,
              let kind = ChannelMaskLists.Kind(rawValue: letter) else { return }
        let folded = CaseMapping.fold(event.parameters[0])
        guard var channel = channels[folded] else { return }
        let time = Timestamp(millisecondsSinceEpoch: event.tag("ts").flatMap { Int64($0) } ?? now.millisecondsSinceEpoch)
        guard case .added = channel.modes.lists.add(kind, mask: event.parameters[2], setter: event.tag("setter") ?? configuration.name,
                                                    time: time) else { return }
        channels[folded] = channel
        channelChanged(folded, into: &actions)
    }

    private mutating func remoteBurstTopic(_ event: IRCMessage, now: Timestamp, into actions: inout [ServerAction]) {
        guard event.parameters.count >= 2, var channel = channels[CaseMapping.fold(event.parameters[0])] else { return }
        let time = Timestamp(millisecondsSinceEpoch: event.tag("ts").flatMap { Int64($0) } ?? 0)
        if let current = channel.topicTime, current >= time { return }
        guard channel.topic != event.parameters[1] else { return }
        channel.topic = event.parameters[1]
        channel.topicSetter = event.tag("setter")
        channel.topicTime = time
        channels[CaseMapping.fold(channel.name)] = channel
        let topic = IRCMessage(tags: eventTags(now: now, messageID: false), source: event.tag("setter") ?? event.source,
                               command: "TOPIC", parameters: [channel.name, event.parameters[1]])
        actions.append(.deliver(topic, to: channel.members, except: nil))
        channelChanged(CaseMapping.fold(channel.name), into: &actions)
    }

    private mutating func remoteAction(_ event: IRCMessage, actor: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        let message = clientView(event, actor: actor)
        let parameters = event.parameters
        switch event.command {
        case "NICK":
            guard let nick = parameters.first, Self.isValidNick(nick, maxLength: 64) else { return }
            let before = client(actor)!
            clients[actor.rawValue]!.nickTime = Timestamp(millisecondsSinceEpoch: event.tag("ts").flatMap { Int64($0) } ?? now.millisecondsSinceEpoch)
            claimNick(nick, for: actor, now: now, into: &actions)
            if client(actor)!.nick == nick {
                var change = message
                change.source = before.prefix
                actions.append(.deliver(change, to: peers(of: actor, includingSelf: false), except: nil))
            }
        case "JOIN":
            guard let name = parameters.first, Self.isValidChannelName(name, maxLength: 64) else { return }
            let folded = CaseMapping.fold(name)
            let isNew = channels[folded] == nil
            var channel = channels[folded] ?? newChannel(name, folded: folded, now: now).channel
            guard !channel.contains(actor) else { return }
            var modes: ChannelState.MemberModes = []
            if let prefix = event.tag("prefix") {
                if prefix.contains("@") { modes.insert(.op) }
                if prefix.contains("+") { modes.insert(.voice) }
            }
            channel.invited.remove(actor)
            channel.add(actor, modes: modes)
            channels[folded] = channel
            clients[actor.rawValue]!.channels.insert(folded)
            var join = message
            join.parameters = [channel.name]
            deliverJoin(join, of: actor, to: channel.members, into: &actions)
            record(join, in: folded, now: now, relayed: true, into: &actions)
            if isNew { channelChanged(folded, into: &actions) }
        case "PART":
            guard let name = parameters.first, let channel = channels[CaseMapping.fold(name)], channel.contains(actor) else { return }
            actions.append(.deliver(message, to: channel.members, except: nil))
            record(message, in: CaseMapping.fold(name), now: now, relayed: true, into: &actions)
            leave(actor, channel: CaseMapping.fold(name))
        case "QUIT":
            removeClient(actor, quitMessage: parameters.first ?? "Quit", now: now, into: &actions)
            release(actor)
        case "PRIVMSG", "NOTICE", "TAGMSG":
            guard let target = parameters.first else { return }
            if target.hasPrefix("#") {
                guard let channel = channels[CaseMapping.fold(target)] else { return }
                actions.append(.deliver(message, to: recipients(of: event.command, in: channel, sender: nil), except: nil))
                record(message, in: HistoryConversation.channel(channel.name), now: now, relayed: true, into: &actions)
                if let msgid = event.tag("msgid") { rememberSent(msgid, by: actor, in: HistoryConversation.channel(channel.name)) }
            } else {
                // Every server keeps private messages too, so a participant who fails over finds them.
                let conversation = HistoryConversation.between(client(actor)!.nick, target)
                record(message, in: conversation, now: now, relayed: true, into: &actions)
                if let msgid = event.tag("msgid") { rememberSent(msgid, by: actor, in: conversation) }
                if let recipient = clientID(nick: target), let record = client(recipient), !record.isRemote,
                   event.command != "TAGMSG" || record.capabilities.contains(.messageTags) {
                    actions.append(.send(message, to: recipient))
                }
            }
        case "TOPIC":
            guard parameters.count >= 2, var channel = channels[CaseMapping.fold(parameters[0])] else { return }
            channel.topic = parameters[1].isEmpty ? nil : parameters[1]
            channel.topicSetter = client(actor)!.prefix
            channel.topicTime = now
            channels[CaseMapping.fold(channel.name)] = channel
            actions.append(.deliver(message, to: channel.members, except: nil))
            record(message, in: CaseMapping.fold(channel.name), now: now, relayed: true, into: &actions)
            channelChanged(CaseMapping.fold(channel.name), into: &actions)
        case "MODE":
            guard parameters.count >= 2, var channel = channels[CaseMapping.fold(parameters[0])] else { return }
            var adding = true
            var arguments = parameters.dropFirst(2).makeIterator()
            for flag in parameters[1] {
                switch flag {
                case "+": adding = true
                case "-": adding = false
                case "i": channel.modes.inviteOnly = adding
                case "m": channel.modes.moderated = adding
                case "n": channel.modes.noExternalMessages = adding
                case "s": channel.modes.secret = adding
                case "t": channel.modes.topicLocked = adding
                case "k":
                    let key = arguments.next()
                    channel.modes.key = adding ? key : nil
                case "l":
                    channel.modes.limit = adding ? arguments.next().flatMap { Int($0) } : nil
                case "b", "e", "I":
                    guard let mask = arguments.next(), let kind = ChannelMaskLists.Kind(rawValue: flag) else { continue }
                    if adding {
                        _ = channel.modes.lists.add(kind, mask: mask, setter: client(actor)!.prefix, time: now)
                    } else {
                        _ = channel.modes.lists.remove(kind, mask: mask)
                    }
                case "o", "v":
                    guard let nick = arguments.next(), let target = clientID(nick: nick), var modes = channel.memberModes[target] else { continue }
                    let bit: ChannelState.MemberModes = flag == "o" ? .op : .voice
                    if adding { modes.insert(bit) } else { modes.remove(bit) }
                    channel.setModes(modes, for: target)
                default:
                    continue
                }
            }
            channels[CaseMapping.fold(channel.name)] = channel
            actions.append(.deliver(message, to: channel.members, except: nil))
            record(message, in: CaseMapping.fold(channel.name), now: now, relayed: true, into: &actions)
            channelChanged(CaseMapping.fold(channel.name), into: &actions)
        case "KICK":
            guard parameters.count >= 2, let channel = channels[CaseMapping.fold(parameters[0])],
                  let target = clientID(nick: parameters[1]), channel.contains(target) else { return }
            actions.append(.deliver(message, to: channel.members, except: nil))
            record(message, in: CaseMapping.fold(parameters[0]), now: now, relayed: true, into: &actions)
            leave(target, channel: CaseMapping.fold(parameters[0]))
        case "INVITE":
            guard parameters.count >= 2, let target = clientID(nick: parameters[0]), let record = client(target),
                  var channel = channels[CaseMapping.fold(parameters[1])] else { return }
            channel.invited.insert(target)
            channels[CaseMapping.fold(parameters[1])] = channel
            if !record.isRemote { actions.append(.send(message, to: target)) }
            notifyInvite(message, in: channel, except: [actor, target], into: &actions)
        case "KILL":
            guard let uid = event.tag("target"), let target = uids[uid] else { return }
            kill(target, by: client(actor)!.nick, reason: parameters.count > 1 ? parameters[1] : client(actor)!.nick, now: now,
                 into: &actions)
        case "WALLOPS":
            deliverWallops(message, into: &actions)
        case "AWAY":
            clients[actor.rawValue]!.away = parameters.first.flatMap { $0.isEmpty ? nil : $0 }
            notifyAway(of: actor, into: &actions)
        case "SETNAME":
            guard let name = parameters.first, !name.isEmpty else { return }
            clients[actor.rawValue]!.realName = name
            notifyPeers(of: actor, IRCMessage(source: client(actor)!.prefix, command: "SETNAME", parameters: [name]),
                        capability: .setname, includingSelf: false, into: &actions)
        case "CHGHOST":
            guard parameters.count >= 2, let uid = event.tag("target"), let target = uids[uid],
                  Self.isValidUserOrHost(parameters[0]), Self.isValidUserOrHost(parameters[1]) else { return }
            changeHost(of: target, user: parameters[0], host: parameters[1], now: now, into: &actions)
        case "REDACT":
            remoteRedact(event, actor: actor, into: &actions)
        case "MULTILINE":
            remoteMultiline(event, actor: actor, now: now, into: &actions)
        case "BOT":
            clients[actor.rawValue]!.bot = parameters.first == "+"
        case "LOGIN":
            remoteLogin(actor, account: parameters.first, now: now, into: &actions)
        case "MARKREAD":
            remoteMarkRead(message, actor: actor, into: &actions)
        default:
            break
        }
    }
}
