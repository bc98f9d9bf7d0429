/// What the user typed into the input line, parsed into a command.
///
/// Parsing is pure: it does not know the active buffer or the server's channel types, so channel
/// arguments are recognised by a leading `#` or `&` and targets are left for the UI to resolve
/// (`nil` channel means "the active one").
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
    /// `/query nick [text]`: opens a private buffer (and sends `text` if given).
    case query(nick: String, text: String?)
    /// `/names [#channel]`.
    case names(channel: String?)
    /// `/topic [#channel] [text]`: without text the topic is requested.
    case topic(channel: String?, text: String?)
    /// `/clear`: clears the active buffer.
    case clear
    /// `/help [command]`.
    case help(command: String?)
    /// `/quote line` or `/raw line`: sent to the server as typed.
    case raw(String)

    /// One line of ``commands``.
    public struct CommandHelp: Sendable, Hashable {
        public var name: String
        public var usage: String
        public var summary: String
    }

    /// The commands, their usage and a one-line description, for `/help`.
    public static let commands: [CommandHelp] = [
        CommandHelp(name: "join", usage: "/join <#channel> [key]", summary: "Join a channel"),
        CommandHelp(name: "part", usage: "/part [#channel] [reason]", summary: "Leave a channel (alias /leave)"),
        CommandHelp(name: "quit", usage: "/quit [reason]", summary: "Disconnect from the server"),
        CommandHelp(name: "nick", usage: "/nick <newnick>", summary: "Change your nickname"),
        CommandHelp(name: "me", usage: "/me <action>", summary: "Send an action to the current buffer"),
        CommandHelp(name: "msg", usage: "/msg <nick|#channel> <text>", summary: "Send a message"),
        CommandHelp(name: "query", usage: "/query <nick> [text]", summary: "Open a private conversation"),
        CommandHelp(name: "names", usage: "/names [#channel]", summary: "List the members of a channel"),
        CommandHelp(name: "topic", usage: "/topic [#channel] [text]", summary: "Show or set the topic"),
        CommandHelp(name: "clear", usage: "/clear", summary: "Clear the current buffer"),
        CommandHelp(name: "help", usage: "/help [command]", summary: "Show help"),
        CommandHelp(name: "quote", usage: "/quote <raw IRC line>", summary: "Send a raw line (alias /raw)"),
    ]

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
        let name = word.lowercased()
        switch name {
        case "join", "j":
            let (channel, afterChannel) = nextWord(rest)
            guard !channel.isEmpty else { throw usage("join") }
            let (key, _) = nextWord(afterChannel)
            return .join(channel: String(channel), key: key.isEmpty ? nil : String(key))

        case "part", "leave":
            let (first, afterFirst) = nextWord(rest)
            if isChannelName(first) {
                return .part(channel: String(first), reason: nonEmpty(afterFirst))
            }
            return .part(channel: nil, reason: nonEmpty(rest))

        case "quit", "exit":
            return .quit(reason: nonEmpty(rest))

        case "nick":
            let (nick, extra) = nextWord(rest)
            guard !nick.isEmpty, nonEmpty(extra) == nil else { throw usage("nick") }
            return .nick(String(nick))

        case "me":
            guard let text = nonEmpty(rest) else { throw usage("me") }
            return .action(text)

        case "msg":
            let (target, text) = nextWord(rest)
            guard !target.isEmpty, let text = nonEmpty(text) else { throw usage("msg") }
            return .message(target: String(target), text: text)

        case "query":
            let (nick, text) = nextWord(rest)
            guard !nick.isEmpty else { throw usage("query") }
            return .query(nick: String(nick), text: nonEmpty(text))

        case "names":
            let (channel, _) = nextWord(rest)
            return .names(channel: channel.isEmpty ? nil : String(channel))

        case "topic":
            let (first, afterFirst) = nextWord(rest)
            if isChannelName(first) {
                return .topic(channel: String(first), text: nonEmpty(afterFirst))
            }
            return .topic(channel: nil, text: nonEmpty(rest))

        case "clear":
            return .clear

        case "help":
            let (command, _) = nextWord(rest)
            let topic = command.hasPrefix("/") ? command.dropFirst() : command
            return .help(command: topic.isEmpty ? nil : topic.lowercased())

        case "quote", "raw":
            guard let raw = nonEmpty(rest) else { throw usage("quote") }
            return .raw(raw)

        default:
            throw .unknown(String(word))
        }
    }

    private static func usage(_ command: String) -> UserInputError {
        let line = commands.first { $0.name == command }?.usage ?? "/\(command)"
        return .usage("Usage: \(line)")
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
