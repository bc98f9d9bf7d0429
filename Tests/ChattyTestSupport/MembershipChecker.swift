import ChatCore

/// The judge of the join/leave guarantee on one server (README, docs/PROTOCOL.md): a member receives
/// every channel message delivered after its `JOIN` and none after its `PART`/`QUIT`/`KICK`, in order.
///
/// The server's order comes from a client that stayed in the channel throughout with `echo-message`
/// (a server delivers each event to all members at once, so what that client was shown — its own
/// messages echoed, everyone's JOIN, PART, QUIT and NICK — is the order the server handled them in).
/// Each other session (one connection) lists every nick it used and what it was shown.
public enum MembershipChecker {
    public struct Session: Sendable {
        public var name: String
        /// Every nick the session used (each used by no other session), so its nick changes are followed.
        public var nicks: Set<String>
        /// Everything it was shown, in order.
        public var shown: [IRCMessage]

        public init(name: String, nicks: Set<String>, shown: [IRCMessage]) {
            self.name = name
            self.nicks = nicks
            self.shown = shown
        }
    }

    /// Every problem found (empty when the guarantee held): `order` is the stayer's transcript,
    /// `sender` its nick (whose `PRIVMSG`s to `channel` are the messages checked).
    public static func check(order: [IRCMessage], channel: String, sender: String, sessions: [Session]) -> [String] {
        let mapping = CaseMapping.rfc1459
        let channelKey = mapping.fold(channel)
        var owner: [String: Int] = [:]
        for (index, session) in sessions.enumerated() {
            for nick in session.nicks { owner[mapping.fold(nick)] = index }
        }
        var expected = [[String]](repeating: [], count: sessions.count)
        var member = [Bool](repeating: false, count: sessions.count)
        for message in order {
            let source = message.sourceNick.map { mapping.fold($0) }
            switch message.command {
            case "PRIVMSG" where source == mapping.fold(sender) && message.parameters.first.map(mapping.fold) == channelKey:
                guard let text = message.parameters.last else { continue }
                for index in sessions.indices where member[index] { expected[index].append(text) }
            case "JOIN" where message.parameters.first.map(mapping.fold) == channelKey:
                if let source, let index = owner[source] { member[index] = true }
            case "PART" where message.parameters.first.map(mapping.fold) == channelKey:
                if let source, let index = owner[source] { member[index] = false }
            case "QUIT":
                if let source, let index = owner[source] { member[index] = false }
            case "KICK" where message.parameters.first.map(mapping.fold) == channelKey && message.parameters.count > 1:
                if let index = owner[mapping.fold(message.parameters[1])] { member[index] = false }
            default:
                continue
            }
        }
        var problems: [String] = []
        for (index, session) in sessions.enumerated() {
            let received = session.shown.filter {
                $0.command == "PRIVMSG" && $0.sourceNick.map(mapping.fold) == mapping.fold(sender)
                    && $0.parameters.first.map(mapping.fold) == channelKey
            }.compactMap(\.parameters.last)
            guard received != expected[index] else { continue }
            let wanted = Set(expected[index])
            let got = Set(received)
            let missing = expected[index].filter { !got.contains($0) }
            let extra = received.filter { !wanted.contains($0) }
            if !missing.isEmpty {
                problems.append("\(session.name) missed \(missing.count) message(s) sent while it was a member, first \(missing[0])")
            }
            if !extra.isEmpty {
                problems.append("\(session.name) was shown \(extra.count) message(s) sent while it was not a member, first \(extra[0])")
            }
            if missing.isEmpty && extra.isEmpty {
                problems.append("\(session.name) was shown the messages in another order (or one twice)")
            }
        }
        return problems
    }
}
