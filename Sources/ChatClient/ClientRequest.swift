import ChatCore

/// What the user asks of the connection; each becomes one ``ClientStateMachine`` call.
public enum ClientRequest: Sendable, Hashable {
    case message(target: String, text: String)
    case notice(target: String, text: String)
    case action(target: String, text: String)
    case join(channel: String, key: String?)
    case part(channel: String, reason: String?)
    case quit(reason: String?)
    case nick(String)
    case names(channel: String)
    case requestTopic(channel: String)
    case setTopic(channel: String, text: String)
    /// A command built from what the user typed (`AWAY`, `WHOIS`, `KICK`…).
    case command(IRCMessage)
    case raw(String)
    /// Ask the server to confirm it processed everything sent so far (``ClientEvent/synced(token:)``).
    case sync(token: String)
    /// The page of history before the oldest message shown in `target` (scrolling back).
    case olderHistory(target: String)
    /// Search the history of `target` (all conversations when `nil`) for `text`.
    case search(text: String, target: String?)
    /// The messages around `msgid` in `target` (a search result in its context).
    case context(msgid: String, target: String)
    /// You have read `target` up to `time` (`draft/read-marker`).
    case markRead(target: String, time: Timestamp)
    /// `/register PASSWORD`: an account named after the current nick.
    case registerAccount(password: String)
    /// `/identify [ACCOUNT] PASSWORD`: log in (the current nick's account by default).
    case identify(account: String?, password: String)
    /// Tell `target` we are typing (`active`), paused, or `done`.
    case typing(target: String, state: String)
    /// Watch (or stop watching) whether `nick` is online.
    case monitor(nick: String, watch: Bool)
    /// Several lines for `target` at once (a paste): one `draft/multiline` message where offered.
    case lines(target: String, lines: [String])

    /// Runs the request against the machine, returning the actions to carry out.
    public func apply<R: RandomNumberGenerator>(to machine: inout ClientStateMachine<R>, now: Timestamp) -> [ClientAction] {
        switch self {
        case .message(let target, let text): machine.sendMessage(target: target, text: text, now: now)
        case .notice(let target, let text): machine.sendNotice(target: target, text: text, now: now)
        case .action(let target, let text): machine.sendAction(target: target, text: text, now: now)
        case .join(let channel, let key): machine.join(channel: channel, key: key)
        case .part(let channel, let reason): machine.part(channel: channel, reason: reason)
        case .quit(let reason): machine.userQuit(reason: reason)
        case .nick(let nick): machine.changeNick(nick)
        case .names(let channel): machine.requestNames(channel: channel)
        case .requestTopic(let channel): machine.requestTopic(channel: channel)
        case .setTopic(let channel, let text): machine.setTopic(channel: channel, topic: text)
        case .command(let message): machine.sendCommand(message)
        case .raw(let line): machine.sendRaw(line)
        case .sync(let token): machine.syncWithServer(token: token)
        case .olderHistory(let target): machine.requestOlderHistory(target: target)
        case .search(let text, let target): machine.search(text, in: target)
        case .context(let msgid, let target): machine.context(of: msgid, in: target)
        case .markRead(let target, let time): machine.markRead(target: target, time: time)
        case .registerAccount(let password): machine.registerAccount(password: password)
        case .identify(let account, let password):
            machine.identify(SASLLogin(account: account ?? machine.nick, password: password))
        case .typing(let target, let state): machine.sendTyping(target: target, state: state)
        case .monitor(let nick, let watch): machine.monitor(nick, watch: watch)
        case .lines(let target, let lines): machine.sendLines(target: target, lines: lines, now: now)
        }
    }
}
