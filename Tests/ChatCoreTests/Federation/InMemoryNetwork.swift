import NIOCore

@testable import ChatCore

/// Several servers back to back in memory: each a ``ServerState`` with a ``FederationMachine``,
/// linked by a test transport that carries link bytes with a per-direction delay in virtual time.
/// It carries out the machines' actions as the server's hub does, without sockets or threads.
struct InMemoryNetwork {
    struct Node {
        var name: String
        var server: ServerState
        var machine: FederationMachine
        /// Our link id → (peer node, the peer's link id for the same connection).
        var links: [Int: (node: Int, link: Int)] = [:]
        var inbox: [ClientID: [IRCMessage]] = [:]
        /// What the server gave its history store, in order.
        var stored: [HistoryRecord] = []
        /// Password checks asked for (answered by the test).
        var passwordChecks: [PasswordCheck] = []
        var closed: [String] = []
    }

    struct InFlight {
        var at: Int64
        var order: Int
        var node: Int
        var link: Int
        var bytes: ByteBuffer
    }

    var nodes: [Node] = []
    /// Milliseconds every line from node `from` to node `to` spends on the wire.
    var delays: [Int: [Int: Int64]] = [:]
    var clock: Int64 = 0
    private var inFlight: [InFlight] = []
    private var order = 0
    let epoch = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    var now: Timestamp { Timestamp(millisecondsSinceEpoch: epoch.millisecondsSinceEpoch + clock) }

    init(_ names: [String]) {
        for (index, name) in names.enumerated() {
            let origin = OriginID(name: name, incarnation: "i\(index)")
            var configuration = ServerConfiguration(name: name, motd: nil)
            configuration.federated = true
            configuration.messageIDPrefix = "i\(index)-"
            configuration.historyLimit = 100
            configuration.accounts = true
            nodes.append(Node(name: name, server: ServerState(configuration: configuration, now: epoch),
                              machine: FederationMachine(local: origin, linkAddress: "127.0.0.1:\(7000 + index)")))
        }
    }

    func origin(_ node: Int) -> OriginID { nodes[node].machine.local }

    /// Opens an authenticated link between two nodes (the handshake is LinkHandshake's, tested apart).
    mutating func link(_ a: Int, _ b: Int) {
        let linkA = nodes[a].machine.linkOpened()
        let linkB = nodes[b].machine.linkOpened()
        nodes[a].links[linkA] = (b, linkB)
        nodes[b].links[linkB] = (a, linkA)
        carryOut(nodes[a].machine.linkAuthenticated(linkA, peer: origin(b)), at: a)
        carryOut(nodes[b].machine.linkAuthenticated(linkB, peer: origin(a)), at: b)
    }

    /// Every pair linked.
    mutating func fullMesh() {
        for a in nodes.indices { for b in nodes.indices where a < b { link(a, b) } }
    }

    /// Cuts the link between two nodes: bytes in flight on it are lost, both sides see it close.
    mutating func cut(_ a: Int, _ b: Int) {
        guard let (linkA, entry) = nodes[a].links.first(where: { $0.value.node == b }) else { return }
        nodes[a].links[linkA] = nil
        nodes[b].links[entry.link] = nil
        inFlight.removeAll { ($0.node == b && $0.link == entry.link) || ($0.node == a && $0.link == linkA) }
        carryOut(nodes[a].machine.linkClosed(linkA), at: a)
        carryOut(nodes[b].machine.linkClosed(entry.link), at: b)
    }

    // MARK: Clients

    mutating func register(_ nick: String, on node: Int) -> ClientID {
        let client = nodes[node].server.clientConnected(host: "127.0.0.1", now: now)
        send(client, on: node, "NICK \(nick)")
        send(client, on: node, "USER \(nick) 0 * :\(nick)")
        nodes[node].inbox[client] = []
        return client
    }

    mutating func send(_ client: ClientID, on node: Int, _ line: String) {
        let message = try! IRCMessage.parse(line)
        route(nodes[node].server.messageReceived(message, from: client, now: now), at: node)
    }

    /// What a client received, PRIVMSG texts only.
    func texts(_ client: ClientID, on node: Int) -> [String] {
        (nodes[node].inbox[client] ?? []).filter { $0.command == "PRIVMSG" }.map { $0.parameters[1] }
    }

    // MARK: Time

    /// Delivers everything in flight, in time order, until nothing is left (or `until` holds).
    mutating func run(until condition: ((InMemoryNetwork) -> Bool)? = nil) {
        while !inFlight.isEmpty {
            if let condition, condition(self) { return }
            step()
        }
    }

    /// When the next batch in flight arrives (virtual milliseconds).
    var nextDelivery: Int64? { inFlight.map(\.at).min() }

    /// Delivers the next line batch in flight.
    mutating func step() {
        guard let index = inFlight.indices.min(by: { (inFlight[$0].at, inFlight[$0].order) < (inFlight[$1].at, inFlight[$1].order) })
        else { return }
        let item = inFlight.remove(at: index)
        clock = max(clock, item.at)
        guard nodes[item.node].links[item.link] != nil else { return }
        var bytes = item.bytes
        while let line = bytes.readLine() {
            let message = try! IRCMessage.parse(line, limits: IRCLimits(maxLineLength: 64 * 1024, maxTagsLength: 8191))
            carryOut(nodes[item.node].machine.lineReceived(message, raw: line, on: item.link), at: item.node)
        }
    }

    // MARK: Carrying out actions, as the hub does

    mutating func carryOut(_ actions: [FederationMachine.Action], at node: Int) {
        for action in actions {
            switch action {
            case .send(let link, let bytes):
                transmit(bytes, from: node, link: link)
            case .sendBurst(let link):
                for message in nodes[node].server.burst() {
                    transmit(FederationMachine.wire(LinkEvent.burst(message)), from: node, link: link)
                }
            case .apply(let event, let origin):
                route(nodes[node].server.remoteEventReceived(event, from: origin, now: now), at: node)
            case .serverLinked(let name):
                nodes[node].server.serverLinked(name, description: "test")
            case .serverSplit(let name):
                route(nodes[node].server.serverSplit(name, now: now), at: node)
            case .close(let link, let reason):
                nodes[node].closed.append(reason)
                if let peer = nodes[node].links[link] { cut(node, peer.node) }
            case .learned:
                break
            }
        }
    }

    mutating func route(_ actions: [ServerAction], at node: Int) {
        for action in actions {
            switch action {
            case .send(let message, let to):
                nodes[node].inbox[to, default: []].append(message)
            case .deliver(let message, let to, let except):
                for recipient in to where recipient != except { nodes[node].inbox[recipient, default: []].append(message) }
            case .close, .registered:
                break
            case .propagate(let event):
                carryOut(nodes[node].machine.localEvent(event), at: node)
            case .record(let entry):
                nodes[node].stored.append(entry)
            case .checkPassword(let check):
                nodes[node].passwordChecks.append(check)
            case .queryHistory, .saveChannel, .saveReadMarker, .saveAccount, .redact:
                break
            }
        }
    }

    private mutating func transmit(_ bytes: ByteBuffer, from node: Int, link: Int) {
        guard let peer = nodes[node].links[link] else { return }
        order += 1
        let delay = delays[node]?[peer.node] ?? 0
        // FIFO per direction: never before what was sent earlier on the same connection.
        let last = inFlight.filter { $0.node == peer.node && $0.link == peer.link }.map(\.at).max() ?? 0
        inFlight.append(InFlight(at: max(clock + delay, last), order: order, node: peer.node, link: peer.link, bytes: bytes))
    }
}

extension ByteBuffer {
    /// Reads one CRLF-terminated line, without the CRLF.
    mutating func readLine() -> ByteBuffer? {
        guard let end = readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var line = readSlice(length: end - readerIndex + 1)!
        line.moveWriterIndex(to: line.writerIndex - 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") { line.moveWriterIndex(to: line.writerIndex - 1) }
        return line
    }
}
