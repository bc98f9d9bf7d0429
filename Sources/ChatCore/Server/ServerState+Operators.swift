/// Server operators: `OPER`, `KILL`, `WALLOPS` (and user mode `+w`, which anyone may set to read them).
extension ServerState {
    mutating func handleOper(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard message.parameters.count >= 2 else {
            needMoreParams(id, "OPER", into: &actions)
            return
        }
        guard let password = configuration.operators[message.parameters[0]] else {
            reply(id, Numeric.noOperHost, "No O-lines for your host", into: &actions)
            return
        }
        guard password == message.parameters[1] else {
            reply(id, Numeric.passwordMismatch, "Password incorrect", into: &actions)
            return
        }
        if !clients[id.rawValue]!.isOperator { operatorCount += 1 }
        clients[id.rawValue]!.isOperator = true
        let record = client(id)!
        reply(id, Numeric.youreOper, "You are now an IRC operator", into: &actions)
        actions.append(.send(IRCMessage(source: record.prefix, "MODE", record.nick, "+o"), to: id))
    }

    /// `KILL <nick> :<reason>`: an operator disconnects a user, on any server of the network.
    mutating func handleKill(_ message: IRCMessage, from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        guard message.parameters.count >= 1, !message.parameters[0].isEmpty else {
            needMoreParams(id, "KILL", into: &actions)
            return
        }
        let killer = client(id)!
        guard killer.isOperator else {
            reply(id, Numeric.noPrivileges, "Permission Denied- You're not an IRC operator", into: &actions)
            return
        }
        guard let target = clientID(nick: message.parameters[0]), let record = client(target), record.isRegistered else {
            reply(id, Numeric.noSuchNick, message.parameters[0], "No such nick/channel", into: &actions)
            return
        }
        let reason = message.parameters.count > 1 && !message.parameters[1].isEmpty ? message.parameters[1] : killer.nick
        propagate(IRCMessage(source: killer.prefix, command: "KILL", parameters: [record.nick, reason]), actor: id,
                  extraTags: [.init("target", record.uid)], into: &actions)
        kill(target, by: killer.nick, reason: reason, now: now, into: &actions)
    }

    /// Removes a killed user here: its peers see `QUIT :Killed (<oper> (<reason>))`, and a local user
    /// is told and disconnected.
    mutating func kill(_ target: ClientID, by killer: String, reason: String, now: Timestamp, into actions: inout [ServerAction]) {
        guard let record = client(target), !record.quitting else { return }
        let quit = "Killed (\(killer) (\(reason)))"
        removeClient(target, quitMessage: quit, now: now, into: &actions)
        if record.isRemote {
            release(target)
        } else {
            actions.append(.close(target, reason: quit))
        }
    }

    /// `WALLOPS :<text>`: an operator's message to every user with mode `+w`, network-wide.
    mutating func handleWallops(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard let text = message.parameters.first, !text.isEmpty else {
            needMoreParams(id, "WALLOPS", into: &actions)
            return
        }
        guard client(id)!.isOperator else {
            reply(id, Numeric.noPrivileges, "Permission Denied- You're not an IRC operator", into: &actions)
            return
        }
        let wallops = IRCMessage(source: client(id)!.prefix, command: "WALLOPS", parameters: [text])
        deliverWallops(wallops, into: &actions)
        propagate(wallops, actor: id, into: &actions)
    }

    /// Delivers a `WALLOPS` to the local users with mode `+w`.
    func deliverWallops(_ wallops: IRCMessage, into actions: inout [ServerAction]) {
        var readers: [ClientID] = []
        for case let record? in clients where record.wallops && !record.isRemote && !record.quitting && record.isRegistered {
            readers.append(record.id)
        }
        if !readers.isEmpty { actions.append(.deliver(wallops, to: readers, except: nil)) }
    }
}
