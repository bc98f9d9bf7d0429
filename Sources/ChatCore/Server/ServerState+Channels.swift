extension ServerState {
    /// Whether `name` is a valid channel name: `#`, then 1 or more characters without space,
    /// comma, BEL or control characters, at most `CHANNELLEN` bytes.
    public static func isValidChannelName(_ name: String, maxLength: Int) -> Bool {
        guard name.utf8.count >= 2, name.utf8.count <= maxLength, name.utf8.first == UInt8(ascii: "#") else { return false }
        return !name.utf8.contains { $0 <= 0x20 || $0 == UInt8(ascii: ",") || $0 == 0x7F }
    }

    mutating func handleJoin(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let list = message.parameters.first, !list.isEmpty else {
            needMoreParams(id, "JOIN", into: &actions)
            return
        }
        if list == "0" {
            for name in client(id)!.channels.sorted() {
                part(id, channel: name, reason: nil, now: now, into: &actions)
            }
            return
        }
        let keys = message.parameters.count > 1 ? message.parameters[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init) : []
        for (offset, name) in list.split(separator: ",").map(String.init).enumerated() {
            join(id, channel: name, key: offset < keys.count ? keys[offset] : nil, now: now, into: &actions)
        }
    }

    private mutating func join(_ id: ClientID, channel name: String, key: String?, now: Timestamp, into actions: inout [ServerAction]) {
        guard Self.isValidChannelName(name, maxLength: configuration.channelLength) else {
            noSuchChannel(id, name, into: &actions)
            return
        }
        let folded = CaseMapping.fold(name)
        let record = client(id)!
        if record.channels.contains(folded) { return }
        if record.channels.count >= configuration.maxChannelsPerClient {
            reply(id, "405", name, "You have joined too many channels", into: &actions)
            return
        }
        var restored = false
        var channel: ChannelState
        if let existing = channels[folded] {
            channel = existing
        } else {
            (channel, restored) = newChannel(name, folded: folded, now: now)
        }
        let isNew = channel.members.isEmpty
        // A kept channel with a key wants it from its first joiner too.
        if restored, let required = channel.modes.key, required != key {
            dormantChannels[folded] = ChannelSnapshot(channel)
            reply(id, Numeric.badChannelKey, channel.name, "Cannot join channel (+k)", into: &actions)
            return
        }
        let invited = channel.invited.contains(id)
        // Bans hold from a kept channel's first joiner on too; an operator's INVITE overrides them.
        if !isNew || restored, !invited, channel.modes.lists.isBanned(record.prefix) {
            if restored { dormantChannels[folded] = ChannelSnapshot(channel) }
            reply(id, Numeric.bannedFromChan, channel.name, "Cannot join channel (+b)", into: &actions)
            return
        }
        if !isNew {
            if channel.modes.inviteOnly, !invited, !channel.modes.lists.isInviteExempt(record.prefix) {
                reply(id, Numeric.inviteOnlyChan, channel.name, "Cannot join channel (+i)", into: &actions)
                return
            }
            if let required = channel.modes.key, required != key, !invited {
                reply(id, Numeric.badChannelKey, channel.name, "Cannot join channel (+k)", into: &actions)
                return
            }
            if let limit = channel.modes.limit, channel.members.count >= limit, !invited {
                reply(id, Numeric.channelIsFull, channel.name, "Cannot join channel (+l)", into: &actions)
                return
            }
        }
        channel.invited.remove(id)
        channel.add(id, modes: isNew ? .op : [])
        channels[folded] = channel
        clients[id.rawValue]!.channels.insert(folded)
        let join = IRCMessage(tags: eventTags(now: now, messageID: keepsHistory), source: record.prefix,
                              command: "JOIN", parameters: [channel.name])
        deliverJoin(join, of: id, to: channel.members, into: &actions)
        self.record(join, in: folded, now: now, into: &actions)
        if isNew { channelChanged(folded, into: &actions) }
        propagate(join, actor: id, extraTags: isNew ? [.init("prefix", "@")] : [], into: &actions)
        if let topic = channel.topic {
            reply(id, Numeric.topic, channel.name, topic, into: &actions)
            reply(id, Numeric.topicWhoTime, channel.name, channel.topicSetter ?? configuration.name,
                  String(channel.topicTime?.secondsSinceEpoch ?? 0), into: &actions)
        }
        if !record.capabilities.contains(.noImplicitNames) {
            sendNames(of: folded, to: id, into: &actions)
        }
        if keepsHistory, record.capabilities.contains(.readMarker) {
            actions.append(.send(markRead(channel.name, owner: CaseMapping.fold(record.nick)), to: id))
        }
    }

    mutating func handlePart(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let list = message.parameters.first, !list.isEmpty else {
            needMoreParams(id, "PART", into: &actions)
            return
        }
        let reason = message.parameters.count > 1 ? message.parameters[1] : nil
        for name in list.split(separator: ",").map(String.init) {
            let folded = CaseMapping.fold(name)
            guard channels[folded] != nil else {
                noSuchChannel(id, name, into: &actions)
                continue
            }
            guard client(id)!.channels.contains(folded) else {
                notOnChannel(id, name, into: &actions)
                continue
            }
            part(id, channel: folded, reason: reason, now: now, into: &actions)
        }
    }

    private mutating func part(_ id: ClientID, channel folded: String, reason: String?, now: Timestamp, into actions: inout [ServerAction]) {
        guard let channel = channels[folded] else { return }
        let parameters = [channel.name] + (reason.map { [$0] } ?? [])
        let part = IRCMessage(tags: eventTags(now: now, messageID: keepsHistory), source: client(id)!.prefix,
                              command: "PART", parameters: parameters)
        actions.append(.deliver(part, to: channel.members, except: nil))
        record(part, in: folded, now: now, into: &actions)
        propagate(part, actor: id, into: &actions)
        leave(id, channel: folded)
    }

    /// Removes a member, deleting the channel when it becomes empty.
    mutating func leave(_ id: ClientID, channel folded: String) {
        channels[folded]?.remove(id)
        if let channel = channels[folded], channel.members.isEmpty {
            channelEmptied(channel, folded: folded)
            channels[folded] = nil
        }
        clients[id.rawValue]?.channels.remove(folded)
    }

    mutating func handleTopic(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let name = message.parameters.first else {
            needMoreParams(id, "TOPIC", into: &actions)
            return
        }
        let folded = CaseMapping.fold(name)
        guard var channel = channels[folded] else {
            noSuchChannel(id, name, into: &actions)
            return
        }
        let isMember = channel.contains(id)
        guard message.parameters.count > 1 else {
            if channel.modes.secret, !isMember {
                notOnChannel(id, channel.name, into: &actions)
            } else if let topic = channel.topic {
                reply(id, Numeric.topic, channel.name, topic, into: &actions)
                reply(id, Numeric.topicWhoTime, channel.name, channel.topicSetter ?? configuration.name,
                      String(channel.topicTime?.secondsSinceEpoch ?? 0), into: &actions)
            } else {
                reply(id, Numeric.noTopic, channel.name, "No topic is set", into: &actions)
            }
            return
        }
        guard isMember else {
            notOnChannel(id, channel.name, into: &actions)
            return
        }
        if channel.modes.topicLocked, channel.memberModes[id]?.contains(.op) != true {
            notChannelOperator(id, channel.name, into: &actions)
            return
        }
        let text = Self.truncate(message.parameters[1], toBytes: configuration.topicLength)
        let record = client(id)!
        channel.topic = text.isEmpty ? nil : text
        channel.topicSetter = record.prefix
        channel.topicTime = now
        channels[folded] = channel
        let topic = IRCMessage(tags: eventTags(now: now, messageID: keepsHistory), source: record.prefix,
                               command: "TOPIC", parameters: [channel.name, text])
        actions.append(.deliver(topic, to: channel.members, except: nil))
        self.record(topic, in: folded, now: now, into: &actions)
        channelChanged(folded, into: &actions)
        propagate(topic, actor: id, into: &actions)
    }

    mutating func handleNames(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard let list = message.parameters.first, !list.isEmpty else {
            reply(id, Numeric.endOfNames, "*", "End of /NAMES list", into: &actions)
            return
        }
        for name in list.split(separator: ",").map(String.init) {
            let folded = CaseMapping.fold(name)
            if let channel = channels[folded], !channel.modes.secret || channel.contains(id) {
                sendNames(of: folded, to: id, into: &actions)
            } else {
                reply(id, Numeric.endOfNames, name, "End of /NAMES list", into: &actions)
            }
        }
    }

    /// `353` lines (split to fit a line) and `366`, honouring `multi-prefix` and `userhost-in-names`.
    func sendNames(of folded: String, to id: ClientID, into actions: inout [ServerAction]) {
        guard let channel = channels[folded], let viewer = client(id) else { return }
        let allPrefixes = viewer.capabilities.contains(.multiPrefix)
        let userhost = viewer.capabilities.contains(.userhostInNames)
        let symbol = channel.modes.secret ? "@" : "="
        let budget = 512 - 2 - configuration.name.utf8.count - viewer.nick.utf8.count - channel.name.utf8.count - 16
        var line = ""
        for member in channel.members {
            guard let record = client(member) else { continue }
            if !channel.contains(id), record.invisible { continue }
            let entry = channel.memberModes[member]!.prefixes(all: allPrefixes) + (userhost ? record.prefix : record.nick)
            if !line.isEmpty, line.utf8.count + 1 + entry.utf8.count > budget {
                reply(id, Numeric.namReply, symbol, channel.name, line, into: &actions)
                line = ""
            }
            line += line.isEmpty ? entry : " " + entry
        }
        if !line.isEmpty { reply(id, Numeric.namReply, symbol, channel.name, line, into: &actions) }
        reply(id, Numeric.endOfNames, channel.name, "End of /NAMES list", into: &actions)
    }

    mutating func handleKick(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard message.parameters.count >= 2 else {
            needMoreParams(id, "KICK", into: &actions)
            return
        }
        let name = message.parameters[0]
        let folded = CaseMapping.fold(name)
        guard let channel = channels[folded] else {
            noSuchChannel(id, name, into: &actions)
            return
        }
        guard channel.contains(id) else {
            notOnChannel(id, channel.name, into: &actions)
            return
        }
        guard channel.memberModes[id]?.contains(.op) == true else {
            notChannelOperator(id, channel.name, into: &actions)
            return
        }
        let kicker = client(id)!
        let reason = Self.truncate(message.parameters.count > 2 ? message.parameters[2] : kicker.nick, toBytes: configuration.kickLength)
        for nick in message.parameters[1].split(separator: ",").map(String.init) {
            guard let target = clientID(nick: nick), let current = channels[folded], current.contains(target) else {
                reply(id, Numeric.userNotInChannel, nick, channel.name, "They aren't on that channel", into: &actions)
                continue
            }
            let kick = IRCMessage(tags: eventTags(now: now, messageID: keepsHistory), source: kicker.prefix, command: "KICK",
                                  parameters: [current.name, client(target)!.nick, reason])
            actions.append(.deliver(kick, to: current.members, except: nil))
            record(kick, in: folded, now: now, into: &actions)
            propagate(kick, actor: id, into: &actions)
            leave(target, channel: folded)
        }
    }

    mutating func handleInvite(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard message.parameters.count >= 2 else {
            needMoreParams(id, "INVITE", into: &actions)
            return
        }
        let nick = message.parameters[0]
        let name = message.parameters[1]
        let folded = CaseMapping.fold(name)
        guard let target = clientID(nick: nick), let targetRecord = client(target), targetRecord.isRegistered else {
            reply(id, Numeric.noSuchNick, nick, "No such nick/channel", into: &actions)
            return
        }
        guard var channel = channels[folded] else {
            noSuchChannel(id, name, into: &actions)
            return
        }
        guard channel.contains(id) else {
            notOnChannel(id, channel.name, into: &actions)
            return
        }
        if channel.modes.inviteOnly, channel.memberModes[id]?.contains(.op) != true {
            notChannelOperator(id, channel.name, into: &actions)
            return
        }
        guard !channel.contains(target) else {
            reply(id, Numeric.userOnChannel, targetRecord.nick, channel.name, "is already on channel", into: &actions)
            return
        }
        channel.invited.insert(target)
        channels[folded] = channel
        reply(id, Numeric.inviting, targetRecord.nick, channel.name, into: &actions)
        let invite = IRCMessage(source: client(id)!.prefix, command: "INVITE", parameters: [targetRecord.nick, channel.name])
        propagate(invite, actor: id, into: &actions)
        if !targetRecord.isRemote {
            actions.append(.send(invite, to: target))
        }
        notifyInvite(invite, in: channel, except: [id, target], into: &actions)
        if let away = targetRecord.away {
            reply(id, Numeric.away, targetRecord.nick, away, into: &actions)
        }
    }

    /// `LIST [<#channel|mask>{,…}]`: every channel, or those named, or matching a mask with `*` and
    /// `?` (ISUPPORT `ELIST=M`). Secret channels only for their members.
    mutating func handleList(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        let asked = message.parameters.first.map { $0.split(separator: ",").map { WildcardMask(String($0)) } }
        let names = Set((asked ?? []).filter { !$0.hasWildcards }.map { CaseMapping.fold($0.pattern) })
        let masks = (asked ?? []).filter(\.hasWildcards)
        reply(id, Numeric.listStart, "Channel", "Users  Name", into: &actions)
        for folded in channels.keys.sorted() {
            let channel = channels[folded]!
            if asked != nil, !names.contains(folded), !masks.contains(where: { $0.matches(channel.name) }) { continue }
            if channel.modes.secret, !channel.contains(id) { continue }
            reply(id, Numeric.list, channel.name, String(channel.members.count), channel.topic ?? "", into: &actions)
        }
        reply(id, Numeric.listEnd, "End of /LIST", into: &actions)
    }

    /// Cuts `text` to at most `limit` UTF-8 bytes without splitting a character.
    static func truncate(_ text: String, toBytes limit: Int) -> String {
        guard text.utf8.count > limit else { return text }
        var result = ""
        for character in text {
            if result.utf8.count + String(character).utf8.count > limit { break }
            result.append(character)
        }
        return result
    }

    /// `invite-notify`: the channel's other members with the capability see the `INVITE`.
    func notifyInvite(_ invite: IRCMessage, in channel: ChannelState, except: Set<ClientID>, into actions: inout [ServerAction]) {
        let recipients = channel.members.filter {
            !except.contains($0) && clients[$0.rawValue]?.capabilities.contains(.inviteNotify) == true
        }
        if !recipients.isEmpty { actions.append(.deliver(invite, to: recipients, except: nil)) }
    }
}
