/// A client connection, numbered densely by ``ServerState`` so the I/O layer can index arrays.
public struct ClientID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: ClientID, rhs: ClientID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "client#\(rawValue)" }
}

/// What the I/O layer must do after ``ServerState`` handled an event.
public enum ServerAction: Sendable, Hashable {
    /// Send one message to one client.
    case send(IRCMessage, to: ClientID)
    /// Send the same message to many clients (encode once, write to each), skipping `except`.
    case deliver(IRCMessage, to: [ClientID], except: ClientID?)
    /// Send `ERROR :<reason>` to the client, flush, and close its connection.
    case close(ClientID, reason: String)
    /// The client completed registration (start keepalive, lift the registration timeout).
    case registered(ClientID)
    /// A network event this server originated, for the other servers of a federation
    /// (tagged with the acting user's `uid`). Emitted only when ``ServerConfiguration/federated``.
    case propagate(IRCMessage)
    /// Keep this delivered message in the history store (only with ``ServerConfiguration/historyLimit``).
    case record(HistoryRecord)
    /// Answer a checked `CHATHISTORY` request from the store, then send ``HistoryReply``'s lines.
    case queryHistory(HistoryRequest)
    /// Keep a channel's topic and modes (only with ``ServerConfiguration/historyLimit``).
    case saveChannel(ChannelSnapshot)
    /// Keep a user's read marker (only with ``ServerConfiguration/historyLimit``).
    case saveReadMarker(ReadMarker)
    /// Check a password against an account's credentials, or derive new credentials, off the
    /// event loop; answer with ``ServerState/passwordChecked(_:valid:now:)`` or
    /// ``ServerState/accountCreated(_:credentials:now:)``.
    case checkPassword(PasswordCheck)
    /// Keep a new or changed account in the store.
    case saveAccount(Account)
    /// Delete a redacted message (and the lines of a multiline one, `<msgid>-<n>`) from the history.
    case redact(conversation: String, msgid: String)
}
