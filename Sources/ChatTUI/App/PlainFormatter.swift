import ChatCore

/// Line-mode output: one sanitised text line per event, for pipes, scripts and bots.
enum PlainFormatter {
    /// "1 result", "3 results".
    static func results(_ count: Int) -> String { count == 1 ? "1 result" : "\(count) results" }

    static func line(for event: ClientEvent, utcOffsetSeconds: Int = 0) -> String? {
        let text: String?
        switch event {
        case .stateChanged(let state):
            switch state {
            case .registered(let nick): text = "*** registered as \(nick)"
            case .reconnecting: text = "*** reconnecting"
            case .disconnected(let reason): text = "*** disconnected" + ChatController.reasonSuffix(reason)
            case .connecting, .registering, .disconnecting: text = nil
            }
        case .connectionLost(let reason):
            text = "*** connection lost: \(reason)"
        case .loggedIn(let account):
            text = "*** logged in as \(account)"
        case .message(let message):
            text = "\(clock(message.time, utcOffsetSeconds)) [\(place(message.conversation))] <\(message.sender)> \(message.text)"
        case .notice(let message):
            text = "\(clock(message.time, utcOffsetSeconds)) [\(place(message.conversation))] -\(message.sender)- \(message.text)"
        case .action(let message):
            text = "\(clock(message.time, utcOffsetSeconds)) [\(place(message.conversation))] * \(message.sender) \(message.text)"
        case .joined(let channel, let nick, _):
            text = "*** \(nick) has joined \(channel)"
        case .parted(let channel, let nick, let reason, _):
            text = "*** \(nick) has left \(channel)" + ChatController.reasonSuffix(reason)
        case .quit(let nick, let reason, _):
            text = "*** \(nick) has quit" + ChatController.reasonSuffix(reason)
        case .kicked(let channel, let nick, let by, let reason, _):
            text = "*** \(nick) was kicked from \(channel) by \(by)" + ChatController.reasonSuffix(reason)
        case .nickChanged(let old, let new, _, _):
            text = "*** \(old) is now known as \(new)"
        case .names(let channel, let members):
            text = "*** names \(channel): " + members.map { $0.prefixes + $0.nick }.joined(separator: " ")
        case .topic(let channel, let topic, let setBy, let isChange):
            text = isChange ? "*** \(setBy ?? "someone") changed the topic of \(channel) to: \(topic)" : "*** topic \(channel): \(topic)"
        case .topicSetBy, .lag, .synced, .members, .ctcpRequest, .ctcpReply, .serverSupport, .historyReplayed, .olderHistory, .readMarker,
             .typing:
            text = nil
        case .reaction(let conversation, let msgid, let nick, let reaction):
            text = "*** [\(place(conversation))] \(nick) reacted \(reaction) to \(msgid)"
        case .redacted(let conversation, let msgid, let by):
            text = "*** [\(place(conversation))] \(by) deleted message \(msgid)"
        case .presence(let nick, let online):
            text = "*** \(nick) is \(online ? "online" : "offline")"
        case .awayChanged:
            text = nil
        case .realNameChanged(let nick, let realName, _):
            text = "*** \(nick) changed their real name to: \(realName)"
        case .hostChanged(let nick, let user, let host, _):
            text = "*** \(nick) is now \(nick)!\(user)@\(host)"
        case .invitedOther(let channel, let nick, let by):
            text = "*** \(by) invited \(nick) to \(channel)"
        case .searchResults(let query, _, let results):
            if let results {
                let located = SearchResults.numbered(results)
                let found = located.enumerated().map { number, result in
                    let message = result.message
                    return "\(number + 1). \(clock(message.time, utcOffsetSeconds)) [\(place(message.conversation))] <\(message.sender)> \(message.text)"
                }
                text = (["*** search \u{201C}\(query)\u{201D}: \(PlainFormatter.results(located.count))"] + found).joined(separator: "\n")
            } else {
                text = "*** search: this server cannot search its history"
            }
        case .historyContext(let target, let msgid, let events):
            let lines = events.compactMap(\.chatMessage).map { message in
                (message.msgid == msgid ? "▶ " : "  ") + "\(clock(message.time, utcOffsetSeconds)) <\(message.sender)> \(message.text)"
            }
            text = lines.isEmpty ? "*** \(target): that message is no longer in the history"
                : (["*** context in \(target):"] + lines).joined(separator: "\n")
        case .mode(let target, let modes, let parameters, let by):
            text = "*** \(by ?? "server") sets mode \(target) " + ([modes] + parameters).joined(separator: " ")
        case .invited(let channel, let by):
            text = "*** \(by) invites you to \(channel)"
        case .serverError(let message):
            text = "*** server error: \(message)"
        case .numericError(_, let message), .error(let message):
            text = "*** error: \(message)"
        case .serverInfo(_, let message):
            text = "*** \(message)"
        }
        return text.map { TerminalSanitizer.plain($0) }
    }

    private static func place(_ conversation: Conversation) -> String {
        switch conversation {
        case .channel(let name): name
        case .privateChat(let nick): "query " + nick
        case .server: "server"
        }
    }

    private static func clock(_ time: Timestamp, _ offset: Int) -> String {
        LocalClock.hourMinute(time.millisecondsSinceEpoch, utcOffsetSeconds: offset)
    }
}
