/// A point in a conversation's history: a message by its `msgid`, or an instant.
public enum HistoryReference: Sendable, Hashable {
    case msgid(String)
    case timestamp(Timestamp)

    /// `msgid=…` or `timestamp=…` (IRCv3 `server-time` format); `nil` for anything else.
    public init?(_ text: String) {
        if text.hasPrefix("msgid="), text.utf8.count > 6 {
            self = .msgid(String(text.dropFirst(6)))
        } else if text.hasPrefix("timestamp="), let time = ServerTime.parse(String(text.dropFirst(10))) {
            self = .timestamp(time)
        } else {
            return nil
        }
    }
}

/// One `CHATHISTORY` request (IRCv3 `draft/chathistory`), parsed and checked, before permissions.
public struct HistoryQuery: Sendable, Hashable {
    public enum Selection: Sendable, Hashable {
        /// The newest messages; with a reference, only those after it.
        case latest(after: HistoryReference?)
        case before(HistoryReference)
        case after(HistoryReference)
        /// About half the limit before the reference and half after it.
        case around(HistoryReference)
        /// Messages strictly between two references, in either order.
        case between(HistoryReference, HistoryReference)
        /// The conversations with activity between two instants (`TARGETS`), newest first.
        case targets(from: Timestamp, to: Timestamp)
        /// Messages containing every word of `text` (`SEARCH`, the `soju.im/search` extension), in
        /// the target or, without one, in every conversation the client may read.
        case search(SearchCriteria)
    }

    /// What a `SEARCH` looks for.
    public struct SearchCriteria: Sendable, Hashable {
        public var text: String
        /// Only messages from this nick.
        public var from: String?
        public var after: Timestamp?
        public var before: Timestamp?

        public init(text: String, from: String? = nil, after: Timestamp? = nil, before: Timestamp? = nil) {
            self.text = text
            self.from = from
            self.after = after
            self.before = before
        }
    }

    /// The channel or nick as the client wrote it; empty for `TARGETS`.
    public var target: String
    public var selection: Selection
    /// At most this many results (already capped by the server's maximum).
    public var limit: Int

    public init(target: String, selection: Selection, limit: Int) {
        self.target = target
        self.selection = selection
        self.limit = limit
    }

    /// The subcommand's name, for replies.
    public var subcommand: String {
        switch selection {
        case .latest: "LATEST"
        case .before: "BEFORE"
        case .after: "AFTER"
        case .around: "AROUND"
        case .between: "BETWEEN"
        case .targets: "TARGETS"
        case .search: "SEARCH"
        }
    }

    /// The command a failure is about: `SEARCH` for searches, else `CHATHISTORY`.
    public var command: String {
        if case .search = selection { return "SEARCH" }
        return "CHATHISTORY"
    }

    /// Why a `CHATHISTORY` line was refused, as an IRCv3 standard reply
    /// (`FAIL CHATHISTORY <code> <context…> :<description>`).
    public struct Failure: Error, Sendable, Hashable {
        /// `CHATHISTORY` or `SEARCH`.
        public var command: String
        public var code: String
        public var context: [String]
        public var description: String

        public init(command: String = "CHATHISTORY", code: String, context: [String], description: String) {
            self.command = command
            self.code = code
            self.context = context
            self.description = description
        }

        public func message(source: String) -> IRCMessage {
            IRCMessage(source: source, command: "FAIL", parameters: [command, code] + context + [description])
        }
    }

    /// Parses `SEARCH <attributes>` (`soju.im/search`): `in=`, `text=` (required), `from=`,
    /// `after=`, `before=` (server-time format) and `limit=`, separated by `;` and escaped as tag
    /// values are. A missing or larger limit becomes `maximumLimit`.
    public static func parseSearch(_ parameters: [String], maximumLimit: Int) -> Result<HistoryQuery, Failure> {
        func failure(_ code: String, _ description: String) -> Result<HistoryQuery, Failure> {
            .failure(Failure(command: "SEARCH", code: code, context: [], description: description))
        }
        guard let attributes = parameters.first, !attributes.isEmpty else {
            return failure("NEED_MORE_PARAMS", "Missing search attributes")
        }
        // The attributes are a tag section: one parser for both.
        guard !attributes.contains(" "), let parsed = try? IRCMessage.parse("@" + attributes + " SEARCH") else {
            return failure("INVALID_PARAMS", "Malformed search attributes")
        }
        var values: [String: String] = [:]
        for tag in parsed.tags { values[tag.key] = tag.value }
        let known: Set<String> = ["in", "text", "from", "after", "before", "limit"]
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) {
            return failure("INVALID_PARAMS", "Unknown search attribute \(unknown)")
        }
        guard let text = values["text"], !text.allSatisfy({ $0 == " " }) else {
            return failure("INVALID_PARAMS", "text= is required")
        }
        var criteria = SearchCriteria(text: text, from: values["from"].flatMap { $0.isEmpty ? nil : $0 })
        for (key, keyPath) in [("after", \SearchCriteria.after), ("before", \SearchCriteria.before)] {
            guard let value = values[key] else { continue }
            guard let time = ServerTime.parse(value) else {
                return failure("INVALID_PARAMS", "\(key)= must be a timestamp like 2026-12-02T12:00:00.000Z")
            }
            criteria[keyPath: keyPath] = time
        }
        var limit = maximumLimit
        if let value = values["limit"] {
            guard let requested = Int(value), requested > 0 else { return failure("INVALID_PARAMS", "limit= must be a positive number") }
            limit = min(requested, maximumLimit)
        }
        let target = values["in"] ?? ""
        if target.contains(",") { return failure("INVALID_PARAMS", "in= names one channel or nick") }
        return .success(HistoryQuery(target: target, selection: .search(criteria), limit: limit))
    }

    /// Parses the parameters of `CHATHISTORY`; a limit above `maximumLimit` is lowered to it.
    public static func parse(_ parameters: [String], maximumLimit: Int) -> Result<HistoryQuery, Failure> {
        guard let first = parameters.first else {
            return .failure(Failure(code: "NEED_MORE_PARAMS", context: [], description: "Missing subcommand"))
        }
        let subcommand = first.uppercased()
        let needed: Int
        switch subcommand {
        case "LATEST", "BEFORE", "AFTER", "AROUND", "TARGETS": needed = 4
        case "BETWEEN": needed = 5
        default:
            return .failure(Failure(code: "INVALID_PARAMS", context: [first], description: "Unknown subcommand"))
        }
        guard parameters.count >= needed else {
            return .failure(Failure(code: "NEED_MORE_PARAMS", context: [subcommand], description: "Not enough parameters"))
        }
        guard let requested = Int(parameters[needed - 1]), requested > 0 else {
            return .failure(Failure(code: "INVALID_PARAMS", context: [subcommand, parameters[needed - 1]],
                                    description: "The limit must be a positive number"))
        }
        let limit = min(requested, maximumLimit)
        func reference(_ index: Int) -> Result<HistoryReference, Failure> {
            guard let reference = HistoryReference(parameters[index]) else {
                return .failure(Failure(code: "INVALID_PARAMS", context: [subcommand, parameters[index]],
                                        description: "Expected msgid=… or timestamp=…"))
            }
            return .success(reference)
        }
        if subcommand == "TARGETS" {
            guard case .success(.timestamp(let from)) = reference(1), case .success(.timestamp(let to)) = reference(2) else {
                return .failure(Failure(code: "INVALID_PARAMS", context: [subcommand],
                                        description: "TARGETS takes two timestamp= references"))
            }
            return .success(HistoryQuery(target: "", selection: .targets(from: min(from, to), to: max(from, to)), limit: limit))
        }
        let target = parameters[1]
        guard !target.isEmpty, !target.contains(" "), !target.contains(",") else {
            return .failure(Failure(code: "INVALID_TARGET", context: [subcommand, target], description: "Invalid target"))
        }
        let selection: Selection
        switch subcommand {
        case "LATEST":
            if parameters[2] == "*" {
                selection = .latest(after: nil)
            } else {
                switch reference(2) {
                case .success(let after): selection = .latest(after: after)
                case .failure(let failure): return .failure(failure)
                }
            }
        case "BEFORE", "AFTER", "AROUND":
            switch reference(2) {
            case .success(let point):
                selection = subcommand == "BEFORE" ? .before(point) : subcommand == "AFTER" ? .after(point) : .around(point)
            case .failure(let failure):
                return .failure(failure)
            }
        default:  // BETWEEN
            switch (reference(2), reference(3)) {
            case (.success(let start), .success(let end)): selection = .between(start, end)
            case (.failure(let failure), _), (_, .failure(let failure)): return .failure(failure)
            }
        }
        return .success(HistoryQuery(target: target, selection: selection, limit: limit))
    }
}
