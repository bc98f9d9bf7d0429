import ChatCore

/// Where a typed command runs: the buffer in view.
public struct CommandContext: Sendable, Hashable {
    /// The channel or nick of the active buffer; `nil` in the server buffer.
    public var target: String?
    public var targetIsChannel: Bool

    public init(target: String?, targetIsChannel: Bool) {
        self.target = target
        self.targetIsChannel = targetIsChannel
    }

    public var channel: String? { targetIsChannel ? target : nil }
}

/// What a typed command comes to: requests for the connection, or something for the front end
/// (the terminal and line mode each do what fits them).
public enum CommandOutcome: Sendable, Hashable {
    case send([ClientRequest])
    /// Open (and show) a private buffer, then send.
    case openQuery(nick: String, send: [ClientRequest])
    case quit(reason: String?)
    /// Leave the active channel, or close the active private buffer.
    case close(reason: String?)
    case clear
    case help(command: String?)
    case buffer(String)
    /// Show, change (`value`) or list (no `name`) the client's settings.
    case setting(name: String?, value: String?)
    case unsetting(String)
    /// List, show (`command` nil) or set a key binding.
    case bind(key: String?, command: String?)
    case unbind(String)
    /// Show another network of the client, or list them (`nil`).
    case network(String?)
    /// Show the conversation around result `result` (1-based) of the last search.
    case context(result: Int)
    /// Answer the pending certificate question with "trust".
    case trust
    /// Hide (or show again) what `nick` says; `nil` lists who is hidden.
    case ignore(String?, adding: Bool)
    /// A local error line; nothing is sent.
    case error(String)
}

extension UserInput {
    /// The one mapping from typed commands to requests, shared by the terminal and line mode.
    public func outcome(in context: CommandContext) -> CommandOutcome {
        switch self {
        case .text(let text):
            guard let target = context.target else { return .error(Self.noTarget) }
            return .send([.message(target: target, text: text)])
        case .action(let text):
            guard let target = context.target else { return .error("/me: " + Self.noTarget) }
            return .send([.action(target: target, text: text)])
        case .join(let channel, let key):
            return .send([.join(channel: channel, key: key)])
        case .part(let channel, let reason):
            guard let channel = channel ?? context.channel else { return .error("/part: not in a channel; use /part #channel") }
            return .send([.part(channel: channel, reason: reason)])
        case .close(let reason):
            return .close(reason: reason)
        case .quit(let reason):
            return .quit(reason: reason)
        case .nick(let nick):
            return .send([.nick(nick)])
        case .message(let target, let text):
            return .send([.message(target: target, text: text)])
        case .notice(let target, let text):
            return .send([.notice(target: target, text: text)])
        case .query(let nick, let text):
            return .openQuery(nick: nick, send: text.map { [.message(target: nick, text: $0)] } ?? [])
        case .names(let channel):
            guard let channel = channel ?? context.channel else { return .error("/names: not in a channel; use /names #channel") }
            return .send([.names(channel: channel)])
        case .topic(let channel, let text):
            guard let channel = channel ?? context.channel else {
                return .error("/topic: not in a channel; use /topic #channel [text]")
            }
            return .send([text.map { .setTopic(channel: channel, text: $0) } ?? .requestTopic(channel: channel)])
        case .away(let message):
            return .send([.command(message.map { IRCMessage("AWAY", $0) } ?? IRCMessage("AWAY"))])
        case .whois(let nick):
            return .send([.command(IRCMessage("WHOIS", nick))])
        case .invite(let nick, let channel):
            guard let channel = channel ?? context.channel else { return .error("/invite: not in a channel; use /invite nick #channel") }
            return .send([.command(IRCMessage("INVITE", nick, channel))])
        case .kick(let channel, let nick, let reason):
            guard let channel = channel ?? context.channel else { return .error("/kick: not in a channel; use /kick #channel nick") }
            let parameters = [channel, nick] + (reason.map { [$0] } ?? [])
            return .send([.command(IRCMessage(command: "KICK", parameters: parameters))])
        case .list(let pattern):
            // A word without wildcards that is not a channel name finds channels with it in their name.
            let mask = pattern.map { pattern in
                pattern.contains(where: { "*?#&,".contains($0) }) ? pattern : "*" + pattern + "*"
            }
            return .send([.command(mask.map { IRCMessage("LIST", $0) } ?? IRCMessage("LIST"))])
        case .mode(let target, let modes):
            guard let target = target ?? context.channel else { return .error("/mode: not in a channel; use /mode #channel +modes") }
            return .send([.command(IRCMessage(command: "MODE", parameters: [target] + modes))])
        case .clear:
            return .clear
        case .buffer(let name):
            return .buffer(name)
        case .help(let command):
            return .help(command: command)
        case .raw(let line):
            return .send([.raw(line)])
        case .search(let text):
            return .send([.search(text: text, target: context.target)])
        case .context(let number):
            return .context(result: number)
        case .set(let name, let value):
            return .setting(name: name, value: value)
        case .unset(let name):
            return .unsetting(name)
        case .bind(let key, let command):
            return .bind(key: key, command: command)
        case .unbind(let key):
            return .unbind(key)
        case .network(let name):
            return .network(name)
        case .trust:
            return .trust
        case .register(let password):
            return .send([.registerAccount(password: password)])
        case .identify(let account, let password):
            return .send([.identify(account: account, password: password)])
        case .who(let mask):
            guard let mask = mask ?? context.target else { return .error("/who: not in a channel; use /who #channel or /who mask") }
            return .send([.command(IRCMessage("WHO", mask))])
        case .memberMode(let mode, let nicks):
            guard let channel = context.channel else { return .error("/\(Self.modeCommand(mode)): not in a channel") }
            // At most 4 changes per MODE line (ISUPPORT MODES=4 on Chatty; most servers allow 3 or more).
            return .send(stride(from: 0, to: nicks.count, by: 3).map { start in
                let group = Array(nicks[start..<min(start + 3, nicks.count)])
                let letters = String(mode.first!) + String(repeating: String(mode.last!), count: group.count)
                return .command(IRCMessage(command: "MODE", parameters: [channel, letters] + group))
            })
        case .ban(let mask, let adding):
            guard let channel = context.channel else { return .error("/\(adding ? "ban" : "unban"): not in a channel") }
            guard let mask else { return .send([.command(IRCMessage("MODE", channel, "+b"))]) }
            return .send([.command(IRCMessage("MODE", channel, adding ? "+b" : "-b", Self.banMask(mask)))])
        case .ignore(let nick, let adding):
            return .ignore(nick, adding: adding)
        }
    }

    static let noTarget = "not in a channel or query; use /join #channel or /msg nick text"

    static func modeCommand(_ mode: String) -> String {
        ["+o": "op", "-o": "deop", "+v": "voice", "-v": "devoice"][mode] ?? "mode"
    }

    /// A nick becomes `nick!*@*`; a mask is used as typed.
    static func banMask(_ text: String) -> String {
        text.contains("!") || text.contains("@") || text.contains("*") ? text : text + "!*@*"
    }
}
