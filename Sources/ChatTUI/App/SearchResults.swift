import ChatClient
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

    /// `/context N`: the request for result `number` (1-based) of the last server search, or why
    /// there is none.
    static func contextRequest(forResult number: Int, of results: [Result]) -> Swift.Result<ClientRequest, ContextError> {
        guard results.indices.contains(number - 1) else {
            return .failure(ContextError(description: results.isEmpty
                ? "/context: no results of a server search to show (search with /search first)"
                : "/context: there is no result \(number) (1–\(results.count))"))
        }
        return .success(.context(msgid: results[number - 1].msgid, target: results[number - 1].target))
    }

    struct ContextError: Error, CustomStringConvertible {
        var description: String
    }
}
