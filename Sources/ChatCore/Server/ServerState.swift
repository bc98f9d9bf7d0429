/// The whole chat state of one server — clients, nicks, channels — as a plain value.
///
/// The I/O layer feeds it events (a client connected, sent a message, went away) and carries out
/// the returned ``ServerAction``s. It does no I/O, reads no clock (time is passed in) and holds no
/// references to connections, so every behaviour is tested by driving it as a value.
///
/// Ordering: events are handled one at a time; the actions of one event are returned in the order
/// they must reach each client, so replies come back in the order commands were sent and every
/// member of a channel sees that channel's events in the same order.
public struct ServerState: Sendable {
    public let configuration: ServerConfiguration
    public let created: Timestamp
    var clients = ChunkedArray<ClientRecord?>()
    private var freeIDs: [Int] = []
    /// Folded nick → client, for registered and registering clients alike.
    var nicks: [String: ClientID] = [:]
    /// Folded channel name → channel.
    var channels: [String: ChannelState] = [:]
    /// With a history store: channels without members whose topic and modes are kept, by folded
    /// name (restored at start, and every channel that emptied since). Joining one brings it back.
    var dormantChannels: [String: ChannelSnapshot] = [:]
    /// With a history store: read markers by folded nick, then folded target.
    var readMarkers: [String: [String: Timestamp]] = [:]
    private var messageCounter: UInt64 = 0
    /// The last `time` tag value: events within one millisecond share it.
    private var timeTagCache: (instant: Timestamp, text: String) = (Timestamp(millisecondsSinceEpoch: .min), "")
    /// Registered local clients.
    public internal(set) var registeredCount = 0
    /// Clients of other servers, known through links.
    public internal(set) var remoteCount = 0
    /// Registered clients with user mode `+i`, and server operators (kept for LUSERS, which every
    /// registration sends: counting them would cost a pass over all clients each time).
    public internal(set) var invisibleCount = 0
    public internal(set) var operatorCount = 0
    /// Network-wide user id → client: remote clients, and local ones on a federated server.
    var uids: [String: ClientID] = [:]
    private var uidCounter: UInt64 = 0
    /// Other servers of the network (name → description), for LINKS and LUSERS.
    public internal(set) var linkedServers: [String: String] = [:]
    /// Registered accounts by folded name (with ``ServerConfiguration/accounts``).
    var accounts: [String: Account] = [:]
    /// The TLS client certificate each connection presented (SHA-256 fingerprint), for `EXTERNAL`.
    var clientCertificates: [ClientID: String] = [:]
    /// SASL exchanges under way (few at a time, so not in every client's record).
    var saslExchanges: [ClientID: SASLExchange] = [:]
    /// Clients using a nick an account owns without being logged in to it: when their grace ends.
    var nickDeadlines: [ClientID: Timestamp] = [:]
    /// Account names being registered (their credentials are being derived).
    var pendingRegistrations: Set<String> = []
    /// Failed authentications per address in the current minute.
    var hostAuthenticationFailures: [String: (count: Int, since: Timestamp)] = [:]
    /// Failed authentications since start (a statistic).
    public internal(set) var failedAuthentications = 0
    /// Numbers the `GuestN` nicks of renamed clients.
    var guestCounter = 0
    /// Folded nick → the clients monitoring it (`MONITOR`), and each client's list in order.
    var monitors: [String: Set<ClientID>] = [:]
    var monitorLists: [ClientID: [String]] = [:]
    /// Who sent the latest messages where (`REDACT`).
    var recentMessages = RecentMessages()
    /// Each client's open `draft/multiline` batch, and whether it was already refused.
    var multilineBatches: [ClientID: (batch: MultilineBatch, failed: Bool)] = [:]
    /// Nicks given up (quit or changed), for `WHOWAS`.
    public internal(set) var nickHistory = NickHistory()
    /// Local clients that quit or were dropped but whose connection is not closed yet: no longer
    /// users, not yet gone (LUSERS counts them nowhere).
    var closingCount = 0

    /// The `sts` policy `CAP LS` announces (the configured one, with the TLS listener's real port).
    public private(set) var strictTransportSecurity: STSPolicy?

    public init(configuration: ServerConfiguration, now: Timestamp) {
        self.configuration = configuration
        self.created = now
        self.strictTransportSecurity = configuration.strictTransportSecurity
    }

    /// The TLS listener is bound to `port` (the configured one may have been 0): `sts` names it.
    public mutating func tlsListenerBound(port: Int) {
        strictTransportSecurity?.port = port
    }

    // MARK: Queries used by the I/O layer and tests

    public func client(_ id: ClientID) -> ClientRecord? {
        id.rawValue < clients.count ? clients[id.rawValue] : nil
    }

    /// Hot path of every delivery: reads one field without copying the client's record.
    public func tagClass(of id: ClientID) -> TagClass {
        guard id.rawValue < clients.count else { return .none }
        return clients[id.rawValue]?.capabilities.tagClass ?? .none
    }

    public func channel(named name: String) -> ChannelState? {
        channels[CaseMapping.fold(name)]
    }

    public func clientID(nick: String) -> ClientID? {
        nicks[CaseMapping.fold(nick)]
    }

    public var channelCount: Int { channels.count }
    /// Local connections (registered or not).
    public var connectionCount: Int { clients.count - freeIDs.count - remoteCount - closingCount }

    // MARK: Events

    /// A connection was accepted. Returns the id under which the I/O layer files it.
    /// - Parameter secure: the connection is TLS.
    public mutating func clientConnected(host: String, secure: Bool = false, now: Timestamp) -> ClientID {
        uidCounter += 1
        let uid = configuration.messageIDPrefix + "u" + String(uidCounter, radix: 36)
        let server = configuration.name
        let id = allocate {
            var record = ClientRecord(id: $0, host: host, connected: now, server: server, uid: uid)
            record.secure = secure
            return record
        }
        // Only a federated server looks clients up by uid (its peers' events name them so, and a
        // peer must not introduce a uid taken here); alone, the table would only cost memory.
        if configuration.federated { uids[uid] = id }
        return id
    }

    /// Files a record in a free slot (or a new one) and returns its id.
    mutating func allocate(_ make: (ClientID) -> ClientRecord) -> ClientID {
        if let free = freeIDs.popLast() {
            clients[free] = make(ClientID(free))
            return ClientID(free)
        }
        let id = ClientID(clients.count)
        clients.append(make(id))
        return id
    }

    /// Frees a slot for reuse.
    mutating func release(_ id: ClientID) {
        if let record = client(id), uids[record.uid] == id { uids[record.uid] = nil }
        if let record = client(id), record.quitting, !record.isRemote { closingCount -= 1 }
        saslExchanges[id] = nil
        if monitorLists[id] != nil { clearMonitor(id) }
        multilineBatches[id] = nil
        nickDeadlines[id] = nil
        clientCertificates[id] = nil
        clients[id.rawValue] = nil
        freeIDs.append(id.rawValue)
    }

    /// The connection is gone (closed by either side). Peers see a `QUIT` unless the client
    /// already quit; the id may be reused afterwards.
    public mutating func clientDisconnected(_ id: ClientID, reason: String, now: Timestamp) -> [ServerAction] {
        guard client(id) != nil else { return [] }
        var actions: [ServerAction] = []
        removeClient(id, quitMessage: reason, now: now, into: &actions)
        release(id)
        return actions
    }

    /// The server cut the client off (its SendQ overflowed): peers see it quit now; the id is
    /// released when the connection has closed (``clientDisconnected(_:reason:now:)``).
    public mutating func clientDropped(_ id: ClientID, reason: String, now: Timestamp) -> [ServerAction] {
        guard client(id) != nil else { return [] }
        var actions: [ServerAction] = []
        removeClient(id, quitMessage: reason, now: now, into: &actions)
        return actions
    }

    /// A line that could not be parsed: answer with a clear error and change nothing else.
    public mutating func invalidLineReceived(_ error: IRCParseError, from id: ClientID) -> [ServerAction] {
        guard let client = client(id), !client.quitting else { return [] }
        var actions: [ServerAction] = []
        switch error.base {
        case .lineTooLong, .tagsTooLong:
            reply(id, Numeric.inputTooLong, "Input line was too long", into: &actions)
        case .invalidUTF8:
            actions.append(.send(IRCMessage(source: configuration.name, "FAIL", "*", "INVALID_UTF8",
                                            "Message rejected: invalid UTF-8 (this server requires UTF-8)"), to: id))
        case .empty:
            break
        case .missingCommand, .invalidCommand, .forbiddenCharacter, .malformedTags, .malformedSource:
            actions.append(.send(IRCMessage(source: configuration.name, "FAIL", "*", "INVALID_MESSAGE",
                                            "Malformed message: \(error)"), to: id))
        }
        return actions
    }

    /// One parsed message from a client.
    public mutating func messageReceived(_ message: IRCMessage, from id: ClientID, now: Timestamp) -> [ServerAction] {
        // Fields are read and written in place: copying the record (and retaining its strings)
        // for every line showed up in profiles.
        guard id.rawValue < clients.count, clients[id.rawValue]?.quitting == false else { return [] }
        var actions: [ServerAction] = []
        let registered = clients[id.rawValue]!.isRegistered
        if registered, message.command == "PRIVMSG" || message.command == "NOTICE" {
            clients[id.rawValue]!.lastMessage = now
        }
        switch message.command {
        case "CAP": handleCap(message, from: id, now: now, into: &actions)
        case "PASS": handlePass(message, from: id, now: now, into: &actions)
        case "NICK": handleNick(message, from: id, now: now, into: &actions)
        case "USER": handleUser(message, from: id, now: now, into: &actions)
        case "PING": handlePing(message, from: id, into: &actions)
        case "PONG": break
        case "QUIT": handleQuit(message, from: id, now: now, into: &actions)
        case "AUTHENTICATE": handleAuthenticate(message, from: id, now: now, into: &actions)
        case "REGISTER": handleRegister(message, from: id, now: now, into: &actions)
        default:
            guard registered else {
                reply(id, Numeric.notRegistered, "You have not registered", into: &actions)
                return actions
            }
            dispatchRegistered(message, from: id, now: now, into: &actions)
        }
        // BATCH labels its own answers (the echo of a multiline message is itself a batch).
        if let label = message.tag("label"), message.command != "BATCH", client(id)?.capabilities.contains(.labeledResponse) == true {
            return LabeledResponse.wrap(actions, for: id, label: label, batch: client(id)!.capabilities.contains(.batch),
                                       source: configuration.name, batchReference: nextMessageID())
        }
        return actions
    }

    private mutating func dispatchRegistered(_ message: IRCMessage, from id: ClientID, now: Timestamp,
                                             into actions: inout [ServerAction]) {
        if let reference = message.tag("batch"), multilineLine(message, reference: reference, from: id, into: &actions) {
            return
        }
        switch message.command {
        case "PRIVMSG", "NOTICE", "TAGMSG": handleMessage(message, from: id, now: now, into: &actions)
        case "JOIN": handleJoin(message, from: id, now: now, into: &actions)
        case "PART": handlePart(message, from: id, now: now, into: &actions)
        case "TOPIC": handleTopic(message, from: id, now: now, into: &actions)
        case "NAMES": handleNames(message, from: id, into: &actions)
        case "MODE": handleMode(message, from: id, now: now, into: &actions)
        case "KICK": handleKick(message, from: id, now: now, into: &actions)
        case "INVITE": handleInvite(message, from: id, into: &actions)
        case "AWAY": handleAway(message, from: id, into: &actions)
        case "WHO": handleWho(message, from: id, now: now, into: &actions)
        case "WHOIS": handleWhois(message, from: id, now: now, into: &actions)
        case "LIST": handleList(message, from: id, into: &actions)
        case "MOTD": sendMOTD(to: id, into: &actions)
        case "LUSERS": sendLusers(to: id, into: &actions)
        case "LINKS": handleLinks(from: id, into: &actions)
        case "VERSION": reply(id, "351", configuration.version, configuration.name, configuration.description, into: &actions)
        case "OPER": handleOper(message, from: id, into: &actions)
        case "KILL": handleKill(message, from: id, now: now, into: &actions)
        case "WALLOPS": handleWallops(message, from: id, into: &actions)
        case "WHOWAS": handleWhowas(message, from: id, into: &actions)
        case "TIME": handleTime(from: id, now: now, into: &actions)
        case "INFO": handleInfo(from: id, into: &actions)
        case "HELP", "HELPOP": handleHelp(message, from: id, into: &actions)
        case "USERHOST": handleUserhost(message, from: id, into: &actions)
        case "ISON": handleIson(message, from: id, into: &actions)
        case "CHATHISTORY", "SEARCH": handleHistoryRequest(message, from: id, into: &actions)
        case "MARKREAD": handleMarkRead(message, from: id, into: &actions)
        case "CERTFP": handleCertFP(message, from: id, into: &actions)
        case "SETNAME": handleSetname(message, from: id, into: &actions)
        case "CHGHOST": handleChghost(message, from: id, now: now, into: &actions)
        case "MONITOR": handleMonitor(message, from: id, into: &actions)
        case "BATCH": handleBatch(message, from: id, now: now, into: &actions)
        case "REDACT": handleRedact(message, from: id, into: &actions)
        default:
            reply(id, Numeric.unknownCommand, message.command, "Unknown command", into: &actions)
        }
    }

    // MARK: Shared helpers

    /// Appends a numeric reply `:<server> <numeric> <nick> <parameters…>`.
    func reply(_ id: ClientID, _ numeric: String, _ parameters: String..., into actions: inout [ServerAction]) {
        let nick = client(id)?.nick ?? "*"
        actions.append(.send(IRCMessage(source: configuration.name, command: numeric, parameters: [nick] + parameters), to: id))
    }

    func needMoreParams(_ id: ClientID, _ command: String, into actions: inout [ServerAction]) {
        reply(id, Numeric.needMoreParams, command, "Not enough parameters", into: &actions)
    }

    func noSuchChannel(_ id: ClientID, _ channel: String, into actions: inout [ServerAction]) {
        reply(id, Numeric.noSuchChannel, channel, "No such channel", into: &actions)
    }

    func notOnChannel(_ id: ClientID, _ channel: String, into actions: inout [ServerAction]) {
        reply(id, Numeric.notOnChannel, channel, "You're not on that channel", into: &actions)
    }

    func notChannelOperator(_ id: ClientID, _ channel: String, into actions: inout [ServerAction]) {
        reply(id, Numeric.chanOpPrivsNeeded, channel, "You're not channel operator", into: &actions)
    }

    /// A unique message id: this server's prefix and a counter in base 36.
    mutating func nextMessageID() -> String {
        messageCounter += 1
        return configuration.messageIDPrefix + String(messageCounter, radix: 36)
    }

    /// The tags every broadcast event carries: `time`, and `msgid` for messages.
    mutating func eventTags(now: Timestamp, messageID: Bool) -> [IRCMessage.Tag] {
        if timeTagCache.instant != now {
            timeTagCache = (now, now.iso8601)
        }
        var tags = [IRCMessage.Tag("time", timeTagCache.text)]
        if messageID { tags.append(IRCMessage.Tag("msgid", nextMessageID())) }
        return tags
    }

    /// Keeps a registered client's nick for `WHOWAS` as it gives it up.
    mutating func rememberNick(of record: ClientRecord, now: Timestamp) {
        nickHistory.remember(NickHistory.Entry(nick: record.nick, user: record.user, host: record.host, realName: record.realName,
                                               server: record.server.isEmpty ? configuration.name : record.server, time: now))
    }

    /// Every client sharing a channel with `id` (each once), plus `id` itself first.
    func peers(of id: ClientID, includingSelf: Bool) -> [ClientID] {
        guard let record = client(id) else { return [] }
        var seen: Set<ClientID> = [id]
        var result: [ClientID] = includingSelf ? [id] : []
        for name in record.channels.sorted() {
            for member in channels[name]?.members ?? [] where seen.insert(member).inserted {
                result.append(member)
            }
        }
        return result
    }

    /// Removes a client from every channel and the nick index, telling its peers it quit.
    mutating func removeClient(_ id: ClientID, quitMessage: String, now: Timestamp, into actions: inout [ServerAction]) {
        guard var record = client(id), !record.quitting else { return }
        if record.isRegistered {
            rememberNick(of: record, now: now)
            monitorOffline(record.nick, except: id, into: &actions)
            let recipients = peers(of: id, includingSelf: false)
            let quit = IRCMessage(tags: eventTags(now: now, messageID: keepsHistory), source: record.prefix,
                                  command: "QUIT", parameters: [quitMessage])
            if !recipients.isEmpty {
                actions.append(.deliver(quit, to: recipients, except: nil))
            }
            self.record(quit, inChannels: record.channels.sorted(), now: now, into: &actions)
            if record.invisible { invisibleCount -= 1 }
            if record.isOperator { operatorCount -= 1 }
            if record.isRemote {
                remoteCount -= 1
            } else {
                registeredCount -= 1
                propagate(quit, actor: id, into: &actions)
            }
        }
        for name in record.channels {
            channels[name]?.remove(id)
            if let channel = channels[name], channel.members.isEmpty {
                channelEmptied(channel, folded: name)
                channels[name] = nil
            }
        }
        for name in channels.keys where channels[name]!.invited.contains(id) {
            channels[name]!.invited.remove(id)
        }
        record.channels = []
        if record.nick != "*", nicks[CaseMapping.fold(record.nick)] == id {
            nicks[CaseMapping.fold(record.nick)] = nil
        }
        record.quitting = true
        if !record.isRemote { closingCount += 1 }
        clients[id.rawValue] = record
    }
}
