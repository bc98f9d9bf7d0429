/// Commands that tell about the server and its past users: `WHOWAS`, `TIME`, `INFO`, `HELP`.
extension ServerState {
    /// `WHOWAS <nick>[,<nick>…] [<count>]`: the latest users of each nick, most recent first
    /// (all of them when `count` is missing or not positive), 314/312 per entry, 406 for none, 369.
    func handleWhowas(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        guard let targets = message.parameters.first, !targets.isEmpty else {
            reply(id, Numeric.noNicknameGiven, "No nickname given", into: &actions)
            return
        }
        let count = message.parameters.count > 1 ? Int(message.parameters[1]) ?? 0 : 0
        for nick in targets.split(separator: ",").prefix(configuration.maxTargets) {
            let entries = nickHistory.lookup(String(nick), count: count)
            if entries.isEmpty {
                reply(id, Numeric.wasNoSuchNick, String(nick), "There was no such nickname", into: &actions)
            }
            for entry in entries {
                reply(id, Numeric.whowasUser, entry.nick, entry.user, entry.host, "*", entry.realName, into: &actions)
                reply(id, Numeric.whoisServer, entry.nick, entry.server, entry.time.iso8601, into: &actions)
            }
        }
        reply(id, Numeric.endOfWhowas, targets, "End of WHOWAS", into: &actions)
    }

    /// `TIME`: 391 with the Unix time and the time in words (UTC).
    func handleTime(from id: ClientID, now: Timestamp, into actions: inout [ServerAction]) {
        reply(id, Numeric.time, configuration.name, String(now.secondsSinceEpoch), "0", now.iso8601, into: &actions)
    }

    /// `INFO`: 371 lines about the software, then 374.
    func handleInfo(from id: ClientID, into actions: inout [ServerAction]) {
        let lines = [
            "\(configuration.version) — Chatty, a chat server and terminal client in one binary.",
            "Speaks the modern IRC client protocol with IRCv3 (message tags, echo, labels, batches,",
            "history, accounts). Servers link into one network; a dead server takes only its own clients.",
            "This server: \(configuration.name) (\(configuration.description)), up since \(created.iso8601).",
        ]
        for line in lines {
            reply(id, Numeric.info, line, into: &actions)
        }
        reply(id, Numeric.endOfInfo, "End of INFO list", into: &actions)
    }

    /// `HELP [<subject>]` (and `HELPOP`): 704, 705…, 706; 524 for an unknown subject.
    func handleHelp(_ message: IRCMessage, from id: ClientID, into actions: inout [ServerAction]) {
        let subject = message.parameters.first ?? ""
        guard let lines = ServerHelp.topic(subject), let first = lines.first else {
            reply(id, Numeric.helpNotFound, subject, "No help available on this topic", into: &actions)
            return
        }
        let name = subject.isEmpty ? "*" : subject
        reply(id, Numeric.helpStart, name, first, into: &actions)
        for line in lines.dropFirst() {
            reply(id, Numeric.helpText, name, line, into: &actions)
        }
        reply(id, Numeric.endOfHelp, name, "End of /HELP", into: &actions)
    }
}
