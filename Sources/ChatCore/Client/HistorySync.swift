/// The client's side of `draft/chathistory`: what to ask for when a conversation (re)opens, and how
/// replayed and live messages merge so that the transcript has no gap, no duplicate, and keeps the
/// server's order.
///
/// - On the first join of a channel: the newest ``Configuration/latestOnJoin`` messages (`LATEST`).
/// - On every later join (a reconnect, a failover to another server of the network): everything
///   after the last `msgid` shown (`AFTER`), page by page.
/// - While such a request is open, live messages of that conversation wait; when the replay ends
///   they follow it. A message seen twice (in the replay and live) is shown once.
///
/// A value: events in, messages to send and events to show out.
struct HistorySync: Sendable, Hashable {
    struct Configuration: Sendable, Hashable {
        /// Messages to show above a channel on its first join; 0 for none (line mode).
        var latestOnJoin: Int
        /// Messages asked for per `AFTER` page when catching up.
        var pageSize: Int
    }

    /// A conversation waiting for its replay to end.
    struct Pending: Sendable, Hashable {
        var target: String
        /// Whether this is a catch-up (`AFTER`) rather than a first look (`LATEST`).
        var resuming: Bool
        var replayed = 0
        var buffered: [ClientEvent] = []
    }

    /// Message ids recently shown in one conversation (a bounded window).
    struct RecentIDs: Sendable, Hashable {
        private var order: [String] = []
        private var members: Set<String> = []
        static let capacity = 4096

        mutating func insert(_ id: String) -> Bool {
            guard members.insert(id).inserted else { return false }
            order.append(id)
            if order.count > Self.capacity {
                let dropped = order.count - Self.capacity / 2
                for old in order.prefix(dropped) { members.remove(old) }
                order.removeFirst(dropped)
            }
            return true
        }
    }

    let configuration: Configuration
    /// The last `msgid` shown per conversation key (kept across reconnects).
    private(set) var lastSeen: [String: String] = [:]
    private var recent: [String: RecentIDs] = [:]
    /// Open `chathistory` batches: batch id → conversation key.
    private var batches: [String: String] = [:]
    /// The oldest `msgid` shown per conversation key: where the next older page starts.
    private(set) var oldestSeen: [String: String] = [:]
    /// Conversations with an older page asked for: key → target name.
    private var olderRequested: [String: String] = [:]
    /// An open batch of an older page.
    struct OlderBatch: Sendable, Hashable {
        var key: String
        var events: [ClientEvent] = []
    }

    /// Open batches of older pages, by batch id.
    private var olderBatches: [String: OlderBatch] = [:]
    struct PendingSearch: Sendable, Hashable {
        var query: String
        var target: String?
    }

    struct SearchBatch: Sendable, Hashable {
        var id: String
        var results: [ChatMessage] = []
    }

    /// The search asked of the server and not answered yet (one at a time).
    private(set) var pendingSearch: PendingSearch?
    /// The open `soju.im/search` batch and what it brought so far.
    private var searchBatch: SearchBatch?

    /// Messages shown around a search result (``context(of:in:key:)``): as many before as after.
    static let contextSize = 21

    /// The conversation around a message asked for and not answered yet (one at a time).
    struct PendingContext: Sendable, Hashable {
        var target: String
        var key: String
        var msgid: String
        /// The `chathistory` batch bringing it, once it started.
        var batch: String?
        var events: [ClientEvent] = []
    }

    private(set) var pendingContext: PendingContext?

    /// `/context`: the `CHATHISTORY AROUND` to send for the messages around `msgid` in `target`, or
    /// `nil` while another request of that conversation (or another context) is open, since the
    /// answers could not be told apart.
    mutating func context(of msgid: String, in target: String, key: String) -> IRCMessage? {
        guard pendingContext == nil, pending[key] == nil, olderRequested[key] == nil else { return nil }
        pendingContext = PendingContext(target: target, key: key, msgid: msgid)
        return IRCMessage("CHATHISTORY", "AROUND", target, "msgid=" + msgid, String(Self.contextSize))
    }

    /// The server refused the open `/context` request without naming its target.
    mutating func contextFailed() -> [ClientEvent] {
        guard let context = pendingContext else { return [] }
        pendingContext = nil
        return [.historyContext(target: context.target, msgid: context.msgid, events: [])]
    }

    /// `/search`: the `SEARCH` to send, or `nil` while another one is open.
    mutating func search(_ text: String, in target: String?) -> IRCMessage? {
        guard pendingSearch == nil else { return nil }
        pendingSearch = PendingSearch(query: text, target: target)
        var attributes = [IRCMessage.Tag("text", text)]
        if let target { attributes.insert(IRCMessage.Tag("in", target), at: 0) }
        // The attributes are escaped as a tag section is; the serialiser does exactly that.
        let serialized = IRCMessage(tags: attributes, command: "X").serialized()
        let section = serialized.dropFirst().prefix { $0 != " " }
        return IRCMessage("SEARCH", String(section))
    }
    private(set) var pending: [String: Pending] = [:]

    init(configuration: Configuration) {
        self.configuration = configuration
    }

    /// The key of a conversation: the folded channel name or nick (`nil` for the server buffer).
    static func key(_ conversation: Conversation, _ mapping: CaseMapping) -> String? {
        switch conversation {
        case .channel(let name), .privateChat(let name): mapping.fold(name)
        case .server: nil
        }
    }

    // MARK: - Events

    /// We joined `target` (or reopened a private conversation): the request to send, if any.
    mutating func opened(_ target: String, key: String, supported: Bool) -> IRCMessage? {
        guard supported, pending[key] == nil else { return nil }
        if let last = lastSeen[key] {
            pending[key] = Pending(target: target, resuming: true)
            return IRCMessage("CHATHISTORY", "AFTER", target, "msgid=" + last, String(configuration.pageSize))
        }
        guard configuration.latestOnJoin > 0 else { return nil }
        pending[key] = Pending(target: target, resuming: false)
        return IRCMessage("CHATHISTORY", "LATEST", target, "*", String(configuration.latestOnJoin))
    }

    /// Conversations we talked in before and are not in a channel of: caught up after registration.
    func privateConversationsToResume(channels: (String) -> Bool) -> [String] {
        lastSeen.keys.filter { !channels($0) }.sorted()
    }

    /// Whether the private conversations of earlier runs were asked for (`TARGETS`, once per run).
    private(set) var askedForTargets = false

    /// After the first registration of a run: the private conversations of the last week, so that
    /// their buffers come back after a restart of the client. `nil` when not wanted.
    mutating func targetsRequest(now: Timestamp, supported: Bool) -> IRCMessage? {
        guard supported, !askedForTargets, configuration.latestOnJoin > 0 else { return nil }
        askedForTargets = true
        let week: Int64 = 7 * 86_400_000
        return IRCMessage("CHATHISTORY", "TARGETS",
                          "timestamp=" + Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch - week).iso8601,
                          "timestamp=" + Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 86_400_000).iso8601,
                          "50")
    }

    /// One `CHATHISTORY TARGETS <name> <time>` line: a private conversation we have no buffer
    /// for gets its latest messages.
    mutating func targetListed(_ name: String, isChannel: Bool, _ mapping: CaseMapping) -> IRCMessage? {
        let key = mapping.fold(name)
        guard !isChannel, lastSeen[key] == nil else { return nil }
        return opened(name, key: key, supported: true)
    }

    /// Whether an older page of `key` was asked for and has not come back.
    func isFetchingOlder(_ key: String) -> Bool { olderRequested[key] != nil }

    /// The user scrolled past the oldest line of `target`: the page before it, or `nil` when a page
    /// is already on its way or nothing was shown yet to page back from.
    mutating func olderPage(_ target: String, key: String, supported: Bool) -> IRCMessage? {
        guard supported, olderRequested[key] == nil, let oldest = oldestSeen[key] else { return nil }
        olderRequested[key] = target
        return IRCMessage("CHATHISTORY", "BEFORE", target, "msgid=" + oldest, String(configuration.pageSize))
    }

    /// `BATCH +id type parameters…`.
    mutating func batchStarted(id: String, type: String, parameters: [String], _ mapping: CaseMapping) {
        if type == "soju.im/search", pendingSearch != nil {
            searchBatch = SearchBatch(id: id)
            return
        }
        guard type == "chathistory", let target = parameters.first else { return }
        let key = mapping.fold(target)
        if pendingContext?.key == key, pendingContext?.batch == nil {
            pendingContext!.batch = id
            return
        }
        if olderRequested[key] != nil, pending[key] == nil {
            olderBatches[id] = OlderBatch(key: key)
        } else {
            batches[id] = key
        }
    }

    /// A chat event (message, notice, action) of conversation `key`, with its `msgid` and `batch` tags.
    /// Returns what to show now.
    mutating func chat(_ event: ClientEvent, key: String?, msgid: String?, batch: String?) -> [ClientEvent] {
        if let batch, searchBatch?.id == batch {
            if let message = event.chatMessage { searchBatch!.results.append(message) }
            return []
        }
        if let batch, pendingContext?.batch == batch {
            pendingContext!.events.append(Self.markedAsHistory(event))
            return []
        }
        guard let key else { return [event] }
        if let batch, let older = olderBatches[batch] {
            // An older page: collected, shown above everything at its end; the newest seen stays.
            if let msgid {
                guard recent[older.key, default: RecentIDs()].insert(msgid) else { return [] }
                oldestSeen[older.key] = older.events.isEmpty ? msgid : oldestSeen[older.key]
            }
            olderBatches[batch]!.events.append(Self.markedAsHistory(event))
            return []
        }
        if let batch, let replayKey = batches[batch] {
            // Replayed: shown now, ahead of the live messages that wait. Missed messages of a
            // catch-up are new to the user; the latest messages shown on a first join are not.
            guard isNew(msgid, in: replayKey) else { return [] }
            pending[replayKey]?.replayed += 1
            return pending[replayKey]?.resuming == true ? [event] : [Self.markedAsHistory(event)]
        }
        if pending[key] != nil {
            pending[key]!.buffered.append(event)
            return []
        }
        return isNew(msgid, in: key) ? [event] : []
    }

    /// Whether batch `id` brings lines from the server's history (a replay, an older page, a
    /// context or search results) rather than live ones.
    func isHistoryBatch(_ id: String) -> Bool {
        batches[id] != nil || olderBatches[id] != nil || pendingContext?.batch == id || searchBatch?.id == id
    }

    /// `BATCH -id`: the replay ended. Returns the next page to ask for (when the page was full) or
    /// the events that waited, then a ``ClientEvent/historyReplayed(target:count:resumed:)``.
    mutating func batchEnded(id: String) -> (request: IRCMessage?, events: [ClientEvent]) {
        if let search = searchBatch, search.id == id, let asked = pendingSearch {
            searchBatch = nil
            pendingSearch = nil
            return (nil, [.searchResults(query: asked.query, target: asked.target, results: search.results)])
        }
        if let context = pendingContext, context.batch == id {
            pendingContext = nil
            return (nil, [.historyContext(target: context.target, msgid: context.msgid, events: context.events)])
        }
        if let older = olderBatches.removeValue(forKey: id) {
            let target = olderRequested.removeValue(forKey: older.key) ?? older.key
            return (nil, [.olderHistory(target: target, events: older.events)])
        }
        guard let key = batches.removeValue(forKey: id), var waiting = pending[key] else { return (nil, []) }
        if waiting.resuming, waiting.replayed >= configuration.pageSize, let last = lastSeen[key] {
            waiting.replayed = 0
            pending[key] = waiting
            return (IRCMessage("CHATHISTORY", "AFTER", waiting.target, "msgid=" + last, String(configuration.pageSize)), [])
        }
        return (nil, finish(key))
    }

    /// `FAIL CHATHISTORY <code> <subcommand> <target>`: the history cannot be had; what waited is shown.
    mutating func failed(target: String, _ mapping: CaseMapping) -> [ClientEvent] {
        let key = mapping.fold(target)
        if pendingContext?.key == key { return contextFailed() }
        if let name = olderRequested.removeValue(forKey: key) {
            return [.olderHistory(target: name, events: [])]
        }
        return finish(key)
    }

    /// The connection is gone: nothing more will arrive for the open requests; show what waited.
    /// `FAIL SEARCH …`: the search is over, with nothing found.
    mutating func searchFailed() -> [ClientEvent] {
        guard let asked = pendingSearch else { return [] }
        pendingSearch = nil
        searchBatch = nil
        return [.searchResults(query: asked.query, target: asked.target, results: [])]
    }

    mutating func connectionLost() -> [ClientEvent] {
        pendingSearch = nil
        searchBatch = nil
        pendingContext = nil
        batches = [:]
        olderBatches = [:]
        olderRequested = [:]
        return pending.keys.sorted().flatMap { finish($0) }
    }

    // MARK: - Internals

    private mutating func finish(_ key: String) -> [ClientEvent] {
        guard let waiting = pending.removeValue(forKey: key) else { return [] }
        var events: [ClientEvent] = []
        if waiting.replayed > 0 || waiting.resuming {
            events.append(.historyReplayed(target: waiting.target, count: waiting.replayed, resumed: waiting.resuming))
        }
        for event in waiting.buffered where isNew(Self.msgid(of: event), in: key) {
            events.append(event)
        }
        return events
    }

    private mutating func isNew(_ msgid: String?, in key: String) -> Bool {
        guard let msgid else { return true }
        guard recent[key, default: RecentIDs()].insert(msgid) else { return false }
        lastSeen[key] = msgid
        if oldestSeen[key] == nil { oldestSeen[key] = msgid }
        return true
    }

    private static func msgid(of event: ClientEvent) -> String? {
        event.chatMessage?.msgid
    }

    private static func markedAsHistory(_ event: ClientEvent) -> ClientEvent {
        guard var message = event.chatMessage else { return event }
        message.isHistory = true
        return event.replacingChatMessage(message)
    }
}
