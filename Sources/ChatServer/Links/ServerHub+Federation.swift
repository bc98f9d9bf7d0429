import ChatCore
import NIOCore

/// The hub's link side: it runs the ``FederationMachine`` under the hub's lock, so client events
/// and network events are one sequence, and carries out its actions: link bytes into the links'
/// outboxes, network events into the ``ServerState``.
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
            let id = state.federation!.machine.linkOpened()
            state.federation!.links[id] = FederationState.Link(channel: channel, loop: loop)
            return id
        }
    }

    /// The peer proved it knows the secret: burst our state to it and start carrying events.
    func linkAuthenticated(_ id: Int, peer: OriginID, now: Timestamp) -> (LinkVerdict, [String: String]) {
        run { state in
            guard state.federation != nil else { return (.keep, [:]) }
            let actions = state.federation!.machine.linkAuthenticated(id, peer: peer)
            return carryOut(actions, for: id, now: now, in: &state)
        }
    }

    /// One line from a peer; `line` is its raw form (without CR LF), which an event is relayed as.
    func linkLine(_ id: Int, _ message: IRCMessage, line: ByteBuffer? = nil, now: Timestamp) -> (LinkVerdict, [String: String]) {
        run { state in
            guard state.federation != nil else { return (.close("not federated"), [:]) }
            let actions = state.federation!.machine.lineReceived(message, raw: line, on: id)
            return carryOut(actions, for: id, now: now, in: &state)
        }
    }

    /// The address other servers should use to link to us.
    func setLinkAddress(_ address: String) {
        run { state in state.federation?.machine.setLinkAddress(address) }
    }

    /// Closes every link (shutdown).
    func closeLinks() {
        let channels = state.withLockedValue { state in state.federation?.links.values.map(\.channel) ?? [] }
        for channel in channels { channel.close(promise: nil) }
    }

    /// Sends a keepalive `PING` on a link.
    func pingLink(_ id: Int, token: String) {
        run { state in
            guard let actions = state.federation?.machine.ping(id, token: token) else { return }
            _ = carryOut(actions, for: id, now: nil, in: &state)
        }
    }

    /// A link connection ended; when it was the last link to that server, its users quit.
    func linkClosed(_ id: Int, now: Timestamp) {
        run { state in
            guard state.federation != nil else { return }
            state.federation!.links[id] = nil
            let actions = state.federation!.machine.linkClosed(id)
            _ = carryOut(actions, for: id, now: now, in: &state)
        }
    }

    /// Servers linked right now, for tests and diagnostics.
    var linkedPeers: [String] {
        state.withLockedValue { $0.federation?.machine.linkedServers ?? [] }
    }

    // MARK: Internals

    /// A local event: the machine stamps it and sends it to every peer.
    func originate(_ event: IRCMessage, in state: inout State) {
        guard state.federation != nil else { return }
        let actions = state.federation!.machine.localEvent(event)
        _ = carryOut(actions, for: nil, now: nil, in: &state)
    }

    /// Carries out the machine's actions in order. A `close` of the link whose line was being
    /// handled (`current`) becomes the verdict; learned servers are returned for the caller to
    /// connect to. `now` is nil only where no action needs it (pings, local events).
    private func carryOut(_ actions: [FederationMachine.Action], for current: Int?, now: Timestamp?,
                          in state: inout State) -> (LinkVerdict, [String: String]) {
        var verdict = LinkVerdict.keep
        var learned: [String: String] = [:]
        for action in actions {
            switch action {
            case .send(let link, let bytes):
                sendLink(link, bytes: bytes, in: &state)
            case .sendBurst(let link):
                for message in state.server.burst() {
                    sendLink(link, bytes: FederationMachine.wire(LinkEvent.burst(message)), in: &state)
                }
            case .apply(let event, let origin):
                apply(state.server.remoteEventReceived(event, from: origin, now: now ?? WallClock.now()), to: &state)
            case .serverLinked(let name):
                state.server.serverLinked(name, description: "Chatty server")
            case .serverSplit(let name):
                apply(state.server.serverSplit(name, now: now ?? WallClock.now()), to: &state)
            case .close(let link, let reason):
                if link == current {
                    verdict = .close(reason)
                } else if let channel = state.federation?.links[link]?.channel {
                    channel.close(promise: nil)
                }
            case .learned(let servers):
                learned.merge(servers) { first, _ in first }
            }
        }
        return (verdict, learned)
    }

    func sendLink(_ id: Int, bytes: ByteBuffer, in state: inout State) {
        // Only scalars are read and the buffer is mutated in place: a copy of the link would
        // make every append copy the whole pending buffer (copy-on-write).
        guard state.federation?.links[id] != nil else { return }
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
    func takeLinkWork(loop: Int, in state: inout State) -> [(Channel, ByteBuffer)] {
        let ids = state.linkDirty[loop]
        state.linkDirty[loop] = []
        guard state.federation != nil else { return [] }
        var work: [(Channel, ByteBuffer)] = []
        for id in ids {
            guard let link = state.federation!.links[id] else { continue }
            state.federation!.links[id]!.dirty = false
            if let buffer = link.buffer {
                work.append((link.channel, buffer))
                state.federation!.links[id]!.buffer = nil
            }
        }
        return work
    }
}
