import ChatCore
import NIOCore

/// The hub's link side: originating events, receiving them in causal order, relaying them,
/// bursts when a link comes up and splits when a peer is gone. Everything runs under the hub's
/// lock, so client events and network events are one sequence.
extension ServerHub {
    /// What a link handler must do after the hub handled one of its lines.
    enum LinkVerdict: Equatable {
        case keep
        case close(String)
    }

    // MARK: Link lifecycle (called by LinkChannelHandler)

    /// Files a connection before authentication; its handshake lines bypass the hub.
    func registerLink(channel: Channel) -> Int? {
        let loop = loops.firstIndex { $0 === channel.eventLoop } ?? 0
        return run { state -> Int? in
            guard !state.shuttingDown, state.federation != nil else { return nil }
            let id = state.federation!.nextLinkID
            state.federation!.nextLinkID += 1
            state.federation!.links[id] = FederationState.Link(channel: channel, loop: loop)
            return id
        }
    }

    /// The peer proved it knows the secret: burst our state to it and start carrying events.
    /// Returns link addresses of servers we did not know (to connect to).
    func linkAuthenticated(_ id: Int, peer: OriginID, now: Timestamp) -> [String: String] {
        run { state -> [String: String] in
            guard var federation = state.federation, federation.links[id] != nil else { return [:] }
            var actions: [ServerAction] = []
            if let previous = federation.peers[peer.name], previous != peer {
                // A new incarnation: the old process is gone for good.
                let released = federation.causal.originRemoved(previous)
                federation.history = CircularBuffer(federation.history.filter { $0.origin != previous })
                state.federation = federation
                deliver(released, from: id, now: now, in: &state)
                federation = state.federation!
                actions += state.server.serverSplit(peer.name, now: now)
                federation.linkCount[peer.name] = 0
            }
            federation.peers[peer.name] = peer
            federation.linkCount[peer.name, default: 0] += 1
            federation.links[id]!.peer = peer
            federation.links[id]!.delay = federation.testLinkDelays[peer.name] ?? 0
            state.federation = federation
            state.server.serverLinked(peer.name, description: "Chatty server")
            apply(actions, to: &state)
            // Our delivered clock, then the state it describes, then who we know.
            sendLink(id, IRCMessage(command: "CLOCK", parameters: [state.federation!.causal.deliveredClock.wireEncoding]), in: &state)
            for message in state.server.burst() {
                sendLink(id, LinkEvent.burst(message), in: &state)
            }
            sendLink(id, state.federation!.serversMessage, in: &state)
            return [:]
        }
    }

    /// One line from an authenticated peer; `line` is its raw form (without CR LF), which an
    /// event is relayed as, instead of being encoded again.
    func linkLine(_ id: Int, _ message: IRCMessage, line: ByteBuffer? = nil, now: Timestamp) -> (LinkVerdict, [String: String]) {
        run { state -> (LinkVerdict, [String: String]) in
            guard let peer = state.federation?.links[id]?.peer else { return (.close("not authenticated"), [:]) }
            switch message.command {
            case "EV":
                // Flooding brings most events more than once: drop the copies before decoding
                // their clocks and payloads.
                if let (origin, sequence) = LinkEvent.identity(of: message),
                   state.federation!.causal.hasSeen(origin, sequence: sequence) {
                    break
                }
                guard let event = LinkEvent.decode(message) else { return (.close("malformed event"), [:]) }
                switch state.federation!.causal.received(event) {
                case .delivered(let events):
                    deliver(events, from: id, now: now, relaying: line, in: &state)
                case .held, .duplicate, .fromRemovedOrigin:
                    break
                case .overflow:
                    return (.close("hold-back queue overflow; re-synchronising"), [:])
                case .invalid(let reason):
                    return (.close("invalid event: \(reason)"), [:])
                }
            case "CLOCK":
                guard let text = message.parameters.first, let peerClock = VectorClock(wireEncoding: text) else {
                    return (.close("malformed CLOCK"), [:])
                }
                let adoption = state.federation!.causal.adopt(peerClock: peerClock)
                deliver(adoption.delivered, from: id, now: now, in: &state)
                // Replay what the peer lacks from our history (events sent while the link was down).
                let causal = state.federation!.causal
                let missing = state.federation!.history.filter {
                    $0.sequence > peerClock[$0.origin] && !causal.isRemoved($0.origin)
                }
                for entry in missing {
                    sendLink(id, bytes: entry.wire, in: &state)
                }
            case "BURST":
                guard let text = message.parameters.first,
                      let entry = try? IRCMessage.parse(text, limits: IRCLimits(maxLineLength: 16_384)) else {
                    return (.close("malformed BURST"), [:])
                }
                apply(state.server.remoteEventReceived(entry, from: peer.name, now: now), to: &state)
            case "SERVERS":
                var learned: [String: String] = [:]
                for entry in message.parameters {
                    let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
                    guard parts.count == 2, BindAddress.parse(parts[1]) != nil, parts[0].utf8.count <= 63 else { continue }
                    if state.federation!.addresses[parts[0]] == nil {
                        state.federation!.addresses[parts[0]] = parts[1]
                        learned[parts[0]] = parts[1]
                    }
                }
                if !learned.isEmpty {
                    // Tell the other peers too, so everyone converges on the full mesh.
                    let servers = state.federation!.serversMessage
                    for other in state.federation!.authenticatedLinks where other != id {
                        sendLink(other, servers, in: &state)
                    }
                }
                return (.keep, learned)
            case "PING":
                sendLink(id, IRCMessage(command: "PONG", parameters: message.parameters), in: &state)
            case "PONG":
                break
            default:
                return (.close("unknown link command \(message.command)"), [:])
            }
            return (.keep, [:])
        }
    }

    /// The address other servers should use to link to us.
    func setLinkAddress(_ address: String) {
        run { state in
            guard let name = state.federation?.local.name else { return }
            state.federation!.addresses[name] = address
        }
    }

    /// Closes every link (shutdown).
    func closeLinks() {
        let channels = state.withLockedValue { state in state.federation?.links.values.map(\.channel) ?? [] }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Sends a keepalive `PING` on a link.
    func pingLink(_ id: Int) {
        run { state in sendLink(id, IRCMessage(command: "PING", parameters: [serverName]), in: &state) }
    }

    /// A link connection ended. When it was the last link to that server, the server is gone:
    /// its users quit with a netsplit reason.
    func linkClosed(_ id: Int, now: Timestamp) {
        run { state in
            guard let link = state.federation?.links.removeValue(forKey: id), let peer = link.peer else { return }
            state.federation!.linkCount[peer.name, default: 1] -= 1
            guard state.federation!.linkCount[peer.name]! <= 0, state.federation!.peers[peer.name] == peer else { return }
            state.federation!.linkCount[peer.name] = nil
            apply(state.server.serverSplit(peer.name, now: now), to: &state)
        }
    }

    /// Servers linked right now (name → origin), for tests and diagnostics.
    var linkedPeers: [String] {
        state.withLockedValue { state in
            guard let federation = state.federation else { return [] }
            return federation.linkCount.filter { $0.value > 0 }.keys.sorted()
        }
    }

    // MARK: Internals

    /// A local event: stamp it, remember it, send it to every peer.
    func originate(_ event: IRCMessage, in state: inout State) {
        guard state.federation != nil else { return }
        let (sequence, clock) = state.federation!.causal.stampLocal()
        let stamped = Stamped(origin: state.federation!.local, sequence: sequence, clock: clock, payload: event)
        let bytes = Self.wire(LinkEvent.encode(stamped))
        state.federation!.remember(stamped, wire: bytes)
        for link in state.federation!.authenticatedLinks {
            sendLink(link, bytes: bytes, in: &state)
        }
    }

    /// Applies delivered events here and relays each to every other peer (reliable flooding;
    /// peers drop duplicates). `line`, if given, is the raw `EV` line of the first event as it
    /// arrived: it is relayed and kept as it is instead of being encoded again.
    private func deliver(_ events: [Stamped<IRCMessage>], from source: Int, now: Timestamp, relaying line: ByteBuffer? = nil,
                         in state: inout State) {
        for (position, event) in events.enumerated() {
            // Encoded once: the same bytes go to every other peer and into the history.
            let bytes: ByteBuffer
            if position == 0, let line {
                var relayed = ByteBuffer()
                relayed.reserveCapacity(line.readableBytes + 2)
                relayed.writeImmutableBuffer(line)
                relayed.writeStaticString("\r\n")
                bytes = relayed
            } else {
                bytes = Self.wire(LinkEvent.encode(event))
            }
            state.federation!.remember(event, wire: bytes)
            for link in state.federation!.authenticatedLinks where link != source {
                sendLink(link, bytes: bytes, in: &state)
            }
            apply(state.server.remoteEventReceived(event.payload, from: event.origin.name, now: now), to: &state)
        }
    }

    static func wire(_ message: IRCMessage) -> ByteBuffer {
        var buffer = ByteBuffer()
        message.serialize(into: &buffer)
        return buffer
    }

    func sendLink(_ id: Int, _ message: IRCMessage, in state: inout State) {
        sendLink(id, bytes: Self.wire(message), in: &state)
    }

    func sendLink(_ id: Int, bytes: ByteBuffer, in state: inout State) {
        // Only scalars are read and the buffer is mutated in place: a copy of the link would
        // make every append copy the whole pending buffer (copy-on-write).
        guard state.federation?.links[id]?.closing == false else { return }
        if state.federation!.links[id]!.buffer == nil {
            state.federation!.links[id]!.buffer = bytes
        } else {
            state.federation!.links[id]!.buffer!.writeImmutableBuffer(bytes)
        }
        if !state.federation!.links[id]!.dirty {
            state.federation!.links[id]!.dirty = true
            state.linkDirty[state.federation!.links[id]!.loop].append(id)
        }
    }

    /// Takes the bytes waiting for the links of one loop.
    func takeLinkWork(loop: Int, in state: inout State) -> [(Channel, ByteBuffer, Int)] {
        let ids = state.linkDirty[loop]
        state.linkDirty[loop] = []
        guard state.federation != nil else { return [] }
        var work: [(Channel, ByteBuffer, Int)] = []
        for id in ids {
            guard let link = state.federation!.links[id] else { continue }
            state.federation!.links[id]!.dirty = false
            if let buffer = link.buffer {
                work.append((link.channel, buffer, link.delay))
                state.federation!.links[id]!.buffer = nil
            }
        }
        return work
    }
}
