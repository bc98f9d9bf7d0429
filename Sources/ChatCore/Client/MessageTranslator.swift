/// The way in: an IRC message the session has no state to change for, as UI events. Chat lines
/// (with CTCP requests answered and own echoes recognised), numerics (errors apart from
/// information) and anything unknown, as text.
///
/// A value built per message from what the translation depends on, so it is tested as a function.
struct MessageTranslator {
    var ownNick: String
    var serverSupport: ServerSupport
    /// The reply to CTCP `VERSION`.
    var versionReply: String

    func isOwnNick(_ nick: String) -> Bool {
        serverSupport.caseMapping.fold(nick) == serverSupport.caseMapping.fold(ownNick)
    }

    /// The buffer a message to `target` from `sender` belongs to: the channel, the other party of a
    /// private conversation, or the server buffer for messages from the server itself.
    func conversation(target: String, sender: String, source: String?) -> Conversation {
        if let channel = serverSupport.channelTarget(target) { return .channel(channel) }
        if isOwnNick(sender) { return .privateChat(target) }
        if source == nil || !(source ?? "").contains("!") || target == "*" { return .server }
        return .privateChat(sender)
    }

    /// `PRIVMSG` or `NOTICE` (at least two parameters).
    func chat(_ message: IRCMessage, now: Timestamp) -> [ClientAction] {
        let target = message.parameters[0]
        let text = message.parameters[1]
        let isNotice = message.command == "NOTICE"
        let sender = message.sourceNick ?? ""
        let isOwn = isOwnNick(sender)
        let time = message.tag("time").flatMap(ServerTime.parse) ?? now
        let msgid = message.tag("msgid")

        let conversation = self.conversation(target: target, sender: sender, source: message.source)

        func chatMessage(_ text: String) -> ChatMessage {
            var chat = ChatMessage(conversation: conversation, sender: sender, text: text, time: time, msgid: msgid, isOwn: isOwn,
                                   replyTo: message.tag("+draft/reply"))
            chat.isBot = message.tags.contains { $0.key == "bot" }
            return chat
        }

        guard let ctcp = CTCP(text) else {
            return [.emit(isNotice ? .notice(chatMessage(text)) : .message(chatMessage(text)))]
        }
        if ctcp.command == "ACTION" && !isNotice {
            return [.emit(.action(chatMessage(ctcp.argument)))]
        }
        if isOwn {
            // Our own CTCP requests and replies, echoed back by `echo-message`.
            return []
        }
        if isNotice {
            return [.emit(.ctcpReply(from: sender, command: ctcp.command, argument: ctcp.argument))]
        }
        var actions: [ClientAction] = [
            .emit(.ctcpRequest(from: sender, command: ctcp.command, argument: ctcp.argument))
        ]
        let reply: String?
        switch ctcp.command {
        case "VERSION": reply = versionReply
        case "PING": reply = ctcp.argument
        case "TIME": reply = now.iso8601
        case "CLIENTINFO": reply = "ACTION CLIENTINFO PING TIME VERSION"
        default: reply = nil
        }
        if let reply, !sender.isEmpty {
            let body = reply.isEmpty ? ctcp.command : "\(ctcp.command) \(reply)"
            actions.append(.send(IRCMessage("NOTICE", sender, "\u{01}\(body)\u{01}")))
        }
        return actions
    }

    /// MOTD, welcome lines, other numerics and unknown commands, as text.
    func generic(_ message: IRCMessage, now: Timestamp) -> [ClientAction] {
        switch message.command {
        case "NOTICE" where message.parameters.count >= 2:
            return chat(message, now: now)
        case "PRIVMSG" where message.parameters.count >= 2:
            return chat(message, now: now)
        default:
            break
        }
        guard let code = Int(message.command), message.command.utf8.count == 3 else {
            return [.emit(.serverInfo(code: nil, text: message.description))]
        }
        let text = Self.numericText(message)
        // 422 (no MOTD) says there is nothing to show, not that something went wrong.
        if (400..<600).contains(code), code != 422 {
            return [.emit(.numericError(code: code, text: text))]
        }
        return [.emit(.serverInfo(code: code, text: text))]
    }

    /// A message too short for its command, shown as it came.
    static func malformed(_ message: IRCMessage) -> [ClientAction] {
        [.emit(.serverInfo(code: nil, text: message.description))]
    }

    /// A numeric as text, without its first parameter (our nick). The WHOIS replies read as
    /// WeeChat shows them (`[nick] …`); ISUPPORT and LUSERS put their values before the words
    /// (`NICKLEN=30 … are supported by this server`, `0 operator(s) online`); others show their
    /// middle parameters, then `: trailing`.
    static func numericText(_ message: IRCMessage) -> String {
        let rest = Array(message.parameters.dropFirst())
        guard let last = rest.last else { return "" }
        let middle = rest.dropLast()
        if middle.isEmpty { return last }
        let nick = "[" + rest[0] + "]"
        switch message.command {
        // Channel modes and mask lists start with the channel (the client shows them in its buffer).
        case "324":
            return "\(rest[0]) modes: " + rest.dropFirst().joined(separator: " ")
        case "329":
            return "\(rest[0]) created " + Self.date(rest[1])
        case "367", "346", "348":
            let list = ["367": "ban", "346": "invite exception", "348": "ban exception"][message.command]!
            var text = "\(rest[0]) \(list): \(rest[1])"
            if rest.count >= 3 { text += " set by \(rest[2])" }
            if rest.count >= 4 { text += " on " + Self.date(rest[3]) }
            return text
        case "341":
            return "Invited \(rest[0]) to \(last)"
        case "311" where rest.count >= 5:
            return "\(nick) (\(rest[1])@\(rest[2])): \(last)"
        case "312" where rest.count >= 3:
            return "\(nick) \(rest[1]) (\(last))"
        case "317" where rest.count >= 3:
            let idle = Int(rest[1]).map(Self.duration) ?? rest[1]
            let signon = Int64(rest[2]).map { Timestamp(millisecondsSinceEpoch: $0 * 1000).iso8601 } ?? rest[2]
            return "\(nick) idle: \(idle), signon: \(signon)"
        case "319" where rest.count >= 2:
            return "\(nick) \(last)"
        case "330" where rest.count >= 3:
            return "\(nick) is logged in as \(rest[1])"
        case "301":
            return "\(nick) is away: \(last)"
        case "313", "671", "335":
            // (At least two parameters here: `middle` is not empty.)
            return "\(nick) \(last)"
        case "314" where rest.count >= 5:
            return "\(nick) was (\(rest[1])@\(rest[2])): \(last)"
        case "369":
            return "\(nick) End of WHOWAS"
        case "352" where rest.count >= 6:
            // `[#channel] nick (user@host) flags hops realname`, as WeeChat shows WHO.
            return "[\(rest[0])] \(rest[4]) (\(rest[1])@\(rest[2])) \(rest[5]) \(last)"
        case "315":
            return "[\(rest[0])] End of WHO list"
        case "321":
            return Self.listRow("Channel", "Users", "Topic")
        case "322" where rest.count >= 2:
            return Self.listRow(rest[0], rest[1], last)
        case "323":
            return "End of channel list"
        case "318":
            return "\(nick) End of WHOIS"
        case "265" where last.contains(where: \.isNumber), "266" where last.contains(where: \.isNumber):
            // `2 2 :Current local users 2, max 2`: the words say it all.
            return last
        case "265" where rest.count >= 3, "266" where rest.count >= 3:
            return "\(last): \(rest[0]) (max \(rest[1]))"
        case "005", "251", "252", "253", "254", "255", "265", "266":
            return middle.joined(separator: " ") + " " + last
        default:
            return middle.joined(separator: " ") + ": " + last
        }
    }

    /// One row of the `LIST` table: the channel and user count in columns, then the topic.
    static func listRow(_ channel: String, _ users: String, _ topic: String) -> String {
        let name = channel.count >= 24 ? channel : channel + String(repeating: " ", count: 24 - channel.count)
        let count = users.count >= 6 ? users : String(repeating: " ", count: 6 - users.count) + users
        return name + " " + count + "  " + topic
    }

    /// Seconds since the epoch as a server sends them → `2026-12-06 19:38:01 UTC` (as they came when
    /// they are not a number).
    static func date(_ seconds: String) -> String {
        guard let value = Int64(seconds) else { return seconds }
        let iso = Timestamp(millisecondsSinceEpoch: value * 1000).iso8601  // 2026-12-06T19:38:01.000Z
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(8) + " UTC"
    }

    /// `3725` seconds → `1h 2m 5s`.
    static func duration(_ seconds: Int) -> String {
        let (hours, minutes, rest) = (seconds / 3600, seconds / 60 % 60, seconds % 60)
        if hours > 0 { return "\(hours)h \(minutes)m \(rest)s" }
        if minutes > 0 { return "\(minutes)m \(rest)s" }
        return "\(rest)s"
    }
}

/// A CTCP message: `\u{01}COMMAND argument\u{01}` inside a `PRIVMSG` (request) or `NOTICE` (reply).
struct CTCP: Sendable, Hashable {
    var command: String
    var argument: String

    init?(_ text: String) {
        guard text.first == "\u{01}" else { return nil }
        var body = text.dropFirst()
        if body.last == "\u{01}" { body = body.dropLast() }
        guard !body.isEmpty else { return nil }
        if let space = body.firstIndex(of: " ") {
            command = body[..<space].uppercased()
            argument = String(body[body.index(after: space)...])
        } else {
            command = body.uppercased()
            argument = ""
        }
    }
}
