/// What the user typed into the input line, parsed into a command.
///
/// ``UserInput/commands`` is the one command table: parsing, Tab completion, the help overlay,
/// `/help` in line mode and the README's list all come from it, so nothing is offered that does
/// not work. Parsing is pure: it does not know the active buffer or the server's channel types, so
/// channel arguments are recognised by a leading `#` or `&` and targets are left for the caller to
/// resolve (`nil` channel means "the active one").
public enum UserInput: Sendable, Hashable {
    /// Plain text for the active buffer (also `//text`, which sends `/text`).
    case text(String)
    /// `/join #channel [key]`.
    case join(channel: String, key: String?)
    /// `/part [#channel] [reason]` or `/leave`; `nil` channel means the active one.
    case part(channel: String?, reason: String?)
    /// `/quit [reason]`.
    case quit(reason: String?)
    /// `/nick newnick`.
    case nick(String)
    /// `/me text`: a CTCP ACTION to the active buffer.
    case action(String)
    /// `/msg nick|#channel text`.
    case message(target: String, text: String)
    /// `/notice nick|#channel text`.
    case notice(target: String, text: String)
    /// `/query nick [text]`: opens a private buffer (and sends `text` if given).
    case query(nick: String, text: String?)
    /// `/names [#channel]`.
    case names(channel: String?)
    /// `/topic [#channel] [text]`: without text the topic is requested.
    case topic(channel: String?, text: String?)
    /// `/away [message]`: without a message, back.
    case away(String?)
    /// `/whois nick`.
    case whois(String)
    /// `/invite nick [#channel]`.
    case invite(nick: String, channel: String?)
    /// `/kick [#channel] nick [reason]`.
    case kick(channel: String?, nick: String, reason: String?)
    /// `/list [pattern]`.
    case list(String?)
    /// `/mode [target] modes…`, sent as typed (the target defaults to the active channel).
    case mode(target: String?, modes: [String])
    /// `/clear`: clears the active buffer.
    case clear
    /// `/close [reason]`: leaves the active channel or closes the private buffer.
    case close(reason: String?)
    /// `/buffer N|name`: goes to a buffer.
    case buffer(String)
    /// `/help [command]`.
    case help(command: String?)
    /// `/quote line` or `/raw line`: sent to the server as typed.
    case raw(String)
    /// `/search text`: the history of the active buffer (the server's search where offered, else
    /// the scrollback).
    case search(String)
    /// `/set [name [value]]`: list the settings, show one, or change one (kept in the client's settings file).
    case set(name: String?, value: String?)
    /// `/unset name`: remove a setting from the settings file.
    case unset(String)
    /// `/bind [key [command]]`: list the key bindings, show one, or bind a key to a command line
    /// (kept in the client's settings file).
    case bind(key: String?, command: String?)
    /// `/unbind key`: remove a key binding.
    case unbind(String)
    /// `/network [name|number]`: list the client's networks, or show one.
    case network(String?)
    /// `/context N`: the conversation around result `N` of the last `/search` (from the server's history).
    case context(Int)
    /// `/trust`: trust (and pin) the certificate the server just presented, which no authority vouches for.
    case trust
    /// `/register PASSWORD`: register an account named after your nick.
    case register(password: String)
    /// `/identify [ACCOUNT] PASSWORD`: log in to an account (your nick's by default).
    case identify(account: String?, password: String)
    /// `/who [mask]`: who is in a channel (the active one by default) or matches a mask.
    case who(String?)
    /// `/op`, `/deop`, `/voice`, `/devoice nick…`: `+o`/`-o`/`+v`/`-v` in the active channel.
    case memberMode(mode: String, nicks: [String])
    /// `/ban [mask|nick]` (no argument: list the bans), `/unban mask|nick`, in the active channel.
    case ban(mask: String?, adding: Bool)
    /// `/ignore [nick]` (no argument: list), `/unignore nick`: hide what someone says (wildcards allowed).
    case ignore(String?, adding: Bool)

    /// One entry of the command table.
    public struct Command: Sendable, Hashable {
        public var name: String
        public var aliases: [String]
        public var usage: String
        public var summary: String
    }

    /// The commands, their aliases, usage and a one-line description.
    public static let commands: [Command] = [
        Command(name: "join", aliases: ["j"], usage: "/join <#channel> [key]", summary: "Join a channel"),
        Command(name: "part", aliases: ["leave"], usage: "/part [#channel] [reason]", summary: "Leave a channel"),
        Command(name: "close", aliases: ["wc"], usage: "/close [reason]", summary: "Leave the channel or close the private buffer"),
        Command(name: "quit", aliases: ["exit"], usage: "/quit [reason]", summary: "Disconnect and exit"),
        Command(name: "nick", aliases: [], usage: "/nick <newnick>", summary: "Change your nickname"),
        Command(name: "me", aliases: [], usage: "/me <action>", summary: "Send an action to the current buffer"),
        Command(name: "msg", aliases: [], usage: "/msg <nick|#channel> <text>", summary: "Send a message"),
        Command(name: "notice", aliases: [], usage: "/notice <nick|#channel> <text>", summary: "Send a notice"),
        Command(name: "query", aliases: [], usage: "/query <nick> [text]", summary: "Open a private conversation"),
        Command(name: "names", aliases: [], usage: "/names [#channel]", summary: "List the members of a channel"),
        Command(name: "topic", aliases: [], usage: "/topic [#channel] [text]", summary: "Show or set the topic"),
        Command(name: "away", aliases: [], usage: "/away [message]", summary: "Mark yourself away (no message: back)"),
        Command(name: "whois", aliases: [], usage: "/whois <nick>", summary: "Show who someone is"),
        Command(name: "invite", aliases: [], usage: "/invite <nick> [#channel]", summary: "Invite someone to a channel"),
        Command(name: "kick", aliases: [], usage: "/kick [#channel] <nick> [reason]", summary: "Remove someone from a channel"),
        Command(name: "list", aliases: [], usage: "/list [pattern]", summary: "List channels"),
        Command(name: "mode", aliases: [], usage: "/mode [target] [modes] [arguments]", summary: "Show or change modes"),
        Command(name: "who", aliases: [], usage: "/who [#channel|mask]", summary: "List who is in a channel or matches a mask"),
        Command(name: "op", aliases: [], usage: "/op <nick>…", summary: "Make someone a channel operator"),
        Command(name: "deop", aliases: [], usage: "/deop <nick>…", summary: "Take channel operator status away"),
        Command(name: "voice", aliases: [], usage: "/voice <nick>…", summary: "Let someone speak in a moderated channel"),
        Command(name: "devoice", aliases: [], usage: "/devoice <nick>…", summary: "Take the voice away"),
        Command(name: "ban", aliases: [], usage: "/ban [nick|mask]", summary: "Ban someone from the channel (no argument: list bans)"),
        Command(name: "unban", aliases: [], usage: "/unban <nick|mask>", summary: "Lift a ban"),
        Command(name: "ignore", aliases: [], usage: "/ignore [nick]", summary: "Hide what someone says (no argument: list)"),
        Command(name: "unignore", aliases: [], usage: "/unignore <nick>", summary: "Show what someone says again"),
        Command(name: "clear", aliases: [], usage: "/clear", summary: "Clear the current buffer"),
        Command(name: "set", aliases: [], usage: "/set [name [value]]", summary: "Show or change a setting (kept in client.conf)"),
        Command(name: "unset", aliases: [], usage: "/unset <name>", summary: "Remove a setting from client.conf"),
        Command(name: "bind", aliases: [], usage: "/bind [key [command]]", summary: "Bind a key to a command (no argument: list; kept in client.conf)"),
        Command(name: "unbind", aliases: [], usage: "/unbind <key>", summary: "Remove a key binding"),
        Command(name: "search", aliases: [], usage: "/search <text>", summary: "Search the history of the current buffer"),
        Command(name: "context", aliases: [], usage: "/context <n>", summary: "Show the conversation around search result n"),
        Command(name: "network", aliases: [], usage: "/network [name|number]", summary: "Show another network (no argument: list them)"),
        Command(name: "buffer", aliases: ["window", "win"], usage: "/buffer <number|name>", summary: "Go to a buffer"),
        Command(name: "help", aliases: [], usage: "/help [command]", summary: "Show help"),
        Command(name: "quote", aliases: ["raw"], usage: "/quote <raw IRC line>", summary: "Send a raw line"),
        Command(name: "register", aliases: [], usage: "/register <password>", summary: "Register an account named after your nick"),
        Command(name: "identify", aliases: ["login"], usage: "/identify [account] <password>", summary: "Log in to your account"),
        Command(name: "trust", aliases: [], usage: "/trust", summary: "Trust the server's certificate (pins it)"),
    ]

    /// Every name a command can be typed as, for completion.
    public static var commandNames: [String] { commands.flatMap { [$0.name] + $0.aliases }.sorted() }

    /// The table entry for a typed name or alias.
    public static func command(named name: String) -> Command? {
        let name = name.lowercased()
        return commands.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// Parses one input line.
    ///
    /// - Returns: `nil` for an empty (or all-space) line, which does nothing.
    /// - Throws: ``UserInputError/unknown(_:)`` for an unknown command (never sent raw),
    ///   ``UserInputError/usage(_:)`` when required arguments are missing.
    public static func parse(_ line: String) throws(UserInputError) -> UserInput? {
        if line.allSatisfy({ $0 == " " || $0 == "\t" }) { return nil }
        guard line.hasPrefix("/") else { return .text(line) }
        if line.hasPrefix("//") { return .text(String(line.dropFirst())) }

        let body = line.dropFirst()
        // "/ text" has no command name.
        if body.first == " " || body.first == "\t" { throw .unknown("") }
        let (word, rest) = nextWord(body)
        guard let command = command(named: String(word)) else { throw .unknown(String(word)) }
        switch command.name {
        case "join":
            let (channel, afterChannel) = nextWord(rest)
            guard !channel.isEmpty else { throw usage(command) }
            let (key, _) = nextWord(afterChannel)
            return .join(channel: String(channel), key: key.isEmpty ? nil : String(key))
        case "part":
            let (first, afterFirst) = nextWord(rest)
            if isChannelName(first) { return .part(channel: String(first), reason: nonEmpty(afterFirst)) }
            return .part(channel: nil, reason: nonEmpty(rest))
        case "close":
            return .close(reason: nonEmpty(rest))
        case "quit":
            return .quit(reason: nonEmpty(rest))
        case "nick":
            let (nick, extra) = nextWord(rest)
            guard !nick.isEmpty, nonEmpty(extra) == nil else { throw usage(command) }
            return .nick(String(nick))
        case "me":
            guard let text = nonEmpty(rest) else { throw usage(command) }
            return .action(text)
        case "msg", "notice":
            let (target, text) = nextWord(rest)
            guard !target.isEmpty, let text = nonEmpty(text) else { throw usage(command) }
            return command.name == "msg" ? .message(target: String(target), text: text) : .notice(target: String(target), text: text)
        case "query":
            let (nick, text) = nextWord(rest)
            guard !nick.isEmpty else { throw usage(command) }
            return .query(nick: String(nick), text: nonEmpty(text))
        case "names":
            let (channel, _) = nextWord(rest)
            return .names(channel: channel.isEmpty ? nil : String(channel))
        case "topic":
            let (first, afterFirst) = nextWord(rest)
            if isChannelName(first) { return .topic(channel: String(first), text: nonEmpty(afterFirst)) }
            return .topic(channel: nil, text: nonEmpty(rest))
        case "away":
            return .away(nonEmpty(rest))
        case "whois":
            let (nick, _) = nextWord(rest)
            guard !nick.isEmpty else { throw usage(command) }
            return .whois(String(nick))
        case "invite":
            let (nick, afterNick) = nextWord(rest)
            guard !nick.isEmpty else { throw usage(command) }
            let (channel, _) = nextWord(afterNick)
            return .invite(nick: String(nick), channel: channel.isEmpty ? nil : String(channel))
        case "kick":
            var (first, afterFirst) = nextWord(rest)
            var channel: String?
            if isChannelName(first) {
                channel = String(first)
                (first, afterFirst) = nextWord(afterFirst)
            }
            guard !first.isEmpty else { throw usage(command) }
            return .kick(channel: channel, nick: String(first), reason: nonEmpty(afterFirst))
        case "list":
            return .list(nonEmpty(rest))
        case "mode":
            let words = rest.split(separator: " ").map(String.init)
            // Alone: the current channel's modes.
            guard let first = words.first else { return .mode(target: nil, modes: []) }
            if first.hasPrefix("+") || first.hasPrefix("-") { return .mode(target: nil, modes: words) }
            return .mode(target: first, modes: Array(words.dropFirst()))
        case "clear":
            return .clear
        case "set":
            let (name, value) = nextWord(rest)
            return .set(name: name.isEmpty ? nil : String(name), value: nonEmpty(value))
        case "unset":
            guard let name = nonEmpty(rest) else { throw usage(command) }
            return .unset(name)
        case "buffer":
            guard let name = nonEmpty(rest) else { throw usage(command) }
            return .buffer(name)
        case "help":
            let (topic, _) = nextWord(rest)
            let name = topic.hasPrefix("/") ? topic.dropFirst() : topic
            return .help(command: name.isEmpty ? nil : name.lowercased())
        case "quote":
            guard let raw = nonEmpty(rest) else { throw usage(command) }
            return .raw(raw)
        case "search":
            guard let text = nonEmpty(rest) else { throw usage(command) }
            return .search(text)
        case "context":
            guard let text = nonEmpty(rest), let number = Int(text), number >= 1 else { throw usage(command) }
            return .context(number)
        case "trust":
            return .trust
        case "register":
            guard let password = nonEmpty(rest) else { throw usage(command) }
            return .register(password: password)
        case "identify":
            let (first, afterFirst) = nextWord(rest)
            let (second, _) = nextWord(afterFirst)
            guard !first.isEmpty else { throw usage(command) }
            return second.isEmpty ? .identify(account: nil, password: String(first))
                : .identify(account: String(first), password: String(second))
        case "who":
            let (mask, _) = nextWord(rest)
            return .who(mask.isEmpty ? nil : String(mask))
        case "op", "deop", "voice", "devoice":
            let nicks = rest.split(separator: " ").map(String.init)
            guard !nicks.isEmpty else { throw usage(command) }
            let mode = ["op": "+o", "deop": "-o", "voice": "+v", "devoice": "-v"][command.name]!
            return .memberMode(mode: mode, nicks: nicks)
        case "ban", "unban":
            let (mask, _) = nextWord(rest)
            if command.name == "unban", mask.isEmpty { throw usage(command) }
            return .ban(mask: mask.isEmpty ? nil : String(mask), adding: command.name == "ban")
        case "bind":
            let (key, command) = nextWord(rest)
            return .bind(key: key.isEmpty ? nil : String(key), command: nonEmpty(command))
        case "network":
            let (name, _) = nextWord(rest)
            return .network(name.isEmpty ? nil : String(name))
        case "unbind":
            let (key, _) = nextWord(rest)
            guard !key.isEmpty else { throw usage(command) }
            return .unbind(String(key))
        case "ignore", "unignore":
            let (nick, _) = nextWord(rest)
            if command.name == "unignore", nick.isEmpty { throw usage(command) }
            return .ignore(nick.isEmpty ? nil : String(nick), adding: command.name == "ignore")
        default:
            preconditionFailure("command \(command.name) is in the table but not parsed")
        }
    }

    private static func usage(_ command: Command) -> UserInputError {
        .usage("Usage: \(command.usage)")
    }

    /// Splits off the first space-separated word; the rest has its leading spaces removed.
    private static func nextWord(_ text: Substring) -> (word: Substring, rest: Substring) {
        let trimmed = text.drop { $0 == " " }
        guard let space = trimmed.firstIndex(of: " ") else { return (trimmed, trimmed[trimmed.endIndex...]) }
        return (trimmed[..<space], trimmed[space...].drop { $0 == " " })
    }

    /// The text with trailing spaces removed, or `nil` when nothing is left.
    private static func nonEmpty(_ text: Substring) -> String? {
        var end = text.endIndex
        while end > text.startIndex, text[text.index(before: end)] == " " {
            end = text.index(before: end)
        }
        return end == text.startIndex ? nil : String(text[..<end])
    }

    private static func isChannelName(_ word: Substring) -> Bool {
        word.first == "#" || word.first == "&"
    }
}

/// Why an input line could not become a ``UserInput``.
public enum UserInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `/name` is not a known command (the line is not sent).
    case unknown(String)
    /// Required arguments are missing; the text shows the usage.
    case usage(String)

    public var description: String {
        switch self {
        case .unknown(let name): "Unknown command: /\(name). Type /help for a list of commands."
        case .usage(let text): text
        }
    }
}
