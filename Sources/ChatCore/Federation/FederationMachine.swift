import NIOCore

/// The server-link protocol after the handshake, as a value: what to do with each link line,
/// with each local event and with links coming and going. The I/O layer (the server's hub) runs
/// it under its lock beside the ``ServerState`` and carries out the returned ``Action``s in order.
///
/// The protocol (docs/PROTOCOL.md):
/// - When a link authenticates, each side sends `CLOCK <delivered vector clock>`, then its state
///   as `BURST` lines, then `SERVERS name=address…` (gossip of link addresses).
/// - Every network event travels as `@o=<origin>;s=<sequence>;vc=<clock> EV :<event line>`. It is
///   delivered in causal order (``CausalDelivery``), applied, kept in a bounded history and relayed
///   to every other link (reliable flooding: copies are dropped unread).
/// - `CLOCK` tells what the peer has delivered: events it lacks are replayed from the history.
/// - When the last link to a server closes, that server is gone: its users quit (netsplit).
public struct FederationMachine: Sendable {
    public typealias LinkID = Int

    public enum Action: Sendable, Equatable {
        /// Write these bytes (whole CRLF-terminated lines) to the link.
        case send(LinkID, ByteBuffer)
        /// Write the local server's state to the link now, as ``LinkEvent/burst(_:)`` lines.
        case sendBurst(LinkID)
        /// Apply an event from the network, made by server `origin` (or a burst entry of that server).
        case apply(IRCMessage, origin: String)
        /// A server joined the network (a first link to it authenticated).
        case serverLinked(String)
        /// A server left the network: its users quit with a netsplit reason.
        case serverSplit(String)
        /// Close the link, telling the peer why.
        case close(LinkID, reason: String)
        /// Link addresses of servers this one did not know (name → `HOST:PORT`): connect to them.
        case learned([String: String])
    }

    /// An event as kept in the history: who made it, its number, and its encoded `EV` line.
    struct HistoryEntry: Sendable {
        let origin: OriginID
        let sequence: UInt64
        let wire: ByteBuffer
    }

    public let local: OriginID
    private(set) var causal: CausalDelivery<IRCMessage>
    /// Open links; the peer is set once it authenticated, and only then does the link carry events.
    private var links: [LinkID: OriginID?] = [:]
    private var nextLinkID: LinkID = 0
    /// Delivered events in delivery order (a causal order), newest last: replayed to a peer that
    /// missed them; dropping the oldest releases one buffer.
    private var history = CircularBuffer<HistoryEntry>()
    private let historyLimit: Int
    /// Authenticated peers by server name, and how many links each has.
    private var peers: [String: OriginID] = [:]
    private var linkCount: [String: Int] = [:]
    /// Server name → link address, learned from the network (gossip), our own included.
    private var addresses: [String: String] = [:]

    public init(local: OriginID, linkAddress: String, holdBackLimit: Int = 10_000, historyLimit: Int = 10_000) {
        self.local = local
        self.causal = CausalDelivery(local: local, holdBackLimit: holdBackLimit)
        self.historyLimit = historyLimit
        self.addresses[local.name] = linkAddress
    }

    // MARK: - Events

    /// A link connection opened (not yet authenticated).
    public mutating func linkOpened() -> LinkID {
        defer { nextLinkID += 1 }
        links[nextLinkID] = .some(nil)
        return nextLinkID
    }

    /// The peer on `link` proved it knows the network secret: send it our clock, state and
    /// servers, and start carrying events.
    public mutating func linkAuthenticated(_ link: LinkID, peer: OriginID) -> [Action] {
        guard links[link] != nil else { return [] }
        var actions: [Action] = []
        if let previous = peers[peer.name], previous != peer {
            // A new incarnation: the old process is gone for good.
            let released = causal.originRemoved(previous)
            history = CircularBuffer(history.filter { $0.origin != previous })
            actions += deliver(released, from: link, relaying: nil)
            actions.append(.serverSplit(peer.name))
            linkCount[peer.name] = 0
        }
        peers[peer.name] = peer
        linkCount[peer.name, default: 0] += 1
        links[link] = peer
        actions.append(.serverLinked(peer.name))
        // Our delivered clock, then the state it describes, then who we know.
        actions.append(.send(link, Self.wire(IRCMessage(command: "CLOCK", parameters: [causal.deliveredClock.wireEncoding]))))
        actions.append(.sendBurst(link))
        actions.append(.send(link, Self.wire(serversMessage)))
        return actions
    }

    /// One line from `link`; `raw` is its wire form without CR LF (an event is relayed as it came,
    /// not encoded again).
    public mutating func lineReceived(_ message: IRCMessage, raw: ByteBuffer?, on link: LinkID) -> [Action] {
        guard let peerEntry = links[link], let peer = peerEntry else { return [.close(link, reason: "not authenticated")] }
        switch message.command {
        case "EV":
            return eventReceived(message, raw: raw, on: link)
        case "CLOCK":
            guard let text = message.parameters.first, let peerClock = VectorClock(wireEncoding: text) else {
                return [.close(link, reason: "malformed CLOCK")]
            }
            let adoption = causal.adopt(peerClock: peerClock)
            var actions = deliver(adoption.delivered, from: link, relaying: nil)
            // Replay what the peer lacks from our history (events sent while the link was down).
            actions += replay(to: link, peerClock: peerClock)
            return actions
        case "BURST":
            guard let text = message.parameters.first,
                  let entry = try? IRCMessage.parse(text, limits: IRCLimits(maxLineLength: 16_384, maxTagsLength: 32_768)) else {
                return [.close(link, reason: "malformed BURST")]
            }
            return [.apply(entry, origin: peer.name)]
        case "SERVERS":
            return gossipReceived(message.parameters, on: link)
        case "PING":
            return [.send(link, Self.wire(IRCMessage(command: "PONG", parameters: message.parameters)))]
        case "PONG":
            return []
        default:
            return [.close(link, reason: "unknown link command \(message.command)")]
        }
    }

    /// A local event: stamp it, remember it, send it to every peer.
    public mutating func localEvent(_ event: IRCMessage) -> [Action] {
        let (sequence, clock) = causal.stampLocal()
        let stamped = Stamped(origin: local, sequence: sequence, clock: clock, payload: event)
        let bytes = Self.wire(LinkEvent.encode(stamped))
        remember(stamped, wire: bytes)
        return authenticatedLinks.map { .send($0, bytes) }
    }

    /// A keepalive `PING` for `link` (only once it is authenticated).
    public func ping(_ link: LinkID, token: String) -> [Action] {
        guard let peerEntry = links[link], peerEntry != nil else { return [] }
        return [.send(link, Self.wire(IRCMessage(command: "PING", parameters: [token])))]
    }

    /// A link connection ended. When it was the last link to that server, the server is gone.
    public mutating func linkClosed(_ link: LinkID) -> [Action] {
        guard let peerEntry = links.removeValue(forKey: link), let peer = peerEntry else { return [] }
        linkCount[peer.name, default: 1] -= 1
        guard linkCount[peer.name]! <= 0, peers[peer.name] == peer else { return [] }
        linkCount[peer.name] = nil
        return [.serverSplit(peer.name)]
    }

    /// The address other servers should use to link to us (known once the listener is bound).
    public mutating func setLinkAddress(_ address: String) {
        addresses[local.name] = address
    }

    // MARK: - Queries

    /// Servers linked right now, by name.
    public var linkedServers: [String] { linkCount.filter { $0.value > 0 }.keys.sorted() }

    /// Authenticated links, in a stable order.
    var authenticatedLinks: [LinkID] {
        links.filter { $0.value != nil }.keys.sorted()
    }

    /// `SERVERS name=host:port …`: what we know, for gossip.
    var serversMessage: IRCMessage {
        IRCMessage(command: "SERVERS", parameters: addresses.keys.sorted().map { "\($0)=\(addresses[$0]!)" })
    }

    // MARK: - Internals

    private mutating func eventReceived(_ message: IRCMessage, raw: ByteBuffer?, on link: LinkID) -> [Action] {
        // Flooding brings most events more than once: drop the copies before decoding their clocks and payloads.
        if let (origin, sequence) = LinkEvent.identity(of: message), causal.hasSeen(origin, sequence: sequence) {
            return []
        }
        guard let event = LinkEvent.decode(message) else { return [.close(link, reason: "malformed event")] }
        switch causal.received(event) {
        case .delivered(let events):
            return deliver(events, from: link, relaying: raw)
        case .held, .duplicate, .fromRemovedOrigin:
            return []
        case .overflow:
            return [.close(link, reason: "hold-back queue overflow; re-synchronising")]
        case .invalid(let reason):
            return [.close(link, reason: "invalid event: \(reason)")]
        }
    }

    /// History entries the peer has not delivered (by its clock), oldest first.
    func replay(to link: LinkID, peerClock: VectorClock) -> [Action] {
        history.filter { $0.sequence > peerClock[$0.origin] && !causal.isRemoved($0.origin) }.map { .send(link, $0.wire) }
    }

    /// `SERVERS` from a peer: remember new addresses, tell the other peers, connect to the new ones.
    private mutating func gossipReceived(_ entries: [String], on link: LinkID) -> [Action] {
        var learned: [String: String] = [:]
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            // A link address names its port: parsed with no default, so a bare host is refused.
            guard parts.count == 2, let address = BindAddress.parse(parts[1], defaultPort: -1), address.port >= 0,
                  parts[0].utf8.count <= 63 else { continue }
            if addresses[parts[0]] == nil {
                addresses[parts[0]] = parts[1]
                learned[parts[0]] = parts[1]
            }
        }
        guard !learned.isEmpty else { return [] }
        // Tell the other peers too, so everyone converges on the full mesh.
        let servers = Self.wire(serversMessage)
        return authenticatedLinks.filter { $0 != link }.map { .send($0, servers) } + [.learned(learned)]
    }

    /// Delivered events: each is remembered, relayed to every other peer and applied here.
    /// `raw`, if given, is the `EV` line of the first event as it arrived: relayed and kept as it
    /// is instead of being encoded again.
    private mutating func deliver(_ events: [Stamped<IRCMessage>], from source: LinkID, relaying raw: ByteBuffer?) -> [Action] {
        var actions: [Action] = []
        let others = authenticatedLinks.filter { $0 != source }
        actions.reserveCapacity(events.count * (others.count + 1))
        for (position, event) in events.enumerated() {
            // Encoded once: the same bytes go to every other peer and into the history.
            let bytes: ByteBuffer
            if position == 0, let raw {
                var relayed = ByteBuffer()
                relayed.reserveCapacity(raw.readableBytes + 2)
                relayed.writeImmutableBuffer(raw)
                relayed.writeStaticString("\r\n")
                bytes = relayed
            } else {
                bytes = Self.wire(LinkEvent.encode(event))
            }
            remember(event, wire: bytes)
            for other in others { actions.append(.send(other, bytes)) }
            actions.append(.apply(event.payload, origin: event.origin.name))
        }
        return actions
    }

    private mutating func remember(_ event: Stamped<IRCMessage>, wire: ByteBuffer) {
        if history.count >= historyLimit { history.removeFirst() }
        history.append(HistoryEntry(origin: event.origin, sequence: event.sequence, wire: wire))
    }

    /// One message as a CRLF-terminated wire line.
    public static func wire(_ message: IRCMessage) -> ByteBuffer {
        var buffer = ByteBuffer()
        message.serialize(into: &buffer)
        return buffer
    }
}
