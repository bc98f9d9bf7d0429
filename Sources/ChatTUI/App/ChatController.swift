import ChatClient
import ChatCore

/// Connects the pure view model to the connection: turns ``ClientEvent``s into screen updates and
/// keys / typed commands into ``ClientRequest``s. No I/O, so it is tested as a value.
struct ChatController: Sendable {
    var view: ChatViewModel
    private(set) var nick: String {
        didSet { mentionMatcher = MentionMatcher([nick] + highlightWords) }
    }
    /// Channels the user asked to join (`/join`), by folded name: their JOIN shows the channel.
    /// Automatic rejoins after a reconnect never change the buffer in view (or the draft).
    private var requestedJoins: Set<String> = []
    /// Set once the user asked to quit; the app exits when the connection is closed.
    private(set) var quitRequested = false
    /// The reason given with `/quit`, if any.
    private(set) var quitReason: String?
    /// Default quit message.
    var quitMessage = "Chatty terminal client"
    /// A server certificate waiting for `/trust`.
    private var pendingTrust: TrustQuestion?
    /// When to tell the server we are typing.
    private var typingNotifier = TypingNotifier()
    /// Query partners MONITOR says are offline (folded): typing to them would only earn a 401.
    private var offlinePartners: Set<String> = []
    /// Where the lines of our latest join of each channel (folded) start in its buffer.
    private var joinLinesStart: [String: Int] = [:]
    /// The last server search's results, for `/context N`: where each is and its `msgid`.
    private var searchResults: [SearchResults.Result] = []
    /// How a mention in another buffer is announced (`--notify`, `/set notify`).
    var alertStyle = TerminalAlert.Style.bell
    /// Where `/set` keeps the settings (`nil`: nowhere, e.g. without a home directory).
    var settingsPath: String?
    /// What each setting is in this run (by name), shown by `/set` beside one that client.conf leaves unset.
    var settingsInEffect: [String: [String]] = [:]
    /// Why changed settings would not start the client (they are parsed as its options), or `nil`.
    var settingsProblem: @Sendable (ClientSettings) -> String? = { _ in nil }
    /// Nicks (wildcards allowed) whose messages, notices, actions, typing and reactions are hidden
    /// (`--ignore`, `/ignore`; kept in client.conf).
    var ignored: [String] = []
    /// Words that highlight a message like your nick does (`--highlight`).
    var highlightWords: [String] = [] {
        didSet { mentionMatcher = MentionMatcher([nick] + highlightWords) }
    }
    /// Finds the nick and the highlight words in incoming lines.
    private var mentionMatcher: MentionMatcher
    /// `/network`'s wish, for the app (see ``takeNetworkRequest()``).
    private var networkRequest: String??
    /// The highlight words given on this run's command line (`/set highlight` replaces only client.conf's).
    var commandLineHighlightWords: [String] = []
    /// Keys bound to command lines (`--bind`, `/bind`); the last binding of a key wins.
    var keyBindings: [KeyBinding] = []
    /// Alerts waiting for the terminal (a mention or private message while you looked elsewhere).
    private(set) var pendingAlerts: [TerminalAlert] = []

    init(server: String, nick: String, scrollbackLimit: Int = 10_000, utcOffsetSeconds: Int = 0) {
        self.nick = nick
        mentionMatcher = MentionMatcher([nick])
        self.view = ChatViewModel(serverBufferName: server,
                                  status: StatusInfo(connection: "connecting", server: server, nick: nick, lagMilliseconds: nil),
                                  scrollbackLimit: scrollbackLimit, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// A controller for another network of the same client: the same settings (highlight words,
    /// notifications, key bindings, where settings live), its own buffers and connection state.
    func withoutBuffers(server: String, nick: String) -> ChatController {
        var other = ChatController(server: server, nick: nick, scrollbackLimit: view.scrollbackLimit,
                                   utcOffsetSeconds: view.utcOffsetSeconds)
        other.view.currentTimeMilliseconds = view.currentTimeMilliseconds
        other.quitMessage = quitMessage
        other.alertStyle = alertStyle
        other.settingsPath = settingsPath
        other.settingsProblem = settingsProblem
        other.settingsInEffect = settingsInEffect
        other.highlightWords = highlightWords
        other.commandLineHighlightWords = commandLineHighlightWords
        other.keyBindings = keyBindings
        other.ignored = ignored
        return other
    }

    /// Takes the settings every network shares (changed by `/set` or `/bind` in one of them).
    mutating func adoptSharedSettings(of other: ChatController) {
        alertStyle = other.alertStyle
        highlightWords = other.highlightWords
        commandLineHighlightWords = other.commandLineHighlightWords
        keyBindings = other.keyBindings
        ignored = other.ignored
    }

    // MARK: Keys and typed lines

    /// One key from the terminal. Ctrl-Q / Ctrl-C quit, Ctrl-X leaves the current channel;
    /// everything else goes to the view model.
    mutating func handle(_ key: Key, now: Timestamp) -> [ClientRequest] {
        view.currentTimeMilliseconds = now.millisecondsSinceEpoch
        if view.acceptsBoundKeys, let binding = keyBindings.last(where: { $0.key == key }) {
            let shown = view.activeBuffer.name
            let requests = submit(binding.command)
            return requests + (view.activeBuffer.name == shown ? [] : readMarkerForActiveBuffer())
        }
        switch key {
        case .ctrl("q"), .ctrl("c"):
            return requestQuit(reason: nil)
        case .ctrl("x"):
            return leaveActiveBuffer(reason: nil)
        case .character, .enter, .backspace, .delete, .left, .right, .up, .down, .home, .end, .pageUp, .pageDown,
             .tab, .backTab, .function, .ctrl, .alt, .withAlt, .withCtrl, .escape, .resize, .paste, .wheel:
            let shown = view.activeBuffer.name
            let requests = view.handle(key).flatMap { run($0) }
            return requests + (view.activeBuffer.name == shown ? [] : readMarkerForActiveBuffer()) + typingNotice(now: now)
        }
    }

    /// `+typing` for the conversation whose input line changed (throttled by ``TypingNotifier``).
    private mutating func typingNotice(now: Timestamp) -> [ClientRequest] {
        let buffer = view.activeBuffer
        let offline = buffer.kind == .query && offlinePartners.contains(view.caseMapping.fold(buffer.name))
        let target = buffer.kind == .server || offline ? nil : buffer.name
        guard let notice = typingNotifier.inputChanged(target: target, text: view.editor.text, now: now.millisecondsSinceEpoch) else {
            return []
        }
        return [.typing(target: notice.target, state: notice.state)]
    }

    /// The buffer in view is read up to its newest line: the server keeps the marker
    /// (`draft/read-marker`) for your other clients.
    func readMarkerForActiveBuffer() -> [ClientRequest] {
        let buffer = view.activeBuffer
        guard buffer.kind != .server, let newest = buffer.lines.last else { return [] }
        return [.markRead(target: buffer.name, time: Timestamp(millisecondsSinceEpoch: newest.timestamp))]
    }

    private mutating func run(_ action: InputAction) -> [ClientRequest] {
        switch action {
        case .redraw:
            return []
        case .submit(let line):
            if !line.hasPrefix("/") { typingNotifier.sent() }
            return submit(line)
        case .fetchOlder(let target):
            return [.olderHistory(target: target)]
        case .submitLines(let lines):
            let buffer = view.activeBuffer
            guard buffer.kind != .server else {
                localError("This is the server buffer: switch to a channel or a private conversation to send")
                return []
            }
            typingNotifier.sent()
            return [.lines(target: buffer.name, lines: lines)]
        }
    }

    /// A typed line (text or `/command`): parsed and mapped by the one command table
    /// (``UserInput``), then carried out here where it concerns the screen.
    private mutating func submit(_ line: String) -> [ClientRequest] {
        let input: UserInput?
        do {
            input = try UserInput.parse(line)
        } catch {
            localError("\(error)")
            return []
        }
        guard let input else { return [] }
        let buffer = view.activeBuffer
        let context = CommandContext(target: buffer.kind == .server ? nil : buffer.name, targetIsChannel: buffer.kind == .channel)
        switch input.outcome(in: context) {
        case .send(let requests):
            for case .join(let channel, _) in requests { requestedJoins.insert(view.caseMapping.fold(channel)) }
            return requests
        case .openQuery(let nick, let requests):
            view.openBuffer(nick, kind: .query, activate: true)
            return [.monitor(nick: nick, watch: true)] + requests
        case .quit(let reason):
            return requestQuit(reason: reason)
        case .close(let reason):
            return leaveActiveBuffer(reason: reason)
        case .clear:
            view.clearActiveBuffer()
        case .help:
            view.toggleHelp()
        case .buffer(let name):
            if let number = Int(name) {
                guard view.buffers.indices.contains(number - 1) else {
                    localError("/buffer: there is no buffer \(number) (1–\(view.buffers.count))")
                    return []
                }
                view.switchTo(index: number - 1)
            } else {
                // The exact name, else the one buffer whose name holds it (`ops` for `#ops`).
                let folded = view.caseMapping.fold(name)
                let holding = view.buffers.indices.filter { view.caseMapping.fold(view.buffers[$0].name).contains(folded) }
                guard let index = view.bufferIndex(named: name) ?? (holding.count == 1 ? holding[0] : nil) else {
                    localError(holding.isEmpty ? "/buffer: no buffer named \(name)"
                               : "/buffer: \(name) could be " + holding.map { view.buffers[$0].name }.joined(separator: ", "))
                    return []
                }
                view.switchTo(index: index)
            }
        case .trust:
            guard let question = pendingTrust, !question.isAnswered else {
                localError("/trust: no certificate is waiting to be trusted")
                return []
            }
            pendingTrust = nil
            question.answer(trust: true)
            info("Trusted \(question.address) (SHA-256 \(question.fingerprint)); pinned in known_servers")
        case .ignore(let nick, let adding):
            ignore(nick, adding: adding)
        case .setting(let name, let value):
            changeSetting(name, to: value)
        case .unsetting(let name):
            changeSetting(name, to: nil, removing: true)
        case .network(let name):
            networkRequest = .some(name)
        case .bind(let key, let command):
            bind(key, to: command)
        case .unbind(let key):
            bind(key, to: nil, removing: true)
        case .context(let number):
            switch SearchResults.contextRequest(forResult: number, of: searchResults) {
            case .success(let request): return [request]
            case .failure(let error): localError(error.description)
            }
        case .error(let text):
            localError(text)
        }
        return []
    }

    private mutating func ignore(_ nick: String?, adding: Bool) {
        guard let nick else {
            info(ignored.isEmpty ? "Nobody is ignored" : "Ignored: " + ignored.joined(separator: ", "))
            return
        }
        let folded = view.caseMapping.fold(nick)
        let listed = ignored.contains { view.caseMapping.fold($0) == folded }
        guard adding || listed else {
            localError("/unignore: \(nick) is not ignored")
            return
        }
        // Kept in client.conf (where there is one) for the next start.
        var saved = ""
        if settingsPath != nil, let setting = ClientSettings.setting(named: "ignore"),
           let (_, settings) = loadSettings(adding ? "/ignore" : "/unignore") {
            let before = settings.values(of: setting)
            var values = before.filter { view.caseMapping.fold($0) != folded }
            if adding { values.append(nick) }
            guard saveSettings(adding ? "/ignore" : "/unignore", settings, setting: setting, values: values) != nil else { return }
            saved = adding || values.count < before.count ? " (saved)" : " (for this run: --ignore gave it)"
        }
        if adding {
            if !listed { ignored.append(nick) }
            info("Ignoring \(nick): their messages are hidden (/unignore \(nick) to see them again)" + saved)
        } else {
            ignored.removeAll { view.caseMapping.fold($0) == folded }
            info("No longer ignoring \(nick)" + saved)
        }
    }

    /// Whether what `nick` says is hidden.
    func isIgnored(_ nick: String) -> Bool {
        !ignored.isEmpty && ignored.contains { WildcardMask($0).matches(nick) }
    }

    /// The server's certificate is not vouched for by any authority: show its fingerprint and
    /// wait for `/trust` (or `/quit`).
    mutating func ask(_ question: TrustQuestion) {
        pendingTrust?.answer(trust: false)
        pendingTrust = question
        for text in [
            "\(question.reason).",
            "Its SHA-256 fingerprint is \(question.fingerprint)",
            "Compare it with the one the server's operator gave you (chatty-tui serve logs it; --host prints it).",
            "Type /trust to trust it from now on (pinned in known_servers), or /quit.",
        ] {
            localError(text)
        }
    }

    /// Quits this network (with `reason`, else the default quit message); the app quits the
    /// others with the same reason (``quitReason``).
    mutating func requestQuit(reason: String?) -> [ClientRequest] {
        quitRequested = true
        quitReason = reason
        view.status.connection = "quitting"
        return [.quit(reason: reason ?? quitMessage)]
    }

    /// Leaves the active channel (or closes the active private buffer).
    private mutating func leaveActiveBuffer(reason: String?) -> [ClientRequest] {
        let buffer = view.activeBuffer
        switch buffer.kind {
        case .channel:
            return [.part(channel: buffer.name, reason: reason)]
        case .query:
            view.closeBuffer(buffer.name)
            return [.monitor(nick: buffer.name, watch: false)]
        case .server:
            localError("This is the server buffer; use Ctrl-Q or /quit to quit")
            return []
        }
    }

    /// A local error line in the buffer in view (also for the app: `/network`).
    mutating func showError(_ text: String) { localError(text) }

    /// A local information line in the buffer in view (also for the app: `/network`).
    mutating func showInfo(_ text: String) { info(text) }

    /// The network the user asked to see (`/network NAME`), or `.some(nil)` to list them; the app
    /// that holds the networks carries it out.
    mutating func takeNetworkRequest() -> String?? {
        defer { networkRequest = nil }
        return networkRequest
    }

    private mutating func localError(_ text: String) {
        view.append(ChatLine(timestamp: view.currentTimeMilliseconds, kind: .error, text: text), to: view.activeBuffer.name)
    }

    /// A local information line in the buffer in view (an answer to a command, nothing from the server).
    private mutating func info(_ text: String) {
        view.append(ChatLine(timestamp: view.currentTimeMilliseconds, kind: .info, text: text), to: view.activeBuffer.name)
    }

    // MARK: Events from the connection

    mutating func apply(_ event: ClientEvent, now: Timestamp) {
        let time = now.millisecondsSinceEpoch
        view.currentTimeMilliseconds = time
        /// A line in `buffer`; `quiet` ones are no activity (and `logged` says whether the log keeps them).
        func line(_ kind: ChatLine.Kind, _ text: String, nick: String? = nil, in buffer: String?, quiet: Bool = false,
                  logged: Bool = true) {
            view.append(ChatLine(timestamp: time, kind: kind, nick: nick, text: text), to: buffer, quiet: quiet, log: logged)
        }
        switch event {
        case .stateChanged(let state):
            view.status.connection = describe(state, now: now)
            if case .reconnecting(let at) = state {
                view.status.reconnectAt = at.millisecondsSinceEpoch
            } else {
                view.status.reconnectAt = nil
            }
            switch state {
            case .registered(let nick):
                self.nick = nick
                view.resetHistoryFetches()
                view.status.nick = nick
                view.status.isAway = false  // a new connection starts present
                line(.info, "Connected to \(view.status.server) as \(nick)", in: nil)
            case .reconnecting, .disconnected:
                view.status.lagMilliseconds = nil
                view.status.account = nil
            case .connecting, .registering, .disconnecting:
                break
            }
        case .connectionLost(let reason):
            view.leaveAllChannels()
            line(.error, "Connection lost: \(reason)", in: nil)
            for buffer in view.buffers where buffer.kind == .channel {
                line(.error, "Connection lost: \(reason)", in: buffer.name)
            }
        case .message(let message), .notice(let message), .action(let message):
            if !message.isOwn, isIgnored(message.sender) { return }
            if let line = chatLine(for: event) {
                if !message.isHistory, let buffer = message.conversation.bufferName {
                    view.typing.update(buffer: buffer, nick: message.sender, active: false, now: time, caseMapping: view.caseMapping)
                }
                let shownIn = view.activeBuffer.name
                view.append(line, to: message.conversation.bufferName, quiet: message.isHistory)
                // Your notice to someone, sent from another buffer: said where you typed it too (as irssi does).
                if case .notice = event, message.isOwn, !message.isHistory, view.isOnScreen,
                   let buffer = message.conversation.bufferName,
                   view.caseMapping.fold(buffer) != view.caseMapping.fold(shownIn) {
                    view.append(ChatLine(timestamp: time, kind: .info, text: "-> -\(buffer)- \(message.text)"), to: shownIn,
                                quiet: true, log: false)
                }
                // Alert when it concerns you and you look elsewhere.
                if !message.isHistory, !message.isOwn, line.mentionsMe || line.kind == .privateMessage,
                   let buffer = message.conversation.bufferName,
                   !view.isOnScreen || view.caseMapping.fold(buffer) != view.caseMapping.fold(shownIn) {
                    pendingAlerts.append(TerminalAlert(title: line.kind == .privateMessage ? message.sender : "\(message.sender) in \(buffer)",
                                                       body: message.text))
                }
            }
        case .typing(let conversation, let nick, let active):
            if let buffer = conversation.bufferName, !isIgnored(nick) {
                view.typing.update(buffer: buffer, nick: nick, active: active, now: time, caseMapping: view.caseMapping)
            }
        case .reaction(let conversation, let msgid, let nick, let reaction):
            if let buffer = conversation.bufferName, !isIgnored(nick) {
                view.updateMessage(msgid: msgid, in: buffer) { line in
                    // Once per reaction and nick, and a handful per message at most.
                    let shown = reaction + " " + nick
                    if !line.reactions.contains(shown), line.reactions.count < 12 { line.reactions.append(shown) }
                }
            }
        case .redacted(let conversation, let msgid, _):
            if let buffer = conversation.bufferName {
                view.updateMessage(msgid: msgid, in: buffer) { $0.isRedacted = true }
            }
        case .awayChanged(let nick, let message):
            // In a private conversation with them (the sidebar greys away members of channels).
            if view.bufferIndex(named: nick) != nil {
                line(.info, message.map { "\(nick) is away: \($0)" } ?? "\(nick) is back", nick: nick, in: nick)
            }
        case .realNameChanged(let nick, let realName, let channels):
            for channel in channels {
                line(.info, "\(nick) changed their real name to: \(realName)", nick: nick, in: channel)
            }
        case .hostChanged(let nick, let user, let host, let channels):
            for channel in channels {
                line(.info, "\(nick) is now \(nick)!\(user)@\(host)", nick: nick, in: channel)
            }
        case .invitedOther(let channel, let nick, let by):
            line(.info, "\(by) invited \(nick) to \(channel)", nick: by, in: view.bufferIndex(named: channel) != nil ? channel : nil)
        case .presence(let nick, let online):
            if online { offlinePartners.remove(view.caseMapping.fold(nick)) } else { offlinePartners.insert(view.caseMapping.fold(nick)) }
            if view.bufferIndex(named: nick) != nil {
                // No activity: every open private conversation gets one at each start.
                line(.info, online ? "\(nick) is online" : "\(nick) is offline", nick: nick, in: nick, quiet: true)
            }
        case .readMarker(let target, let time):
            // Read elsewhere (another client of yours) up to the newest line: read here too.
            if let time, let index = view.bufferIndex(named: target),
               let newest = view.buffers[index].lines.last, newest.timestamp <= time.millisecondsSinceEpoch {
                view.markBufferRead(at: index)
            }
        case .searchResults(let query, let target, let results):
            showSearch(query, target: target, results: results, now: time)
        case .historyContext(let target, let msgid, let events):
            showContext(target: target, msgid: msgid, events: events, now: time)
        case .olderHistory(let target, let events):
            view.prependHistory(events.compactMap { chatLine(for: $0) }, to: target,
                                exhausted: events.isEmpty, now: time)
        case .historyReplayed(let target, let count, let resumed):
            let joinStart = joinLinesStart.removeValue(forKey: view.caseMapping.fold(target))
            if !resumed, count > 0, let joinStart {
                view.placeHistoryFirst(in: target, since: joinStart, marker: ChatLine(timestamp: time, kind: .info, text: "—— history ——"))
            } else if !resumed, count > 0 {
                line(.info, "—— history ——", in: target, quiet: true, logged: false)
            } else if resumed, count > 0 {
                line(.info, "—— caught up: \(count) message\(count == 1 ? "" : "s") while you were away ——", in: target)
            }
        case .ctcpRequest(let from, let command, let argument):
            line(.info, "CTCP \(command) from \(from)" + (argument.isEmpty ? "" : ": \(argument)"), in: nil)
        case .ctcpReply(let from, let command, let argument):
            line(.info, "CTCP \(command) reply from \(from): \(argument)", in: nil)
        case .joined(let channel, let nick, let isOwn):
            if isOwn {
                // A channel the user joined, or a new buffer (the first connection's channels), is
                // shown; a rejoin after a reconnect leaves the view where the user is.
                let asked = requestedJoins.remove(view.caseMapping.fold(channel)) != nil
                view.openBuffer(channel, kind: .channel, activate: asked || view.bufferIndex(named: channel) == nil)
                view.setJoined(true, channel: channel)
                // Where this join's lines start: a first look at the history goes above them.
                if let index = view.bufferIndex(named: channel) {
                    joinLinesStart[view.caseMapping.fold(channel)] = view.buffers[index].lines.endSequence
                }
            }
            line(.join, "\(nick) has joined \(channel)", nick: nick, in: channel)
        case .parted(let channel, let nick, let reason, let isOwn):
            if isOwn {
                view.closeBuffer(channel)
                line(.part, "You have left \(channel)" + Self.reasonSuffix(reason), nick: nick, in: nil)
            } else {
                line(.part, "\(nick) has left \(channel)" + Self.reasonSuffix(reason), nick: nick, in: channel)
            }
        case .quit(let nick, let reason, let channels):
            for channel in channels {
                line(.quit, "\(nick) has quit" + Self.reasonSuffix(reason), nick: nick, in: channel)
            }
            if view.bufferIndex(named: nick) != nil {
                line(.quit, "\(nick) has quit" + Self.reasonSuffix(reason), nick: nick, in: nick)
            }
        case .kicked(let channel, let nick, let by, let reason, let isOwn):
            if isOwn { view.setJoined(false, channel: channel) }
            let text = isOwn ? "You were kicked from \(channel) by \(by) — /join \(channel) to go back" : "\(nick) was kicked by \(by)"
            line(.kick, text + Self.reasonSuffix(reason), nick: nick, in: channel)
        case .nickChanged(let old, let new, let isOwn, let channels):
            view.renameSpeaker(from: old, to: new)
            if isOwn {
                nick = new
                view.status.nick = new
            }
            let text = isOwn ? "You are now known as \(new)" : "\(old) is now known as \(new)"
            // Your own change is news in no buffer: it raises no activity anywhere.
            for channel in channels {
                view.append(ChatLine(timestamp: time, kind: .nick, nick: old, text: text), to: channel, quiet: isOwn, log: true)
            }
            if isOwn {
                line(.nick, text, nick: old, in: nil)
            } else if let index = view.bufferIndex(named: new), view.buffers[index].kind == .query {
                // The private conversation followed the nick: say so there too.
                line(.nick, text, nick: old, in: view.buffers[index].name)
            }
        case .names(let channel, let members):
            let list = members.map(\.displayName).joined(separator: " ")
            line(.info, "Names \(channel) (\(members.count)): \(list)",
                 in: view.bufferIndex(named: channel) != nil ? channel : view.activeBuffer.name)
        case .members(let channel, let members):
            view.setMembers(members, in: channel)
        case .topic(let channel, let text, let setBy, let isChange):
            view.setTopic(text.isEmpty ? nil : text, in: channel)
            if isChange {
                line(.topic, "\(setBy ?? "Someone") changed the topic to: \(text)", nick: setBy, in: channel)
            } else if !text.isEmpty {
                line(.topic, "Topic: \(text)", in: channel)
            } else {
                line(.topic, "No topic is set for \(channel)", in: channel)
            }
        case .topicSetBy(let channel, let setBy, let at):
            let when = at.map { " on " + LocalClock.date($0.millisecondsSinceEpoch, utcOffsetSeconds: view.utcOffsetSeconds) + " "
                + LocalClock.hourMinute($0.millisecondsSinceEpoch, utcOffsetSeconds: view.utcOffsetSeconds) } ?? ""
            line(.topic, "Topic set by \(setBy)\(when)", in: channel)
        case .mode(let target, let modes, let parameters, let by):
            if target.hasPrefix("#") || target.hasPrefix("&") {
                line(.mode, "\(by ?? "Server") sets mode \(([modes] + parameters).joined(separator: " "))", nick: by, in: target)
            } else {
                line(.mode, "Mode \(target) \(([modes] + parameters).joined(separator: " "))", in: nil)
            }
        case .invited(let channel, let by):
            line(.info, "\(by) invites you to \(channel) — type /join \(channel)", in: view.activeBuffer.name)
        case .serverError(let text):
            line(.error, "Server: \(text)", in: nil)
        case .numericError(_, let text):
            line(.error, text, in: view.activeBuffer.name)
        case .serverInfo(let code, let text):
            // 306 / 305: you are now marked away / back.
            if code == 306 || code == 305 { view.status.isAway = code == 306 }
            line(.info, text, in: bufferForReply(code: code, text: text))
        case .error(let text):
            line(.error, text, in: view.activeBuffer.name)
        case .loggedIn(let account):
            view.status.account = account
            line(.info, "Logged in as \(account)", in: nil)
        case .lag(let milliseconds):
            view.status.lagMilliseconds = Int(milliseconds)
        case .serverSupport(let support):
            // Logs stay filed under the network's name as shown (its section or host) from the first
            // line on: the server's own NETWORK name would split a run's logs in two.
            view.caseMapping = support.caseMapping
        case .synced:
            break
        }
    }

    /// Replies to what the user asked (WHOIS, WHO, WHOWAS, LIST) go to the buffer in view, as in
    /// WeeChat; an away reply to the private conversation with that nick when one is open; the
    /// rest (MOTD, LUSERS, welcome) to the server buffer.
    private func bufferForReply(code: Int?, text: String) -> String? {
        guard let code else { return nil }
        if code == 301, text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let nick = String(text[text.index(after: text.startIndex)..<close])
            if let index = view.bufferIndex(named: nick), view.buffers[index].kind == .query { return view.buffers[index].name }
        }
        if Self.channelListReplies.contains(code) {
            // `#ops modes: +nt`, `#ops ban: …`: in that channel's buffer when it is open.
            let channel = String(text.prefix { $0 != " " && $0 != ":" })
            return view.bufferIndex(named: channel).map { view.buffers[$0].name } ?? view.activeBuffer.name
        }
        return Self.repliesShownInView.contains(code) ? view.activeBuffer.name : nil
    }

    /// Channel modes (324), creation time (329) and the ban, invite-exception and ban-exception
    /// lists (367–368, 346–349).
    static let channelListReplies: Set<Int> = [324, 329, 346, 347, 348, 349, 367, 368]

    /// WHOIS (301, 311–313, 317–319, 330, 335, 338, 378, 671), WHOWAS (314, 369), WHO (315, 352),
    /// LIST (321–323), INVITE confirmation (341), AWAY (305, 306), VERSION (351), TIME (391).
    static let repliesShownInView: Set<Int> = [301, 305, 306, 311, 312, 313, 314, 315, 317, 318, 319, 321, 322, 323, 330, 335,
                                               338, 341, 351, 352, 369, 378, 391, 671]

    /// `/search` results in the buffer in view: the server's, or (when it cannot search) the lines
    /// of the searched buffer's scrollback that contain the text.
    private mutating func showSearch(_ query: String, target: String?, results: [ChatMessage]?, now: Int64) {
        let shownIn = view.activeBuffer.name
        var found: [ChatLine]
        let scope: String
        if let results {
            // Numbered for `/context N` (results without a msgid or a place cannot be looked up).
            let located = SearchResults.numbered(results)
            searchResults = located
            found = located.enumerated().compactMap { number, result in
                var line = chatLine(for: .message(result.message))
                line?.text = "\(number + 1). " + (target == nil ? "[\(result.target)] " : "") + result.message.text
                return line
            }
            scope = "history"
        } else {
            let searched = view.buffer(named: target ?? shownIn)
            found = (searched?.lines.elements ?? []).filter {
                $0.isConversation && $0.text.range(of: query, options: .caseInsensitive) != nil
            }
            scope = "scrollback (the server cannot search)"
        }
        for index in found.indices { found[index].mentionsMe = false }
        view.append(ChatLine(timestamp: now, kind: .info,
                             text: "—— search \u{201C}\(query)\u{201D} in the \(scope): \(PlainFormatter.results(found.count)) ——"),
                    to: shownIn, quiet: true)
        for line in found { view.append(line, to: shownIn, quiet: true) }
        if !found.isEmpty {
            let hint = results == nil ? "" : " (/context N shows the conversation around result N)"
            view.append(ChatLine(timestamp: now, kind: .info, text: "—— end of search\(hint) ——"), to: shownIn, quiet: true)
        }
    }

    /// `/set`, `/set NAME`, `/set NAME VALUE`, `/unset NAME`: the settings file, read and changed;
    /// highlight words and notifications change at once, the rest at the next start.
    private mutating func changeSetting(_ name: String?, to value: String?, removing: Bool = false) {
        let command = removing ? "/unset" : "/set"
        guard let (path, settings) = loadSettings(command) else { return }
        func shown(_ setting: ClientSettings.Setting, _ values: [String]) -> String {
            guard values.isEmpty else { return "\(setting.name) = " + values.joined(separator: ", ") }
            let now = settingsInEffect[setting.name].map { $0.isEmpty ? "none" : $0.joined(separator: ", ") }
            return "\(setting.name) (not set" + (now.map { "; now \($0)" } ?? "") + ")"
        }
        guard let name else {
            info("Settings (\(path)):")
            for setting in ClientSettings.settings { info("  " + shown(setting, settings.values(of: setting))) }
            return
        }
        guard let setting = ClientSettings.setting(named: name) else {
            localError("\(command): no setting \(name) (settings: \(ClientSettings.settings.map(\.name).joined(separator: ", ")))")
            return
        }
        guard removing || value != nil else {
            info(shown(setting, settings.values(of: setting)))
            return
        }
        if let editor = setting.editedBy {
            localError("\(command): \(setting.name) is changed with \(editor)")
            return
        }
        var values: [String] = []
        if let value {
            if setting.flag {
                guard ["on", "off"].contains(value.lowercased()) else {
                    localError("/set: \(setting.name) is on or off")
                    return
                }
                values = value.lowercased() == "on" ? ["on"] : []
            } else if setting.repeatable {
                values = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            } else {
                values = [value]
            }
        }
        guard let saved = saveSettings(command, settings, setting: setting, values: values) else { return }
        switch setting.name {
        case "highlight": highlightWords = values + commandLineHighlightWords
        case "notify": alertStyle = values.first.flatMap(TerminalAlert.Style.init(rawValue:)) ?? .bell
        default: break
        }
        info(shown(setting, saved.values(of: setting)) + (setting.live ? " (saved)" : " (saved; from the next start)"))
    }

    /// `/bind` (list), `/bind KEY` (show), `/bind KEY COMMAND` (bind and save), `/unbind KEY`.
    private mutating func bind(_ name: String?, to command: String?, removing: Bool = false) {
        let verb = removing ? "/unbind" : "/bind"
        guard let name else {
            info(keyBindings.isEmpty ? "No keys are bound (/bind KEY COMMAND binds one, e.g. /bind alt-x /close)" : "Key bindings:")
            for binding in keyBindings { info("  " + binding.text) }
            return
        }
        guard let key = KeyBinding.key(named: name) else {
            localError("\(verb): \(KeyBinding.ParseError.unknownKey(name))")
            return
        }
        let keyName = KeyBinding.name(of: key)
        guard removing || command != nil else {
            info(keyBindings.last { $0.key == key }?.text ?? "\(keyName) is not bound")
            return
        }
        if removing, !keyBindings.contains(where: { $0.key == key }) {
            localError("/unbind: \(keyName) is not bound")
            return
        }
        guard let setting = ClientSettings.setting(named: "bind"), let (_, settings) = loadSettings(verb) else { return }
        let saved = settings.values(of: setting)
        var values = saved.filter { (try? KeyBinding(parsing: $0))?.key != key }
        let binding = command.map { KeyBinding(key: key, command: $0) }
        if let binding { values.append(binding.text) }
        guard saveSettings(verb, settings, setting: setting, values: values) != nil else { return }
        keyBindings.removeAll { $0.key == key }
        if let binding {
            keyBindings.append(binding)
            info("\(binding.text) (saved)")
        } else {
            // A binding from this run's command line (--bind) comes back at the next start.
            info("\(keyName) is no longer bound" + (values.count < saved.count ? " (saved)" : " (for this run: --bind gave it)"))
        }
    }

    /// The settings file and its path, or `nil` after telling why not (as `command`).
    private mutating func loadSettings(_ command: String) -> (String, ClientSettings)? {
        guard let path = settingsPath else {
            localError("\(command): there is no place for settings (no home directory)")
            return nil
        }
        do {
            return (path, try ClientSettings.load(from: path))
        } catch {
            localError("\(command): cannot read \(path): \(error.localizedDescription)")
            return nil
        }
    }

    /// `setting` changed to `values`, checked as the client's options and written; `nil` after
    /// telling why not.
    private mutating func saveSettings(_ command: String, _ settings: ClientSettings, setting: ClientSettings.Setting,
                                       values: [String]) -> ClientSettings? {
        var settings = settings
        settings.set(setting, to: values)
        if let problem = settingsProblem(settings) {
            localError("\(command): \(problem)")
            return nil
        }
        guard let path = settingsPath else { return nil }
        do {
            try settings.save(to: path)
        } catch {
            localError("\(command): cannot write \(path): \(error.localizedDescription)")
            return nil
        }
        return settings
    }

    /// `/context N`'s answer: the messages around a search result, in the buffer in view, the
    /// result itself marked.
    private mutating func showContext(target: String, msgid: String, events: [ClientEvent], now: Int64) {
        let shownIn = view.activeBuffer.name
        let lines = events.compactMap { event -> ChatLine? in
            guard var line = chatLine(for: event) else { return nil }
            line.mentionsMe = event.chatMessage?.msgid == msgid
            if line.mentionsMe { line.text = "▶ " + line.text }
            return line
        }
        guard !lines.isEmpty else {
            view.append(ChatLine(timestamp: now, kind: .info, text: "—— \(target): that message is no longer in the history ——"),
                        to: shownIn, quiet: true)
            return
        }
        view.append(ChatLine(timestamp: now, kind: .info, text: "—— context in \(target) ——"), to: shownIn, quiet: true)
        for line in lines { view.append(line, to: shownIn, quiet: true) }
        view.append(ChatLine(timestamp: now, kind: .info, text: "—— end of context ——"), to: shownIn, quiet: true)
    }

    /// The line a chat event (message, notice, action) shows as.
    private func chatLine(for event: ClientEvent) -> ChatLine? {
        guard let message = event.chatMessage else { return nil }
        let kind: ChatLine.Kind = if case .notice = event {
            .notice
        } else if case .action = event {
            .action
        } else {
            message.conversation.isPrivate ? .privateMessage : .message
        }
        let mentions = !message.isOwn && !message.isHistory
            && mentionMatcher.matches(message.text)
        var line = ChatLine(timestamp: message.time.millisecondsSinceEpoch, kind: kind, nick: message.sender,
                            text: message.text, isOwn: message.isOwn, mentionsMe: mentions)
        line.msgid = message.msgid
        line.isBot = message.isBot
        line.isHistory = message.isHistory
        if let replyTo = message.replyTo {
            let buffer = message.conversation.bufferName.flatMap { view.buffer(named: $0) }
            line.replyContext = buffer?.replyContext(for: replyTo) ?? "a message"
        }
        return line
    }

    private func describe(_ state: ClientConnectionState, now: Timestamp) -> String {
        switch state {
        case .disconnected(let reason): reason.map { "disconnected: \($0)" } ?? "disconnected"
        case .connecting: "connecting"
        case .registering: "registering"
        case .registered: "registered"
        case .disconnecting: "disconnecting"
        case .reconnecting(let at):
            "reconnecting in \(max(0, (at.millisecondsSinceEpoch - now.millisecondsSinceEpoch + 999) / 1000))s"
        }
    }

    /// The alerts waiting for the terminal, once.
    mutating func takeAlerts() -> [TerminalAlert] {
        defer { pendingAlerts = [] }
        return pendingAlerts
    }

    static func reasonSuffix(_ reason: String?) -> String {
        guard let reason, !reason.isEmpty else { return "" }
        return " (\(reason))"
    }
}

extension Conversation {
    var isPrivate: Bool {
        if case .privateChat = self { return true }
        return false
    }

    /// The view model's buffer for this conversation (`nil` is the server buffer).
    var bufferName: String? {
        switch self {
        case .channel(let name): name
        case .privateChat(let nick): nick
        case .server: nil
        }
    }
}
