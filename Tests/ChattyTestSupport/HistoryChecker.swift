import ChatCore

/// The judge of a fault test across all its clients (Jepsen style): each client's record of what it
/// was shown (checker messages `<nick> <seq> <deps>`, see ``TranscriptChecker``), whether it stayed
/// connected to a server that stayed up, and the member list it ended with. The verdict is a list
/// of problems, empty when every promise held:
///
/// - each transcript on its own: FIFO per sender, exactly once, causal order (``TranscriptChecker``);
/// - no loss among those that stayed: a client that stayed was shown every message of every sender
///   that stayed (a sender whose server died may have lost what it sent last);
/// - one message, one id: a message shown with a `msgid` (clients with `message-tags`) by several
///   clients, on whichever server, carries the same one everywhere;
/// - convergence: every client that stayed ends with the same member list.
public enum HistoryChecker {
    public struct Client: Sendable {
        public var name: String
        /// Whether it and its server stayed up for the whole test.
        public var stayed: Bool
        /// Everything it was shown, in order.
        public var shown: [IRCMessage]
        /// Its member list of the test channel once the faults healed (`nil`: not recorded).
        public var members: Set<String>?

        public init(name: String, stayed: Bool = true, shown: [IRCMessage], members: Set<String>? = nil) {
            self.name = name
            self.stayed = stayed
            self.shown = shown
            self.members = members
        }
    }

    /// Every problem found; `perSender` messages were sent by each client.
    public static func check(_ clients: [Client], perSender: Int) -> [String] {
        var problems: [String] = []
        let stayers = clients.filter(\.stayed).map(\.name)
        for client in clients {
            // Order and causality always; loss only where both ends stayed.
            let expected = client.stayed ? stayers : []
            let found = TranscriptChecker.check(client.shown, me: client.name, senders: expected, perSender: perSender)
            problems += found.map { "\(client.name): \($0)" }
        }
        var ids: [String: (msgid: String, client: String)] = [:]
        for client in clients {
            for message in client.shown where message.command == "PRIVMSG" {
                guard let entry = TranscriptChecker.received([message]).first else { continue }
                let key = "\(entry.sender) \(entry.sequence)"
                guard let msgid = message.tag("msgid") else { continue }
                if let first = ids[key], first.msgid != msgid {
                    problems.append("\(key) is \(first.msgid) at \(first.client) but \(msgid) at \(client.name) (one message, one id)")
                } else if ids[key] == nil {
                    ids[key] = (msgid, client.name)
                }
            }
        }
        let lists = clients.filter(\.stayed).compactMap { client in client.members.map { (client.name, $0) } }
        if let (firstName, first) = lists.first {
            for (name, members) in lists.dropFirst() where members != first {
                problems.append("members differ: \(firstName) has \(first.sorted()), \(name) has \(members.sorted()) (convergence)")
            }
        }
        return problems
    }
}
