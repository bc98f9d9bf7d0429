extension ServerState {
    /// Whether `nick` is acceptable: ASCII letters, digits and `[]\`_^{|}-`, not starting with a
    /// digit or `-`, at most `NICKLEN` bytes.
    public static func isValidNick(_ nick: String, maxLength: Int) -> Bool {
        let bytes = Array(nick.utf8)
        guard !bytes.isEmpty, bytes.count <= maxLength else { return false }
        func special(_ byte: UInt8) -> Bool { "[]\\`_^{|}".utf8.contains(byte) }
        func letter(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
        }
        func digit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        guard letter(bytes[0]) || special(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy { letter($0) || digit($0) || special($0) || $0 == UInt8(ascii: "-") }
    }

    mutating func handleCap(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let subcommand = message.parameters.first?.uppercased() else {
            needMoreParams(id, "CAP", into: &actions)
            return
        }
        let nick = client(id)!.nick
        func cap(_ parameters: String...) -> IRCMessage {
            IRCMessage(source: configuration.name, command: "CAP", parameters: [nick] + parameters)
        }
        switch subcommand {
        case "LS":
            _ = clients[id.rawValue]!.registration.capabilityNegotiationStarted()
            let version = message.parameters.count > 1 ? Int(message.parameters[1]) ?? 0 : 0
            // CAP LS 302 turns cap-notify on by itself (the specification's rule).
            if version >= 302 { clients[id.rawValue]!.capabilities.insert(.capNotify) }
            var names = offeredCapabilities.names
            if version >= 302, let index = names.firstIndex(of: "draft/multiline") {
                names[index] = "draft/multiline=max-bytes=\(MultilineBatch.maxBytes),max-lines=\(MultilineBatch.maxLines)"
            }
            if let sts = strictTransportSecurity, let port = sts.port {
                // Values only for CAP 302 clients (the specification's rule); `sts` cannot be requested.
                let value = STSPolicy.announcement(port: port, duration: sts.duration ?? 0,
                                                   secure: client(id)!.secure)
                names.append(version >= 302 ? "sts=" + value : "sts")
                names.sort()
            }
            if configuration.accounts {
                if version >= 302, let index = names.firstIndex(of: "sasl") { names[index] = "sasl=" + SASLExchange.mechanisms }
                // Informational (not requested): REGISTER works after connecting.
                names.append("draft/account-registration")
                names.sort()
            }
            actions.append(.send(cap("LS", names.joined(separator: " ")), to: id))
        case "LIST":
            actions.append(.send(cap("LIST", client(id)!.capabilities.names.joined(separator: " ")), to: id))
        case "REQ":
            _ = clients[id.rawValue]!.registration.capabilityNegotiationStarted()
            let requested = message.parameters.count > 1 ? message.parameters[1] : ""
            var enable: CapabilitySet = []
            var disable: CapabilitySet = []
            var valid = !requested.isEmpty
            for word in requested.split(separator: " ") {
                let removing = word.hasPrefix("-")
                guard let capability = CapabilitySet.named(String(removing ? word.dropFirst() : word)),
                      offeredCapabilities.contains(capability) else {
                    valid = false
                    break
                }
                if removing { disable.insert(capability) } else { enable.insert(capability) }
            }
            if valid {
                clients[id.rawValue]!.capabilities.formUnion(enable)
                clients[id.rawValue]!.capabilities.subtract(disable)
                actions.append(.send(cap("ACK", requested), to: id))
            } else {
                actions.append(.send(cap("NAK", requested), to: id))
            }
        case "END":
            let action = clients[id.rawValue]!.registration.capabilityNegotiationEnded()
            runRegistration(action, for: id, now: now, into: &actions)
        default:
            reply(id, Numeric.invalidCapCommand, subcommand, "Invalid CAP command", into: &actions)
        }
    }

    mutating func handlePass(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let password = message.parameters.first else {
            needMoreParams(id, "PASS", into: &actions)
            return
        }
        let action = clients[id.rawValue]!.registration.passwordReceived(password)
        runRegistration(action, for: id, now: now, into: &actions)
    }

    mutating func handleUser(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        // An empty user name or real name is a missing parameter (461), as the protocol says.
        guard message.parameters.count >= 4, !message.parameters[0].isEmpty, !message.parameters[3].isEmpty else {
            needMoreParams(id, "USER", into: &actions)
            return
        }
        let user = String(message.parameters[0].filter { $0 != "@" && $0 != "!" }.prefix(10))
        let action = clients[id.rawValue]!.registration.userReceived(user: user.isEmpty ? "user" : user,
                                                                    realName: message.parameters[3])
        runRegistration(action, for: id, now: now, into: &actions)
    }

    mutating func handleNick(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard let nick = message.parameters.first, !nick.isEmpty else {
            reply(id, Numeric.noNicknameGiven, "No nickname given", into: &actions)
            return
        }
        guard Self.isValidNick(nick, maxLength: configuration.nickLength) else {
            reply(id, Numeric.erroneousNickname, nick, "Erroneous nickname", into: &actions)
            return
        }
        let record = client(id)!
        let folded = CaseMapping.fold(nick)
        if let owner = nicks[folded], owner != id {
            reply(id, Numeric.nicknameInUse, nick, "Nickname is already in use", into: &actions)
            return
        }
        if record.nick == nick { return }
        if record.isRegistered {
            changeNick(of: id, to: nick, now: now, into: &actions)
            checkNickOwnership(id, now: now, into: &actions)
        } else {
            if record.nick != "*" { nicks[CaseMapping.fold(record.nick)] = nil }
            nicks[folded] = id
            clients[id.rawValue]!.nick = nick
            let action = clients[id.rawValue]!.registration.nickAccepted(nick)
            runRegistration(action, for: id, now: now, into: &actions)
        }
    }

    /// A registered client's nick changes: everyone who shares a channel sees it.
    mutating func changeNick(of id: ClientID, to nick: String, now: Timestamp, into actions: inout [ServerAction]) {
        let record = client(id)!
        rememberNick(of: record, now: now)
        monitorOffline(record.nick, except: id, into: &actions)
        nicks[CaseMapping.fold(record.nick)] = nil
        nicks[CaseMapping.fold(nick)] = id
        let change = IRCMessage(tags: eventTags(now: now, messageID: keepsHistory), source: record.prefix,
                                command: "NICK", parameters: [nick])
        clients[id.rawValue]!.nick = nick
        clients[id.rawValue]!.nickTime = now
        actions.append(.deliver(change, to: peers(of: id, includingSelf: true), except: nil))
        monitorOnline(id, into: &actions)
        self.record(change, inChannels: record.channels.sorted(), now: now, into: &actions)
        propagate(change, actor: id, extraTags: [.init("ts", String(now.millisecondsSinceEpoch))], into: &actions)
    }

    private mutating func runRegistration(_ action: ServerRegistrationStateMachine.Action, for id: ClientID, now: Timestamp,
                                          into actions: inout [ServerAction]) {
        switch action {
        case .wait:
            break
        case .alreadyRegistered:
            reply(id, Numeric.alreadyRegistered, "You may not reregister", into: &actions)
        case .register(let nick, let user, let realName, let password):
            if let required = configuration.password, password != required {
                reply(id, Numeric.passwordMismatch, "Password incorrect", into: &actions)
                removeClient(id, quitMessage: "Bad password", now: now, into: &actions)
                actions.append(.close(id, reason: "Bad password"))
                return
            }
            clients[id.rawValue]!.user = user
            clients[id.rawValue]!.realName = realName
            clients[id.rawValue]!.nickTime = now
            registeredCount += 1
            actions.append(.registered(id))
            sendWelcome(to: id, nick: nick, into: &actions)
            monitorOnline(id, into: &actions)
            if configuration.federated, let introduction = introduction(of: id) {
                actions.append(.propagate(introduction))
            }
            checkNickOwnership(id, now: now, into: &actions)
        }
    }

    /// What `CAP LS` lists: everything, but the history capabilities only with a store.
    var offeredCapabilities: CapabilitySet {
        var offered = CapabilitySet(CapabilitySet.offered.map(\.capability))
        if configuration.historyLimit == nil { offered.subtract(.history) }
        if !configuration.accounts { offered.subtract(.accounts) }
        return offered
    }

    /// The ISUPPORT tokens, in `005` order.
    public var isupportTokens: [String] {
        var tokens = [
            "AWAYLEN=\(configuration.awayLength)", "CASEMAPPING=ascii", "CHANLIMIT=#:\(configuration.maxChannelsPerClient)",
            "CHANMODES=beI,k,l,imnst", "CHANNELLEN=\(configuration.channelLength)", "CHANTYPES=#",
            "ELIST=M", "EXCEPTS", "INVEX", "KICKLEN=\(configuration.kickLength)", "MAXLIST=beI:\(ChannelMaskLists.capacity)",
            "MAXTARGETS=\(configuration.maxTargets)", "MODES=4",
            "NETWORK=\(configuration.network)", "NICKLEN=\(configuration.nickLength)", "PREFIX=(ov)@+",
            "TARGMAX=JOIN:,PART:,PRIVMSG:\(configuration.maxTargets),NOTICE:\(configuration.maxTargets),KICK:1",
            "TOPICLEN=\(configuration.topicLength)", "UTF8ONLY", "WHOX", "BOT=B", "MONITOR=\(Self.monitorLimit)",
            "NAMELEN=\(Self.realNameLength)",
        ]
        if let limit = configuration.historyLimit {
            tokens += ["CHATHISTORY=\(limit)", "MSGREFTYPES=msgid,timestamp"]
        }
        return tokens.sorted()
    }

    private mutating func sendWelcome(to id: ClientID, nick: String, into actions: inout [ServerAction]) {
        let record = client(id)!
        reply(id, Numeric.welcome, "Welcome to the \(configuration.network) IRC Network \(record.prefix)", into: &actions)
        reply(id, Numeric.yourHost, "Your host is \(configuration.name), running version \(configuration.version)", into: &actions)
        reply(id, Numeric.created, "This server was created \(created.iso8601)", into: &actions)
        reply(id, Numeric.myInfo, configuration.name, configuration.version, "Biow", "Ibeiklmnostv", "Ibeklov", into: &actions)
        let tokens = isupportTokens
        var start = 0
        while start < tokens.count {
            let chunk = Array(tokens[start..<min(start + 12, tokens.count)])
            let nick = client(id)!.nick
            actions.append(.send(IRCMessage(source: configuration.name, command: Numeric.isupport,
                                            parameters: [nick] + chunk + ["are supported by this server"]), to: id))
            start += 12
        }
        sendLusers(to: id, into: &actions)
        sendMOTD(to: id, into: &actions)
    }

    func sendMOTD(to id: ClientID, into actions: inout [ServerAction]) {
        guard let motd = configuration.motd else {
            reply(id, Numeric.noMotd, "MOTD File is missing", into: &actions)
            return
        }
        reply(id, Numeric.motdStart, "- \(configuration.name) Message of the day - ", into: &actions)
        for line in motd { reply(id, Numeric.motd, "- " + line, into: &actions) }
        reply(id, Numeric.endOfMotd, "End of /MOTD command.", into: &actions)
    }

    func sendLusers(to id: ClientID, into actions: inout [ServerAction]) {
        let users = registeredCount
        let invisible = invisibleCount
        let operators = operatorCount
        let unknown = connectionCount - users
        reply(id, Numeric.luserClient, "There are \(users + remoteCount - invisible) users and \(invisible) invisible on \(linkedServers.count + 1) servers", into: &actions)
        reply(id, Numeric.luserOp, String(operators), "operator(s) online", into: &actions)
        reply(id, Numeric.luserUnknown, String(max(0, unknown)), "unknown connection(s)", into: &actions)
        reply(id, Numeric.luserChannels, String(channels.count), "channels formed", into: &actions)
        let global = users + remoteCount
        reply(id, Numeric.luserMe, "I have \(users) clients and \(linkedServers.count) servers", into: &actions)
        reply(id, Numeric.localUsers, String(users), String(users), "Current local users \(users)", into: &actions)
        reply(id, Numeric.globalUsers, String(global), String(global), "Current global users \(global)", into: &actions)
    }
}
