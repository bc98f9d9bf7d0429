extension ServerState {
    // MARK: - History

    /// Keeps `message` (as delivered, with its `msgid`) in the history of `conversation`, when the
    /// server has a store. The time is `now` for what this server originates (its `time` tag says
    /// the same) and the `time` tag for what other servers relay.
    func record(_ message: IRCMessage, in conversation: String, now: Timestamp, relayed: Bool = false,
                into actions: inout [ServerAction]) {
        guard configuration.historyLimit != nil, message.tag("msgid") != nil else { return }
        let time = relayed ? message.tag("time").flatMap(ServerTime.parse) ?? now : now
        actions.append(.record(HistoryRecord(conversation: conversation, time: time, message: message)))
    }

    /// Whether events (JOIN, PART, …) carry a `msgid`: with a store, so that they can be replayed
    /// (`draft/event-playback`) and referenced.
    var keepsHistory: Bool { configuration.historyLimit != nil }

    /// Keeps a channel event (`JOIN`, `PART`, `QUIT`, `NICK`, …) in the history of each of `channels`
    /// (folded names).
    func record<Channels: Sequence<String>>(_ event: IRCMessage, inChannels channels: Channels, now: Timestamp,
                                            relayed: Bool = false, into actions: inout [ServerAction]) {
        guard keepsHistory else { return }
        for folded in channels {
            record(event, in: folded, now: now, relayed: relayed, into: &actions)
        }
    }

    /// `CHATHISTORY` and `SEARCH` (`soju.im/search`): checks the request and who may read the
    /// conversation, then asks the store.
    ///
    /// A channel's history is readable by its members only; a private conversation by its two
    /// participants only (the key is built from the asker's own nick, so nobody can name another's).
    /// A `SEARCH` without `in=` and `TARGETS` cover the client's channels and its own private
    /// conversations.
    mutating func handleHistoryRequest(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard let maximum = configuration.historyLimit else {
            reply(id, Numeric.unknownCommand, message.command, "Unknown command", into: &actions)
            return
        }
        let parsed = message.command == "SEARCH"
            ? HistoryQuery.parseSearch(message.parameters, maximumLimit: maximum)
            : HistoryQuery.parse(message.parameters, maximumLimit: maximum)
        let query: HistoryQuery
        switch parsed {
        case .success(let value): query = value
        case .failure(let failure):
            actions.append(.send(failure.message(source: configuration.name), to: id))
            return
        }
        let record = client(id)!
        var conversation = ""
        if !query.target.isEmpty {
            if query.target.hasPrefix("#") {
                let folded = CaseMapping.fold(query.target)
                guard record.channels.contains(folded) else {
                    let failure = HistoryQuery.Failure(command: query.command, code: "INVALID_TARGET",
                                                       context: [query.subcommand, query.target],
                                                       description: "You are not on that channel")
                    actions.append(.send(failure.message(source: configuration.name), to: id))
                    return
                }
                conversation = HistoryConversation.channel(query.target)
            } else {
                conversation = HistoryConversation.between(record.nick, query.target)
            }
        }
        let label = record.capabilities.contains(.labeledResponse) ? message.tag("label") : nil
        actions.append(.queryHistory(HistoryRequest(client: id, uid: record.uid, query: query, conversation: conversation,
                                                    channels: record.channels.sorted(), nick: record.nick, label: label,
                                                    eventPlayback: record.capabilities.contains(.eventPlayback))))
    }

    // MARK: - Channels that outlive their members

    /// The channels the store kept from earlier runs; they come back when someone joins.
    public mutating func restore(_ snapshots: [ChannelSnapshot]) {
        for snapshot in snapshots where channels[CaseMapping.fold(snapshot.name)] == nil {
            dormantChannels[CaseMapping.fold(snapshot.name)] = snapshot
        }
    }

    /// A channel to create for a first joiner: the kept one if there is one, else a new one.
    mutating func newChannel(_ name: String, folded: String, now: Timestamp) -> (channel: ChannelState, restored: Bool) {
        if let snapshot = dormantChannels.removeValue(forKey: folded) {
            return (snapshot.channel, true)
        }
        return (ChannelState(name: name, created: now), false)
    }

    /// The channel's topic or modes changed (or it was created): the store keeps them.
    func channelChanged(_ folded: String, into actions: inout [ServerAction]) {
        guard configuration.historyLimit != nil, let channel = channels[folded] else { return }
        actions.append(.saveChannel(ChannelSnapshot(channel)))
    }

    /// A channel lost its last member: with a store it stays, dormant, with its topic and modes.
    mutating func channelEmptied(_ channel: ChannelState, folded: String) {
        guard configuration.historyLimit != nil else { return }
        dormantChannels[folded] = ChannelSnapshot(channel)
    }

    // MARK: - Read markers

    /// The read markers the store kept.
    public mutating func restore(_ markers: [ReadMarker]) {
        for marker in markers {
            readMarkers[marker.owner, default: [:]][marker.target] = marker.time
        }
    }

    /// `MARKREAD <target> [timestamp=…]` (`draft/read-marker`): without a timestamp, the marker is
    /// reported; with one, it moves forward (never back) and every connection of the user learns it.
    mutating func handleMarkRead(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard keepsHistory else {
            reply(id, Numeric.unknownCommand, message.command, "Unknown command", into: &actions)
            return
        }
        func fail(_ code: String, _ context: [String], _ description: String) {
            actions.append(.send(IRCMessage(source: configuration.name, command: "FAIL",
                                            parameters: ["MARKREAD", code] + context + [description]), to: id))
        }
        guard let target = message.parameters.first, !target.isEmpty else {
            fail("NEED_MORE_PARAMS", [], "Missing target")
            return
        }
        let owner = CaseMapping.fold(client(id)!.nick)
        let key = CaseMapping.fold(target)
        if message.parameters.count >= 2 {
            let value = message.parameters[1]
            guard value.hasPrefix("timestamp="), let time = ServerTime.parse(String(value.dropFirst(10))) else {
                fail("INVALID_PARAMS", [target, value], "Expected timestamp=YYYY-MM-DDThh:mm:ss.sssZ")
                return
            }
            if readMarkers[owner]?[key].map({ time > $0 }) ?? true {
                readMarkers[owner, default: [:]][key] = time
                actions.append(.saveReadMarker(ReadMarker(owner: owner, target: key, time: time)))
                // Every server keeps it, so the marker is there after a failover.
                propagate(IRCMessage("MARKREAD", target, value), actor: id, into: &actions)
            }
        }
        actions.append(.send(markRead(target, owner: owner), to: id))
    }

    /// How far `owner` (a nick) has read `target`, if known.
    public func readMarker(owner: String, target: String) -> Timestamp? {
        readMarkers[CaseMapping.fold(owner)]?[CaseMapping.fold(target)]
    }

    /// A read marker moved on another server: kept here too (only forward).
    mutating func remoteMarkRead(_ event: IRCMessage, actor: ClientID, into actions: inout [ServerAction]) {
        guard keepsHistory, event.parameters.count >= 2, let record = client(actor),
              event.parameters[1].hasPrefix("timestamp="),
              let time = ServerTime.parse(String(event.parameters[1].dropFirst(10))) else { return }
        let owner = CaseMapping.fold(record.nick)
        let key = CaseMapping.fold(event.parameters[0])
        guard readMarkers[owner]?[key].map({ time > $0 }) ?? true else { return }
        readMarkers[owner, default: [:]][key] = time
        actions.append(.saveReadMarker(ReadMarker(owner: owner, target: key, time: time)))
    }

    /// `MARKREAD <target> timestamp=…` (or `*` when nothing was read yet) for `owner`.
    func markRead(_ target: String, owner: String) -> IRCMessage {
        let time = readMarkers[owner]?[CaseMapping.fold(target)]
        return IRCMessage(source: configuration.name, command: "MARKREAD",
                          parameters: [target, time.map { "timestamp=" + $0.iso8601 } ?? "*"])
    }
}
