/// What the user asks for: messages, joins, parts, nick changes, topics, commands and raw lines.
extension ClientStateMachine {
    // MARK: - User commands

    /// Sends `text` as `PRIVMSG`s to `target`, one per line and split to fit the 512-byte limit.
    /// Without `echo-message` the own lines are emitted as events right away.
    public mutating func sendMessage(target: String, text: String, now: Timestamp) -> [ClientAction] {
        sendChat(command: "PRIVMSG", target: target, text: text, ctcpAction: false, now: now)
    }

    /// Sends a CTCP `ACTION` (`/me`).
    public mutating func sendAction(target: String, text: String, now: Timestamp) -> [ClientAction] {
        sendChat(command: "PRIVMSG", target: target, text: text, ctcpAction: true, now: now)
    }

    /// Sends a `NOTICE`.
    public mutating func sendNotice(target: String, text: String, now: Timestamp) -> [ClientAction] {
        sendChat(command: "NOTICE", target: target, text: text, ctcpAction: false, now: now)
    }

    /// Joins `channel` (a `#` is added when the name has no channel prefix). Offline, the channel is
    /// remembered and joined after the next registration.
    public mutating func join(channel: String, key: String? = nil) -> [ClientAction] {
        let name = normalizedChannel(channel)
        guard Self.isValidParameter(name) else { return [.emit(.error("Invalid channel name: \(channel)"))] }
        if let key, !key.isEmpty {
            channelKeys[serverSupport.caseMapping.fold(name)] = key
        }
        switch state {
        case .registered:
            let keyParameter = channelKeys[serverSupport.caseMapping.fold(name)]
            return [.send(keyParameter.map { IRCMessage("JOIN", name, $0) } ?? IRCMessage("JOIN", name))]
        case .disconnected, .connecting, .registering, .closing, .reconnecting:
            for single in name.split(separator: ",") { addChannelToJoin(String(single)) }
            return [.emit(.serverInfo(code: nil, text: "\(name) will be joined once connected"))]
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// Leaves `channel`; it is no longer rejoined after a reconnect.
    public mutating func part(channel: String, reason: String? = nil) -> [ClientAction] {
        let name = normalizedChannel(channel)
        guard Self.isValidParameter(name) else { return [.emit(.error("Invalid channel name: \(channel)"))] }
        for single in name.split(separator: ",") { removeChannelToJoin(String(single)) }
        switch state {
        case .registered:
            return [.send(reason.map { IRCMessage("PART", name, $0) } ?? IRCMessage("PART", name))]
        case .disconnected, .connecting, .registering, .closing, .reconnecting:
            return []
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// Asks for a new nick; offline it becomes the nick for the next registration.
    public mutating func changeNick(_ newNick: String) -> [ClientAction] {
        guard Self.isValidParameter(newNick) else { return [.emit(.error("Invalid nickname: \(newNick)"))] }
        switch state {
        case .registered:
            return [.send(IRCMessage("NICK", newNick))]
        case .registering:
            preferredNick = newNick
            return [.send(IRCMessage("NICK", newNick))]
        case .disconnected, .connecting, .closing, .reconnecting:
            preferredNick = newNick
            return []
        case .modifying:
            preconditionFailure("invalid state")
        }
    }

    /// Sets the topic of `channel`.
    public func setTopic(channel: String, topic: String) -> [ClientAction] {
        registeredOnly { [.send(IRCMessage("TOPIC", normalizedChannel(channel), topic))] }
    }

    /// Asks for the topic of `channel` (answered with `332`/`331`).
    public func requestTopic(channel: String) -> [ClientAction] {
        registeredOnly { [.send(IRCMessage("TOPIC", normalizedChannel(channel)))] }
    }

    /// Asks for the member list of `channel` (answered with `353`… `366`, then a ``ClientEvent/names`` event).
    public func requestNames(channel: String) -> [ClientAction] {
        registeredOnly { [.send(IRCMessage("NAMES", normalizedChannel(channel)))] }
    }

    /// Sends one command built from what the user typed (`/away`, `/whois`, `/kick`…). Its
    /// parameters must be valid: only the last may contain spaces.
    /// Asks for the page of `target`'s history before the oldest message shown
    /// (``ClientEvent/olderHistory(target:events:)`` follows); nothing when the server keeps none.
    public mutating func requestOlderHistory(target: String) -> [ClientAction] {
        guard case .registered(let session) = state else { return [] }
        let key = serverSupport.caseMapping.fold(target)
        guard !history.isFetchingOlder(key) else { return [] }
        guard let request = history.olderPage(target, key: key, supported: historySupported(session)) else {
            // No history here, or nothing shown yet to page back from: there is nothing older.
            return [.emit(.olderHistory(target: target, events: []))]
        }
        return [.send(request)]
    }

    /// You have read `target` up to `time`: the server keeps it (`draft/read-marker`) so that your
    /// other clients know. Only ever forward, and nothing without the capability.
    public mutating func markRead(target: String, time: Timestamp) -> [ClientAction] {
        guard case .registered(let session) = state, session.capabilities.contains("draft/read-marker") else { return [] }
        let key = serverSupport.caseMapping.fold(target)
        guard readMarkers[key].map({ time > $0 }) ?? true else { return [] }
        readMarkers[key] = time
        return [.send(IRCMessage("MARKREAD", target, "timestamp=" + time.iso8601))]
    }

    /// Tells `target` we are typing (`+typing=active`), paused or done, where the server relays
    /// client tags (`message-tags`). The caller throttles (the specification: at most every 3 s).
    public func sendTyping(target: String, state: String) -> [ClientAction] {
        guard case .registered(let session) = self.state, session.capabilities.contains("message-tags"),
              Self.isValidParameter(target) else { return [] }
        // Not to a channel we are not in (after a kick, say): the server would answer an error
        // every few seconds while we type.
        if serverSupport.isChannel(target), !session.roster.contains(target, serverSupport) { return [] }
        var tags = [IRCMessage.Tag("+typing", state)]
        if session.capabilities.contains("labeled-response") { tags.insert(.init("label", Self.typingLabel), at: 0) }
        return [.send(IRCMessage(tags: tags, command: "TAGMSG", parameters: [target]))]
    }

    /// Starts or stops watching `nick` (`MONITOR`, where offered; again after every reconnect):
    /// ``ClientEvent/presence(nick:online:)`` follows.
    public mutating func monitor(_ nick: String, watch: Bool) -> [ClientAction] {
        guard Self.isValidParameter(nick), !nick.isEmpty, !serverSupport.isChannel(nick) else { return [] }
        let folded = serverSupport.caseMapping.fold(nick)
        let known = monitored.contains { serverSupport.caseMapping.fold($0) == folded }
        if watch, !known { monitored.append(nick) }
        if !watch { monitored.removeAll { serverSupport.caseMapping.fold($0) == folded } }
        guard case .registered = self.state, serverSupport.monitorLimit != nil, watch != known else { return [] }
        return [.send(IRCMessage("MONITOR", watch ? "+" : "-", nick))]
    }

    /// `/context`: the messages around `msgid` in `target` from the server's history
    /// (``ClientEvent/historyContext(target:msgid:events:)`` follows).
    public mutating func context(of msgid: String, in target: String) -> [ClientAction] {
        guard case .registered(let session) = state, historySupported(session) else {
            return [.emit(.error("/context: this server keeps no history"))]
        }
        guard Self.isValidParameter(target), Self.isValidParameter(msgid), !target.isEmpty, !msgid.isEmpty else { return [] }
        guard let request = history.context(of: msgid, in: target, key: serverSupport.caseMapping.fold(target)) else {
            return [.emit(.error(history.pendingContext != nil ? "/context: the last one is still on its way; try again"
                                                                : "/context: the history of \(target) is still loading; try again"))]
        }
        return [.send(request)]
    }

    /// `/search`: the server's `SEARCH` where offered (``ClientEvent/searchResults(query:target:results:)``
    /// follows), else that event at once with `nil` results so that the front end searches locally.
    public mutating func search(_ text: String, in target: String?) -> [ClientAction] {
        guard case .registered(let session) = state, session.capabilities.contains("soju.im/search") else {
            return [.emit(.searchResults(query: text, target: target, results: nil))]
        }
        guard let request = history.search(text, in: target) else {
            return [.emit(.error("A search is already running"))]
        }
        return [.send(request)]
    }

    /// `/register PASSWORD`: an account named after the current nick (`REGISTER * * PASSWORD`).
    public func registerAccount(password: String) -> [ClientAction] {
        sendCommand(IRCMessage("REGISTER", "*", "*", password))
    }

    /// `/identify`: logs in to an account with SASL `PLAIN` after registration (asking for the
    /// `sasl` capability first when it is not enabled).
    public mutating func identify(_ login: SASLLogin) -> [ClientAction] {
        guard case .registered(var session) = state else { return [.emit(.error("Not connected"))] }
        session.pendingLogin = login
        let capable = session.capabilities.contains("sasl")
        state = .registered(session)
        return (capable ? [] : [.send(IRCMessage("CAP", "REQ", "sasl"))]) + [.send(IRCMessage("AUTHENTICATE", "PLAIN"))]
    }

    public func sendCommand(_ message: IRCMessage) -> [ClientAction] {
        let invalid = [ClientAction.emit(.error("Invalid \(message.command): \(message.parameters.joined(separator: " "))"))]
        for parameter in message.parameters.dropLast() where !Self.isValidParameter(parameter) { return invalid }
        if let last = message.parameters.last, last.utf8.contains(where: { $0 == 0 || $0 == 13 || $0 == 10 }) {
            return invalid
        }
        return registeredOnly { [.send(message)] }
    }

    /// Sends a raw protocol line typed by the user (`/quote`).
    public func sendRaw(_ line: String) -> [ClientAction] {
        let message: IRCMessage
        do {
            message = try IRCMessage.parse(line)
        } catch {
            return [.emit(.error("Invalid raw line (\(error)): \(line)"))]
        }
        switch state {
        case .registering, .registered:
            return [.send(message)]
        case .disconnected, .connecting, .closing, .reconnecting:
            return [.emit(.error("Not connected"))]
        case .modifying:
            preconditionFailure("invalid state")
        }
    }
}
