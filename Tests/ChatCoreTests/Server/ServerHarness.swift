@testable import ChatCore

/// Drives a ``ServerState`` like the I/O layer does and collects what each client would receive.
struct ServerHarness {
    var state: ServerState
    var now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)
    private(set) var received: [ClientID: [IRCMessage]] = [:]
    private(set) var closed: [ClientID: String] = [:]
    private(set) var registered: Set<ClientID> = []
    private(set) var propagated: [IRCMessage] = []
    private(set) var recorded: [HistoryRecord] = []
    private(set) var historyQueries: [HistoryRequest] = []
    private(set) var savedChannels: [ChannelSnapshot] = []
    private(set) var savedMarkers: [ReadMarker] = []
    /// Password checks asked for, in order (answer with `state.passwordChecked` / `accountCreated`).
    var passwordChecks: [PasswordCheck] = []
    private(set) var savedAccounts: [Account] = []
    private(set) var redacted: [(conversation: String, msgid: String)] = []

    init(configuration: ServerConfiguration = ServerConfiguration(motd: ["hello"])) {
        state = ServerState(configuration: configuration, now: Timestamp(millisecondsSinceEpoch: 1_794_999_000_000))
    }

    mutating func connect(host: String = "127.0.0.1") -> ClientID {
        state.clientConnected(host: host, now: now)
    }

    /// Sends one raw line from `client` and returns nothing; read with ``take(_:)``.
    mutating func send(_ client: ClientID, _ line: String) {
        do {
            let message = try IRCMessage.parse(line)
            route(state.messageReceived(message, from: client, now: now))
        } catch {
            route(state.invalidLineReceived(error, from: client))
        }
    }

    mutating func disconnect(_ client: ClientID, reason: String = "Connection closed") {
        route(state.clientDisconnected(client, reason: reason, now: now))
    }

    mutating func route(_ actions: [ServerAction]) {
        for action in actions {
            switch action {
            case .send(let message, let to):
                received[to, default: []].append(message)
            case .deliver(let message, let to, let except):
                for recipient in to where recipient != except {
                    received[recipient, default: []].append(message)
                }
            case .close(let client, let reason):
                closed[client] = reason
            case .registered(let client):
                registered.insert(client)
            case .propagate(let event):
                propagated.append(event)
            case .record(let entry):
                recorded.append(entry)
            case .queryHistory(let request):
                historyQueries.append(request)
            case .saveChannel(let snapshot):
                savedChannels.append(snapshot)
            case .saveReadMarker(let marker):
                savedMarkers.append(marker)
            case .checkPassword(let check):
                passwordChecks.append(check)
            case .saveAccount(let account):
                savedAccounts.append(account)
            case .redact(let conversation, let msgid):
                redacted.append((conversation, msgid))
            }
        }
    }

    /// Connects and registers a client, discarding the welcome burst.
    mutating func register(_ nick: String, caps: [String] = []) -> ClientID {
        let client = connect()
        if !caps.isEmpty {
            send(client, "CAP LS 302")
            send(client, "CAP REQ :" + caps.joined(separator: " "))
        }
        send(client, "NICK \(nick)")
        send(client, "USER \(nick.lowercased()) 0 * :Real \(nick)")
        if !caps.isEmpty { send(client, "CAP END") }
        _ = take(client)
        return client
    }

    /// Everything `client` received since the last call, as wire lines without tags or CRLF.
    mutating func take(_ client: ClientID) -> [String] {
        takeMessages(client).map { message in
            String(decoding: message.serialized(includeTags: false).utf8.dropLast(2), as: UTF8.self)
        }
    }

    mutating func takeMessages(_ client: ClientID) -> [IRCMessage] {
        defer { received[client] = [] }
        return received[client] ?? []
    }

    /// The numerics/commands of what `client` received.
    mutating func commands(_ client: ClientID) -> [String] {
        takeMessages(client).map(\.command)
    }
}
