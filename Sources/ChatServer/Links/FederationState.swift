import ChatCore
import NIOCore

/// The link side of a federated server, kept under the hub's lock with the ``ServerState``:
/// causal delivery, the links and their outboxes, a bounded history for re-synchronisation,
/// and what the network told us about other servers.
struct FederationState {
    struct Link {
        var channel: Channel
        var loop: Int
        /// Set once the peer authenticated; only then does the link carry events.
        var peer: OriginID?
        var buffer: ByteBuffer?
        var dirty = false
        var closing = false
        /// Test knob: ms to delay every line sent on this link.
        var delay = 0
    }

    let local: OriginID
    var causal: CausalDelivery<IRCMessage>
    var links: [Int: Link] = [:]
    var nextLinkID = 0
    /// Delivered events in delivery order (a causal order), newest last, as their `EV` lines:
    /// replayed to a peer that missed them, and dropping the oldest releases one buffer.
    var history = CircularBuffer<HistoryEntry>()
    let historyLimit: Int
    /// Authenticated peers by server name, and how many links each has.
    var peers: [String: OriginID] = [:]
    var linkCount: [String: Int] = [:]
    /// Server name → link address, learned from the network (gossip), including our own.
    var addresses: [String: String] = [:]
    let testLinkDelays: [String: Int]

    init(local: OriginID, configuration: FederationConfiguration) {
        self.local = local
        self.causal = CausalDelivery(local: local, holdBackLimit: configuration.holdBackLimit)
        self.historyLimit = configuration.historyLimit
        self.testLinkDelays = configuration.testLinkDelays
        self.addresses[local.name] = configuration.linkListen.description
    }

    mutating func remember(_ event: Stamped<IRCMessage>, wire: ByteBuffer) {
        if history.count >= historyLimit { history.removeFirst() }
        history.append(HistoryEntry(origin: event.origin, sequence: event.sequence, wire: wire))
    }

    /// An event as kept in the history: who made it, its number, and its encoded `EV` line.
    struct HistoryEntry {
        let origin: OriginID
        let sequence: UInt64
        let wire: ByteBuffer
    }

    var authenticatedLinks: [Int] {
        links.keys.filter { links[$0]?.peer != nil && links[$0]?.closing == false }.sorted()
    }

    /// `SERVERS name=host:port …`: what we know, for gossip.
    var serversMessage: IRCMessage {
        IRCMessage(command: "SERVERS", parameters: addresses.keys.sorted().map { "\($0)=\(addresses[$0]!)" })
    }
}
