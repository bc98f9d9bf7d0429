extension ServerState {
    mutating func handleMode(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let target = message.parameters.first else {
            needMoreParams(id, "MODE", into: &actions)
            return
        }
        if target.hasPrefix("#") {
            channelMode(message, name: target, from: id, now: now, into: &actions)
        } else {
            userMode(message, nick: target, from: id, now: now, into: &actions)
        }
    }

    private mutating func userMode(_ message: IRCMessage, nick: String, from id: ClientID, now: Timestamp,
                                   into actions: inout [ServerAction]) {
        guard let target = clientID(nick: nick) else {
            reply(id, Numeric.noSuchNick, nick, "No such nick/channel", into: &actions)
            return
        }
        guard target == id else {
            reply(id, Numeric.usersDontMatch, "Can't change mode for other users", into: &actions)
            return
        }
        var record = client(id)!
        guard message.parameters.count > 1 else {
            reply(id, Numeric.umodeIs, "+" + (record.invisible ? "i" : "") + (record.isOperator ? "o" : "") + (record.wallops ? "w" : "") + (record.bot ? "B" : ""),
                  into: &actions)
            return
        }
        var adding = true
        var applied = ""
        var lastSign: Character?
        var botChanged = false
        for flag in message.parameters[1] {
            switch flag {
            case "+": adding = true
            case "-": adding = false
            case "i":
                guard record.invisible != adding else { continue }
                record.invisible = adding
                invisibleCount += adding ? 1 : -1
                if lastSign != (adding ? "+" : "-") { applied.append(adding ? "+" : "-"); lastSign = adding ? "+" : "-" }
                applied.append("i")
            case "B":
                guard record.bot != adding else { continue }
                record.bot = adding
                if lastSign != (adding ? "+" : "-") { applied.append(adding ? "+" : "-"); lastSign = adding ? "+" : "-" }
                applied.append("B")
                botChanged = true
            case "w":
                guard record.wallops != adding else { continue }
                record.wallops = adding
                if lastSign != (adding ? "+" : "-") { applied.append(adding ? "+" : "-"); lastSign = adding ? "+" : "-" }
                applied.append("w")
            case "o":
                // Operator status is gained with OPER only; dropping it is allowed.
                guard !adding, record.isOperator else { continue }
                record.isOperator = false
                operatorCount -= 1
                if lastSign != "-" { applied.append("-"); lastSign = "-" }
                applied.append("o")
            default:
                reply(id, Numeric.uModeUnknownFlag, "Unknown MODE flag", into: &actions)
            }
        }
        clients[id.rawValue] = record
        if !applied.isEmpty {
            actions.append(.send(IRCMessage(source: record.prefix, "MODE", record.nick, applied), to: id))
        }
        if botChanged {
            propagate(IRCMessage(command: "BOT", parameters: [record.bot ? "+" : "-"]), actor: id, into: &actions)
        }
    }

    private mutating func channelMode(_ message: IRCMessage, name: String, from id: ClientID, now: Timestamp,
                                      into actions: inout [ServerAction]) {
        let folded = CaseMapping.fold(name)
        guard var channel = channels[folded] else {
            noSuchChannel(id, name, into: &actions)
            return
        }
        let isMember = channel.contains(id)
        guard message.parameters.count > 1 else {
            actions.append(.send(IRCMessage(source: configuration.name, command: Numeric.channelModeIs,
                                            parameters: [client(id)!.nick, channel.name] + channel.modes.modeString(showKey: isMember)), to: id))
            reply(id, Numeric.creationTime, channel.name, String(channel.created.secondsSinceEpoch), into: &actions)
            return
        }
        let modeString = message.parameters[1]
        var arguments = message.parameters.dropFirst(2).makeIterator()
        // List queries (`MODE #c b`, `+b`, `beI`…) need no privileges; a secret channel's lists are
        // for its members. Every list letter without a mask is a query.
        let queried = Self.listQueries(modeString, argumentCount: message.parameters.count - 2)
        if !queried.isEmpty {
            for kind in queried {
                let numerics = kind.numerics
                if !channel.modes.secret || isMember {
                    for entry in channel.modes.lists[kind] {
                        reply(id, numerics.entry, channel.name, entry.mask, entry.setter,
                              String(entry.time.secondsSinceEpoch), into: &actions)
                    }
                }
                reply(id, numerics.end, channel.name, numerics.endText, into: &actions)
            }
            return
        }
        guard channel.memberModes[id]?.contains(.op) == true else {
            if isMember {
                notChannelOperator(id, channel.name, into: &actions)
            } else {
                notOnChannel(id, channel.name, into: &actions)
            }
            return
        }
        var adding = true
        var appliedFlags = ""
        var appliedArguments: [String] = []
        var lastSign: Character?
        var changes = 0
        func record(_ flag: Character, _ argument: String? = nil) {
            let sign: Character = adding ? "+" : "-"
            if lastSign != sign { appliedFlags.append(sign); lastSign = sign }
            appliedFlags.append(flag)
            if let argument { appliedArguments.append(argument) }
        }
        for flag in modeString {
            if flag == "+" { adding = true; continue }
            if flag == "-" { adding = false; continue }
            if changes >= 4 { break }
            changes += 1
            switch flag {
            case "i", "m", "n", "s", "t":
                let keyPath: WritableKeyPath<ChannelState.Modes, Bool> = switch flag {
                case "i": \.inviteOnly
                case "m": \.moderated
                case "n": \.noExternalMessages
                case "s": \.secret
                default: \.topicLocked
                }
                if channel.modes[keyPath: keyPath] != adding {
                    channel.modes[keyPath: keyPath] = adding
                    record(flag)
                }
            case "k":
                if adding {
                    guard let key = arguments.next() else {
                        needMoreParams(id, "MODE", into: &actions)
                        continue
                    }
                    guard !key.isEmpty, !key.contains(" "), !key.contains(","), key.utf8.count <= 23 else {
                        reply(id, Numeric.invalidModeParam, channel.name, "k", key,
                              "Invalid key: 1–23 characters without spaces or commas", into: &actions)
                        continue
                    }
                    channel.modes.key = key
                    record("k", key)
                } else {
                    _ = arguments.next()
                    if channel.modes.key != nil {
                        channel.modes.key = nil
                        record("k", "*")
                    }
                }
            case "l":
                if adding {
                    guard let text = arguments.next() else {
                        needMoreParams(id, "MODE", into: &actions)
                        continue
                    }
                    guard let limit = Int(text), limit > 0 else {
                        reply(id, Numeric.invalidModeParam, channel.name, "l", text,
                              "Invalid limit: a positive number of members", into: &actions)
                        continue
                    }
                    channel.modes.limit = limit
                    record("l", String(limit))
                } else if channel.modes.limit != nil {
                    channel.modes.limit = nil
                    record("l")
                }
            case "o", "v":
                guard let nick = arguments.next() else {
                    needMoreParams(id, "MODE", into: &actions)
                    continue
                }
                guard let target = clientID(nick: nick) else {
                    reply(id, Numeric.noSuchNick, nick, "No such nick/channel", into: &actions)
                    continue
                }
                guard var modes = channel.memberModes[target] else {
                    reply(id, Numeric.userNotInChannel, nick, channel.name, "They aren't on that channel", into: &actions)
                    continue
                }
                let bit: ChannelState.MemberModes = flag == "o" ? .op : .voice
                if modes.contains(bit) != adding {
                    if adding { modes.insert(bit) } else { modes.remove(bit) }
                    channel.setModes(modes, for: target)
                    record(flag, client(target)!.nick)
                }
            case "b", "e", "I":
                let kind = ChannelMaskLists.Kind(rawValue: flag)!
                guard let mask = arguments.next(), !mask.isEmpty else { continue }
                guard !mask.contains(" "), !mask.hasPrefix(":"), mask.utf8.count <= 250 else {
                    reply(id, Numeric.invalidModeParam, channel.name, String(flag), mask, "Invalid mask", into: &actions)
                    continue
                }
                if adding {
                    switch channel.modes.lists.add(kind, mask: mask, setter: client(id)!.prefix, time: now) {
                    case .added(let listed): record(flag, listed)
                    case .alreadyListed: break
                    case .full:
                        reply(id, Numeric.banListFull, channel.name, mask, "Channel \(kind == .ban ? "ban" : kind == .exception ? "exception" : "invite exception") list is full", into: &actions)
                    }
                } else if let listed = channel.modes.lists.remove(kind, mask: mask) {
                    record(flag, listed)
                }
            default:
                reply(id, Numeric.unknownMode, String(flag), "is unknown mode char to me", into: &actions)
            }
        }
        channels[folded] = channel
        guard !appliedFlags.isEmpty else { return }
        let mode = IRCMessage(tags: eventTags(now: now, messageID: keepsHistory), source: client(id)!.prefix, command: "MODE",
                              parameters: [channel.name, appliedFlags] + appliedArguments)
        actions.append(.deliver(mode, to: channel.members, except: nil))
        self.record(mode, in: folded, now: now, into: &actions)
        channelChanged(folded, into: &actions)
        propagate(mode, actor: id, into: &actions)
    }
}

extension ServerState {
    /// The lists a mode string asks to see: list letters (`b`, `e`, `I`) with no mask left for them.
    /// Empty when the string changes anything (any other letter, or a list letter with a mask).
    static func listQueries(_ modeString: String, argumentCount: Int) -> [ChannelMaskLists.Kind] {
        var kinds: [ChannelMaskLists.Kind] = []
        for flag in modeString where flag != "+" {
            guard let kind = ChannelMaskLists.Kind(rawValue: flag), flag != "-" else { return [] }
            if !kinds.contains(kind) { kinds.append(kind) }
        }
        return argumentCount == 0 ? kinds : []
    }
}
