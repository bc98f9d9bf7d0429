extension ServerState {
    /// `WHO <#channel|nick|mask> [o|%fields[,token]]`. A channel lists its members (secret ones
    /// only to members; invisible members only to those who share it); a nick names one user; a
    /// mask (`*`, `?`; `0` means `*`) lists every visible user whose nick, user, host, server or
    /// real name matches. Visible: oneself, users without `+i`, and users sharing a channel.
    mutating func handleWho(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        let mask = message.parameters.first ?? "*"
        // WHOX: `WHO <mask> %<fields>[,<token>]` answers with 354 and only those fields.
        var whox: (fields: Set<Character>, token: String?)?
        var operatorsOnly = false
        if message.parameters.count >= 2 {
            let options = message.parameters[1]
            let flags = options.prefix { $0 != "%" }
            operatorsOnly = flags.contains("o")
            if let percent = options.firstIndex(of: "%") {
                let spec = options[options.index(after: percent)...].split(separator: ",", maxSplits: 1,
                                                                           omittingEmptySubsequences: false)
                whox = (Set(spec.first ?? ""), spec.count > 1 ? String(spec[1]) : nil)
            }
        }
        let asker = client(id)!
        if mask.hasPrefix("#") {
            if let channel = channels[CaseMapping.fold(mask)], !channel.modes.secret || channel.contains(id) {
                let member = channel.contains(id)
                for target in channel.members {
                    guard let record = client(target), member || !record.invisible, !operatorsOnly || record.isOperator else { continue }
                    whoReply(target, channel: channel, to: id, whox: whox, now: now, into: &actions)
                }
            }
        } else {
            let wildcard = WildcardMask(mask == "0" ? "*" : mask)
            if !wildcard.hasWildcards {
                if let target = clientID(nick: mask), let record = client(target), record.isRegistered,
                   !operatorsOnly || record.isOperator {
                    whoReply(target, channel: sharedChannel(asker, record), to: id, whox: whox, now: now, into: &actions)
                }
            } else {
                for case let record? in clients where record.isRegistered && !record.quitting {
                    guard !operatorsOnly || record.isOperator else { continue }
                    let shared = sharedChannel(asker, record)
                    guard record.id == id || !record.invisible || shared != nil else { continue }
                    let server = record.server.isEmpty ? configuration.name : record.server
                    guard [record.nick, record.user, record.host, server, record.realName].contains(where: wildcard.matches) else { continue }
                    whoReply(record.id, channel: shared, to: id, whox: whox, now: now, into: &actions)
                }
            }
        }
        reply(id, Numeric.endOfWho, mask, "End of WHO list", into: &actions)
    }

    /// The first channel (by folded name) both clients are on and the asker may see, if any.
    private func sharedChannel(_ asker: ClientRecord, _ target: ClientRecord) -> ChannelState? {
        let (smaller, larger) = asker.channels.count <= target.channels.count
            ? (asker.channels, target.channels) : (target.channels, asker.channels)
        return smaller.filter(larger.contains).sorted().first.flatMap { channels[$0] }
    }

    private func whoReply(_ member: ClientID, channel: ChannelState?, to id: ClientID,
                          whox: (fields: Set<Character>, token: String?)?, now: Timestamp, into actions: inout [ServerAction]) {
        guard let record = client(member) else { return }
        var flags = record.away == nil ? "H" : "G"
        if record.isOperator { flags += "*" }
        if record.bot { flags += "B" }
        if let channel, let modes = channel.memberModes[member] {
            flags += modes.prefixes(all: client(id)?.capabilities.contains(.multiPrefix) == true)
        }
        if let whox {
            // The fields in WHOX's fixed order: token, channel, user, ip, host, server, nick, flags,
            // hop count, idle, account, op level, real name.
            var values: [String] = []
            for field in "tcuihsnfdlaor" where whox.fields.contains(field) {
                switch field {
                case "t": values.append(whox.token ?? "0")
                case "c": values.append(channel?.name ?? "*")
                case "u": values.append(record.user)
                case "i": values.append(record.host)
                case "h": values.append(record.host)
                case "s": values.append(record.server.isEmpty ? configuration.name : record.server)
                case "n": values.append(record.nick)
                case "f": values.append(flags)
                case "d": values.append(record.isRemote ? "1" : "0")
                case "l":
                    let idle = record.isRemote ? 0 : max(0, (now.millisecondsSinceEpoch - record.lastMessage.millisecondsSinceEpoch) / 1000)
                    values.append(String(idle))
                case "a": values.append(record.account ?? "0")
                case "o": values.append("n/a")
                default: values.append(record.realName)
                }
            }
            actions.append(.send(IRCMessage(source: configuration.name, command: Numeric.whoSpecialReply,
                                            parameters: [client(id)!.nick] + values), to: id))
            return
        }
        reply(id, Numeric.whoReply, channel?.name ?? "*", record.user, record.host,
              record.server.isEmpty ? configuration.name : record.server, record.nick, flags,
              "\(record.isRemote ? 1 : 0) \(record.realName)", into: &actions)
    }

    mutating func handleWhois(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let nick = message.parameters.last, !nick.isEmpty else {
            reply(id, Numeric.noNicknameGiven, "No nickname given", into: &actions)
            return
        }
        guard let target = clientID(nick: nick), let record = client(target), record.isRegistered else {
            reply(id, Numeric.noSuchNick, nick, "No such nick/channel", into: &actions)
            reply(id, Numeric.endOfWhois, nick, "End of /WHOIS list", into: &actions)
            return
        }
        reply(id, Numeric.whoisUser, record.nick, record.user, record.host, "*", record.realName, into: &actions)
        let visible = record.channels.sorted().compactMap { folded -> String? in
            guard let channel = channels[folded] else { return nil }
            if channel.modes.secret, !channel.contains(id) { return nil }
            return channel.memberModes[target]!.prefixes(all: false) + channel.name
        }
        if !visible.isEmpty {
            reply(id, Numeric.whoisChannels, record.nick, visible.joined(separator: " "), into: &actions)
        }
        reply(id, Numeric.whoisServer, record.nick, record.server.isEmpty ? configuration.name : record.server,
              configuration.network, into: &actions)
        if record.bot {
            reply(id, Numeric.whoisBot, record.nick, "is a bot on \(configuration.network)", into: &actions)
        }
        if record.isOperator {
            reply(id, Numeric.whoisOperator, record.nick, "is an IRC operator", into: &actions)
        }
        if let account = record.account {
            reply(id, Numeric.whoisAccount, record.nick, account, "is logged in as", into: &actions)
        }
        if record.secure {
            reply(id, Numeric.whoisSecure, record.nick, "is using a secure connection", into: &actions)
        }
        if let away = record.away {
            reply(id, Numeric.away, record.nick, away, into: &actions)
        }
        let idle = max(0, (now.millisecondsSinceEpoch - record.lastMessage.millisecondsSinceEpoch) / 1000)
        reply(id, Numeric.whoisIdle, record.nick, String(idle), String(record.connected.secondsSinceEpoch),
              "seconds idle, signon time", into: &actions)
        reply(id, Numeric.endOfWhois, record.nick, "End of /WHOIS list", into: &actions)
    }

    func handleLinks(from id: ClientID, into actions: inout [ServerAction]) {
        reply(id, Numeric.links, configuration.name, configuration.name, "0 \(configuration.description)", into: &actions)
        for name in linkedServers.keys.sorted() {
            reply(id, Numeric.links, name, configuration.name, "1 \(linkedServers[name]!)", into: &actions)
        }
        reply(id, Numeric.endOfLinks, "*", "End of /LINKS list", into: &actions)
    }

    func handleUserhost(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard !message.parameters.isEmpty else {
            needMoreParams(id, "USERHOST", into: &actions)
            return
        }
        let entries = message.parameters.prefix(5).compactMap { nick -> String? in
            guard let target = clientID(nick: nick), let record = client(target), record.isRegistered else { return nil }
            return record.nick + (record.isOperator ? "*" : "") + "=" + (record.away == nil ? "+" : "-") + record.user + "@" + record.host
        }
        reply(id, "302", entries.joined(separator: " "), into: &actions)
    }

    func handleIson(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        let online = message.parameters.flatMap { $0.split(separator: " ").map(String.init) }.compactMap { nick -> String? in
            guard let target = clientID(nick: nick), let record = client(target), record.isRegistered else { return nil }
            return record.nick
        }
        reply(id, "303", online.joined(separator: " "), into: &actions)
    }
}
