/// Telling others about a user: `away-notify`, `account-notify`, `chghost`, `setname`, and
/// `MONITOR` (with `extended-monitor`, watchers also get the first four for the nicks they watch).
extension ServerState {
    /// The most nicks one client may monitor (ISUPPORT `MONITOR=100`).
    static var monitorLimit: Int { 100 }

    /// Delivers `message` about `id` to the clients that share a channel with it (and itself, when
    /// asked and local) and have `capability`, plus its `extended-monitor` watchers with it.
    func notifyPeers(of id: ClientID, _ message: IRCMessage, capability: CapabilitySet, includingSelf: Bool,
                     into actions: inout [ServerAction]) {
        guard let record = client(id) else { return }
        var recipients = peers(of: id, includingSelf: includingSelf && !record.isRemote).filter {
            clients[$0.rawValue]?.capabilities.contains(capability) == true
        }
        if let watchers = monitors[CaseMapping.fold(record.nick)] {
            var seen = Set(recipients)
            for watcher in watchers.sorted() where watcher != id || includingSelf {
                guard let capabilities = client(watcher)?.capabilities,
                      capabilities.isSuperset(of: [capability, .extendedMonitor]), seen.insert(watcher).inserted else { continue }
                recipients.append(watcher)
            }
        }
        if !recipients.isEmpty { actions.append(.deliver(message, to: recipients, except: nil)) }
    }

    // MARK: AWAY

    mutating func handleAway(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        if let text = message.parameters.first, !text.isEmpty {
            clients[id.rawValue]!.away = Self.truncate(text, toBytes: configuration.awayLength)
            reply(id, Numeric.nowAway, "You have been marked as being away", into: &actions)
        } else {
            clients[id.rawValue]!.away = nil
            reply(id, Numeric.unaway, "You are no longer marked as being away", into: &actions)
        }
        let away = IRCMessage(command: "AWAY", parameters: client(id)!.away.map { [$0] } ?? [])
        notifyAway(of: id, into: &actions)
        propagate(away, actor: id, into: &actions)
    }

    /// `away-notify`: `:<user> AWAY [:<message>]` to those who share a channel (not to oneself).
    func notifyAway(of id: ClientID, into actions: inout [ServerAction]) {
        guard let record = client(id) else { return }
        let away = IRCMessage(source: record.prefix, command: "AWAY", parameters: record.away.map { [$0] } ?? [])
        notifyPeers(of: id, away, capability: .awayNotify, includingSelf: false, into: &actions)
    }

    // MARK: SETNAME and CHGHOST

    /// `SETNAME :<real name>`: the new real name goes to oneself and to `setname` peers.
    mutating func handleSetname(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard let name = message.parameters.first, !name.isEmpty else {
            actions.append(.send(IRCMessage(source: configuration.name, "FAIL", "SETNAME", "INVALID_REALNAME",
                                            "Real name must not be empty"), to: id))
            return
        }
        guard name.utf8.count <= Self.realNameLength else {
            actions.append(.send(IRCMessage(source: configuration.name, "FAIL", "SETNAME", "INVALID_REALNAME",
                                            "Real name is longer than \(Self.realNameLength) bytes"), to: id))
            return
        }
        clients[id.rawValue]!.realName = name
        let setname = IRCMessage(source: client(id)!.prefix, command: "SETNAME", parameters: [name])
        notifyPeers(of: id, setname, capability: .setname, includingSelf: true, into: &actions)
        if !client(id)!.capabilities.contains(.setname) {
            actions.append(.send(IRCMessage(source: configuration.name, "NOTICE", client(id)!.nick,
                                            "Your real name is now: \(name)"), to: id))
        }
        propagate(IRCMessage(command: "SETNAME", parameters: [name]), actor: id, into: &actions)
    }

    /// The longest real name `USER` and `SETNAME` accept (ISUPPORT `NAMELEN`).
    static var realNameLength: Int { 200 }

    /// `CHGHOST <nick> <user> <host>` (operators): changes a user's displayed user and host.
    /// `chghost` peers get `CHGHOST`; the others see the user quit and rejoin, as the spec allows.
    mutating func handleChghost(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard message.parameters.count >= 3 else {
            needMoreParams(id, "CHGHOST", into: &actions)
            return
        }
        guard client(id)!.isOperator else {
            reply(id, Numeric.noPrivileges, "Permission Denied- You're not an IRC operator", into: &actions)
            return
        }
        guard let target = clientID(nick: message.parameters[0]), client(target)?.isRegistered == true else {
            reply(id, Numeric.noSuchNick, message.parameters[0], "No such nick/channel", into: &actions)
            return
        }
        let user = message.parameters[1], host = message.parameters[2]
        guard Self.isValidUserOrHost(user), Self.isValidUserOrHost(host) else {
            actions.append(.send(IRCMessage(source: configuration.name, "FAIL", "CHGHOST", "INVALID_PARAMS",
                                            "A user and a host are 1–63 printable characters without ! @ or spaces"), to: id))
            return
        }
        propagate(IRCMessage(command: "CHGHOST", parameters: [user, host]), actor: id,
                  extraTags: [.init("target", client(target)!.uid)], into: &actions)
        changeHost(of: target, user: user, host: host, now: now, into: &actions)
    }

    static func isValidUserOrHost(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 63 && text.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "!") && $0 != UInt8(ascii: "@") }
    }

    /// Applies a user/host change here and tells who should know.
    mutating func changeHost(of id: ClientID, user: String, host: String, now: Timestamp, into actions: inout [ServerAction]) {
        guard let before = client(id), before.user != user || before.host != host else { return }
        clients[id.rawValue]!.user = user
        clients[id.rawValue]!.host = host
        let chghost = IRCMessage(source: before.prefix, command: "CHGHOST", parameters: [user, host])
        notifyPeers(of: id, chghost, capability: .chghost, includingSelf: true, into: &actions)
        // The others see a quit and a rejoin with the new host, once per channel.
        let prefix = client(id)!.prefix
        var quitSent: Set<ClientID> = [id]
        for folded in before.channels.sorted() {
            guard let channel = channels[folded] else { continue }
            let fallback = channel.members.filter { clients[$0.rawValue]?.capabilities.contains(.chghost) == false && $0 != id }
            guard !fallback.isEmpty else { continue }
            let fresh = fallback.filter { quitSent.insert($0).inserted }
            if !fresh.isEmpty {
                actions.append(.deliver(IRCMessage(source: before.prefix, command: "QUIT", parameters: ["Changing host"]),
                                        to: fresh, except: nil))
            }
            actions.append(.deliver(IRCMessage(source: prefix, command: "JOIN", parameters: [channel.name]), to: fallback, except: nil))
            let modes = channel.memberModes[id] ?? []
            if !modes.isEmpty {
                let letters = (modes.contains(.op) ? "o" : "") + (modes.contains(.voice) ? "v" : "")
                actions.append(.deliver(IRCMessage(source: configuration.name, command: "MODE",
                                                   parameters: [channel.name, "+" + letters] + Array(repeating: before.nick, count: letters.count)),
                                        to: fallback, except: nil))
            }
        }
    }

    // MARK: MONITOR

    /// `MONITOR + <nicks> | - <nicks> | C | L | S`: online (730) and offline (731) notices for nicks.
    mutating func handleMonitor(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard let subcommand = message.parameters.first?.uppercased() else {
            needMoreParams(id, "MONITOR", into: &actions)
            return
        }
        let targets = message.parameters.count > 1
            ? message.parameters[1].split(separator: ",").map(String.init).filter { !$0.isEmpty } : []
        var list = monitorLists[id] ?? []
        switch subcommand {
        case "+":
            guard !targets.isEmpty else { needMoreParams(id, "MONITOR", into: &actions); return }
            var online: [String] = []
            var offline: [String] = []
            for (index, nick) in targets.enumerated() {
                let folded = CaseMapping.fold(nick)
                if list.contains(folded) { continue }
                guard list.count < Self.monitorLimit else {
                    reply(id, Numeric.monListFull, String(Self.monitorLimit), targets[index...].joined(separator: ","),
                          "Monitor list is full", into: &actions)
                    break
                }
                list.append(folded)
                monitors[folded, default: []].insert(id)
                if let target = clientID(nick: nick), let record = client(target), record.isRegistered {
                    online.append(record.prefix)
                } else {
                    offline.append(nick)
                }
            }
            monitorLists[id] = list
            if !online.isEmpty { reply(id, Numeric.monOnline, online.joined(separator: ","), into: &actions) }
            if !offline.isEmpty { reply(id, Numeric.monOffline, offline.joined(separator: ","), into: &actions) }
        case "-":
            for nick in targets {
                let folded = CaseMapping.fold(nick)
                list.removeAll { $0 == folded }
                monitors[folded]?.remove(id)
                if monitors[folded]?.isEmpty == true { monitors[folded] = nil }
            }
            monitorLists[id] = list.isEmpty ? nil : list
        case "C":
            clearMonitor(id)
        case "L":
            if !list.isEmpty { reply(id, Numeric.monList, list.joined(separator: ","), into: &actions) }
            reply(id, Numeric.endOfMonList, "End of MONITOR list", into: &actions)
        case "S":
            var online: [String] = []
            var offline: [String] = []
            for folded in list {
                if let target = nicks[folded], let record = client(target), record.isRegistered {
                    online.append(record.prefix)
                } else {
                    offline.append(folded)
                }
            }
            if !online.isEmpty { reply(id, Numeric.monOnline, online.joined(separator: ","), into: &actions) }
            if !offline.isEmpty { reply(id, Numeric.monOffline, offline.joined(separator: ","), into: &actions) }
        default:
            reply(id, Numeric.unknownCommand, "MONITOR " + subcommand, "Unknown MONITOR subcommand", into: &actions)
        }
    }

    /// Forgets what a client monitored (MONITOR C, or it left).
    mutating func clearMonitor(_ id: ClientID) {
        for folded in monitorLists[id] ?? [] {
            monitors[folded]?.remove(id)
            if monitors[folded]?.isEmpty == true { monitors[folded] = nil }
        }
        monitorLists[id] = nil
    }

    /// A nick came online (registration, nick change, a user of another server): its watchers get 730.
    func monitorOnline(_ id: ClientID, into actions: inout [ServerAction]) {
        guard let record = client(id), let watchers = monitors[CaseMapping.fold(record.nick)] else { return }
        for watcher in watchers.sorted() where watcher != id {
            actions.append(.send(IRCMessage(source: configuration.name, command: Numeric.monOnline,
                                            parameters: [client(watcher)?.nick ?? "*", record.prefix]), to: watcher))
        }
    }

    /// A nick went offline (quit, nick change): its watchers get 731.
    func monitorOffline(_ nick: String, except id: ClientID? = nil, into actions: inout [ServerAction]) {
        guard let watchers = monitors[CaseMapping.fold(nick)] else { return }
        for watcher in watchers.sorted() where watcher != id {
            actions.append(.send(IRCMessage(source: configuration.name, command: Numeric.monOffline,
                                            parameters: [client(watcher)?.nick ?? "*", nick]), to: watcher))
        }
    }
}
