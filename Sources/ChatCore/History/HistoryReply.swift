/// The lines that answer a ``HistoryRequest`` once the store has read it: a `chathistory` batch
/// (IRCv3 `batch`) of the stored messages, or a `draft/chathistory-targets` batch for `TARGETS`.
/// The first line carries the request's label.
public enum HistoryReply {
    /// One conversation with activity, for `TARGETS`.
    public struct Target: Sendable, Hashable {
        public var name: String
        public var latest: Timestamp

        public init(name: String, latest: Timestamp) {
            self.name = name
            self.latest = latest
        }
    }

    /// The stored `entries` (oldest first) as the client may see them: events (`JOIN`, `PART`, …)
    /// only with `draft/event-playback`, `TAGMSG` only with it and `message-tags`; lines the store
    /// holds but cannot parse are left out.
    public static func messages(_ entries: [HistoryEntry], for request: HistoryRequest, capabilities: CapabilitySet,
                                batchID: String, source: String) -> [IRCMessage] {
        var messages: [IRCMessage] = []
        messages.reserveCapacity(entries.count)
        let playsEvents = capabilities.contains(.eventPlayback)
        let playsTags = playsEvents && capabilities.contains(.messageTags)
        for entry in entries {
            switch entry.command {
            case "PRIVMSG", "NOTICE": break
            case "TAGMSG": guard playsTags else { continue }
            default: guard playsEvents else { continue }
            }
            // A stored line may be longer than a client may send (the server added the source).
            guard let message = try? IRCMessage.parse(entry.line, limits: IRCLimits(maxLineLength: 16_384, maxTagsLength: 32_768)) else {
                continue
            }
            messages.append(message)
        }
        if case .search = request.query.selection {
            return wrap(messages, type: "soju.im/search", batchParameters: [], request: request,
                        capabilities: capabilities, batchID: batchID, source: source)
        }
        return wrap(messages, type: "chathistory", batchParameters: [request.query.target], request: request,
                    capabilities: capabilities, batchID: batchID, source: source)
    }

    /// `CHATHISTORY TARGETS <name> <time>` lines, newest first as the store returns them.
    public static func targets(_ targets: [Target], for request: HistoryRequest, capabilities: CapabilitySet,
                               batchID: String, source: String) -> [IRCMessage] {
        let lines = targets.map {
            IRCMessage(source: source, command: "CHATHISTORY", parameters: ["TARGETS", $0.name, $0.latest.iso8601])
        }
        return wrap(lines, type: "draft/chathistory-targets", batchParameters: [], request: request,
                    capabilities: capabilities, batchID: batchID, source: source)
    }

    /// The store could not answer (a broken disk): a standard reply, nothing else changes.
    public static func failed(_ request: HistoryRequest, source: String) -> IRCMessage {
        messageError(request, "History is unavailable right now", source: source)
    }

    /// A `msgid=` reference that names no message of the conversation.
    public static func unknownReference(_ request: HistoryRequest, source: String) -> IRCMessage {
        messageError(request, "No such message in this history", source: source)
    }

    /// `FAIL <command> MESSAGE_ERROR <subcommand> <target> :<description>`, labelled like the request.
    private static func messageError(_ request: HistoryRequest, _ description: String, source: String) -> IRCMessage {
        var reply = HistoryQuery.Failure(command: request.query.command, code: "MESSAGE_ERROR",
                                         context: [request.query.subcommand, request.query.target],
                                         description: description).message(source: source)
        if let label = request.label { reply.tags = [IRCMessage.Tag("label", label)] }
        return reply
    }

    private static func wrap(_ lines: [IRCMessage], type: String, batchParameters: [String], request: HistoryRequest,
                             capabilities: CapabilitySet, batchID: String, source: String) -> [IRCMessage] {
        let labelTag = request.label.map { IRCMessage.Tag("label", $0) }
        guard capabilities.contains(.batch) else {
            guard let labelTag else { return lines }
            guard var first = lines.first else {
                return [IRCMessage(tags: [labelTag], source: source, command: "ACK")]
            }
            first.tags.insert(labelTag, at: 0)
            return [first] + lines.dropFirst()
        }
        var out: [IRCMessage] = []
        out.reserveCapacity(lines.count + 2)
        out.append(IRCMessage(tags: labelTag.map { [$0] } ?? [], source: source, command: "BATCH",
                              parameters: ["+" + batchID, type] + batchParameters))
        let batchTag = IRCMessage.Tag("batch", batchID)
        for var line in lines {
            line.tags.insert(batchTag, at: 0)
            out.append(line)
        }
        out.append(IRCMessage(source: source, command: "BATCH", parameters: ["-" + batchID]))
        return out
    }
}
