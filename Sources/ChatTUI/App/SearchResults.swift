import ChatCore

/// The results of a server search as both front ends number them for `/context N`: those that can
/// be looked up again (they have a `msgid` and a conversation), in the order the server sent them.
enum SearchResults {
    struct Result {
        var message: ChatMessage
        /// The channel or nick whose history holds it.
        var target: String
        var msgid: String
    }

    static func numbered(_ results: [ChatMessage]) -> [Result] {
        results.compactMap { message in
            guard let msgid = message.msgid, let target = message.conversation.bufferName else { return nil }
            return Result(message: message, target: target, msgid: msgid)
        }
    }
}
