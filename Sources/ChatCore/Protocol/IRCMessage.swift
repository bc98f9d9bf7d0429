/// One IRC protocol message: optional IRCv3 tags, optional source, a command and its parameters.
///
/// The value is the decoded, logical form: tag values are unescaped, the trailing parameter is an
/// ordinary last parameter. ``IRCMessage/parse(_:limits:)`` and ``IRCMessage/serialize(into:)``
/// convert between this form and wire lines, and `parse(serialize(m)) == m` for every valid `m`.
public struct IRCMessage: Sendable, Hashable {
    /// IRCv3 message tags in the order they appeared. A tag without a value has an empty `value`
    /// (the specification treats a missing value and an empty value the same).
    public var tags: [Tag]
    /// The `:source` prefix (a server name or `nick!user@host`), if any.
    public var source: String?
    /// The command, upper-cased for words, or a three-digit numeric.
    public var command: String
    /// Parameters; only the last may be empty, contain spaces or start with `:`.
    public var parameters: [String]

    public struct Tag: Sendable, Hashable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String = "") {
            self.key = key
            self.value = value
        }
    }

    public init(tags: [Tag] = [], source: String? = nil, command: String, parameters: [String] = []) {
        self.tags = tags
        self.source = source
        self.command = command
        self.parameters = parameters
    }

    public init(tags: [Tag] = [], source: String? = nil, _ command: String, _ parameters: String...) {
        self.init(tags: tags, source: source, command: command, parameters: parameters)
    }

    /// The value of the last tag named `key`, if present (later duplicates win, per IRCv3).
    public func tag(_ key: String) -> String? {
        tags.last(where: { $0.key == key })?.value
    }

    /// The nick part of a `nick!user@host` source, or the whole source for a server.
    public var sourceNick: String? {
        guard let source else { return nil }
        // Searched as bytes: a Character search would run grapheme breaking over every source.
        if let bang = source.utf8.firstIndex(of: UInt8(ascii: "!")) { return String(source[..<bang]) }
        if let at = source.utf8.firstIndex(of: UInt8(ascii: "@")) { return String(source[..<at]) }
        return source
    }
}

/// Size limits applied when parsing and framing lines.
public struct IRCLimits: Sendable, Hashable {
    /// Maximum bytes of the non-tag part (source, command, parameters), including CRLF.
    public var maxLineLength: Int
    /// Maximum bytes of the tag section, including the leading `@` and the separating space.
    public var maxTagsLength: Int

    public init(maxLineLength: Int = 512, maxTagsLength: Int = 8191) {
        self.maxLineLength = maxLineLength
        self.maxTagsLength = maxTagsLength
    }

    /// The largest whole line (tags plus body plus CRLF) a framer should buffer.
    public var maxFrameLength: Int { maxLineLength + maxTagsLength }

    public static let standard = IRCLimits()
}

extension IRCMessage {
    /// The `ERROR` a server sends before it closes a client's connection.
    public static func closingLink(host: String, reason: String) -> IRCMessage {
        IRCMessage("ERROR", "Closing Link: \(host) (\(reason))")
    }
}
