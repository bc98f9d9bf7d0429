import ChatCore

/// Verifies one client's transcript of checker messages (`<nick> <seq> <deps>`).
public enum TranscriptChecker {
    public struct Entry: Sendable {
        public var sender: String
        public var sequence: Int
        public var deps: [String: Int]
    }

    public static func received(_ messages: [IRCMessage]) -> [Entry] {
        messages.filter { $0.command == "PRIVMSG" }.compactMap { message in
            let parts = message.parameters[1].split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 3, let sequence = Int(parts[1]) else { return nil }
            var deps: [String: Int] = [:]
            for dep in parts[2].split(separator: ",") {
                let pair = dep.split(separator: ":")
                if pair.count == 2, let count = Int(pair[1]) { deps[String(pair[0])] = count }
            }
            return Entry(sender: String(parts[0]), sequence: sequence, deps: deps)
        }
    }

    /// The highest sequence seen from each other sender (the causal past of the next message).
    public static func lastSeen(_ messages: [IRCMessage], me: String) -> [String: Int] {
        var seen: [String: Int] = [:]
        for entry in received(messages) where entry.sender != me {
            seen[entry.sender] = max(seen[entry.sender] ?? 0, entry.sequence)
        }
        return seen
    }

    /// FIFO per sender, exactly once, causal order (every dependency shown before), and no loss.
    public static func check(_ messages: [IRCMessage], me: String, senders: [String], perSender: Int) -> [String] {
        var problems: [String] = []
        var delivered: [String: Int] = [:]
        for entry in received(messages) {
            let expected = (delivered[entry.sender] ?? 0) + 1
            if entry.sequence != expected {
                problems.append("\(entry.sender) \(entry.sequence) arrived when \(expected) was next (FIFO/exactly-once)")
            }
            delivered[entry.sender] = max(delivered[entry.sender] ?? 0, entry.sequence)
            for (dependency, count) in entry.deps where dependency != me && (delivered[dependency] ?? 0) < count {
                problems.append("\(entry.sender) \(entry.sequence) shown before \(dependency) \(count) it answers (causal)")
            }
        }
        for sender in senders where sender != me && delivered[sender] != perSender {
            problems.append("from \(sender): \(delivered[sender] ?? 0) of \(perSender) (loss)")
        }
        return problems
    }
}

