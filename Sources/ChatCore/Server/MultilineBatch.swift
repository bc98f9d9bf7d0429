/// One `draft/multiline` message a client is sending: `BATCH +<ref> draft/multiline <target>`, then
/// `PRIVMSG`/`NOTICE` lines tagged `batch=<ref>` (a line tagged `draft/multiline-concat` continues
/// the previous one without a line break), then `BATCH -<ref>`.
public struct MultilineBatch: Sendable, Hashable {
    /// The limits announced in `CAP LS` (`draft/multiline=max-bytes=…,max-lines=…`).
    public static let maxBytes = 4096
    public static let maxLines = 100

    public struct Line: Sendable, Hashable {
        public var text: String
        /// Joined to the previous line without a line break.
        public var concat: Bool

        public init(text: String, concat: Bool) {
            self.text = text
            self.concat = concat
        }
    }

    public let reference: String
    public let target: String
    /// The client-only tags of the `BATCH +` line (`+reply`…), relayed with the message.
    public let clientTags: [IRCMessage.Tag]
    public private(set) var command: String?
    public private(set) var lines: [Line] = []
    /// Bytes of text plus one per line break, as the specification counts them.
    public private(set) var bytes = 0
    /// The `label` of the `BATCH +` line (`labeled-response`), for the echo's opening `BATCH`.
    public var label: String?

    public init(reference: String, target: String, clientTags: [IRCMessage.Tag]) {
        self.reference = reference
        self.target = target
        self.clientTags = clientTags
    }

    /// Why a batch is refused: the `FAIL BATCH <code> [<detail>] :<text>` it is answered with.
    public struct Failure: Error, Sendable, Hashable {
        public let code: String
        public let detail: String?
        public let text: String
    }

    /// Adds one line of the batch.
    public mutating func add(_ message: IRCMessage) throws(Failure) {
        guard message.command == "PRIVMSG" || message.command == "NOTICE" else {
            throw Failure(code: "MULTILINE_INVALID", detail: nil, text: "Only PRIVMSG and NOTICE may be in a multiline batch")
        }
        if let command, command != message.command {
            throw Failure(code: "MULTILINE_INVALID", detail: nil, text: "PRIVMSG and NOTICE cannot be mixed in one batch")
        }
        guard message.parameters.count >= 2, CaseMapping.fold(message.parameters[0]) == CaseMapping.fold(target) else {
            throw Failure(code: "MULTILINE_INVALID_TARGET", detail: message.parameters.first ?? "*",
                          text: "Every line must go to the batch's target")
        }
        let concat = message.tag("draft/multiline-concat") != nil
        let text = message.parameters[1]
        if concat, text.isEmpty || lines.isEmpty {
            throw Failure(code: "MULTILINE_INVALID", detail: nil, text: "A concatenated line must follow a line and not be empty")
        }
        command = message.command
        bytes += text.utf8.count + (lines.isEmpty || concat ? 0 : 1)
        lines.append(Line(text: text, concat: concat))
        if bytes > Self.maxBytes {
            throw Failure(code: "MULTILINE_MAX_BYTES", detail: String(Self.maxBytes), text: "Multiline batch is too long")
        }
        if lines.count > Self.maxLines {
            throw Failure(code: "MULTILINE_MAX_LINES", detail: String(Self.maxLines), text: "Multiline batch has too many lines")
        }
    }

    /// The whole text, lines joined with line breaks (concatenated lines without).
    public var text: String {
        var result = ""
        for (index, line) in lines.enumerated() {
            if index > 0, !line.concat { result += "\n" }
            result += line.text
        }
        return result
    }
}
