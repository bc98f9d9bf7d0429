import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// Three `chatty-tui serve` processes (a, b, c: b names a, c names b, as the README links them), each
/// on its own host of a ``NetworkLab`` and run as the unprivileged user, with one talker on each
/// (x on a, y on b, z on c) in `#lab`. The servers reach each other either over veth cables (real
/// partitions: ``NetworkLab/cut(_:_:)``) or through a ``FaultProxy`` per direction of every pair
/// (delay, stall, dropped connections, bandwidth). The test's clients come in through proxies.
///
/// `talk` has every talker send checker messages (`<nick> <seq> <deps>`) every 50 ms while the test
/// injects faults; `verdict` heals, waits until every line could have arrived, and asks the
/// ``HistoryChecker``.
final class LabFederation: @unchecked Sendable {
    // @unchecked Sendable: set up once by `start`, then only read (the proxies lock themselves).
    enum Wiring {
        /// A veth pair between every two hosts.
        case cables
        /// A proxy for every pair: in each host, the other's address leads into a ``FaultProxy``.
        case proxies
    }

    static let names = ["a", "b", "c"]
    static let nicks = ["x", "y", "z"]
    static let clientPort = 6667
    static let linkPort = 7000
    static let channel = "#lab"

    let lab: NetworkLab
    let wiring: Wiring
    private(set) var servers: [String: ServerProcess] = [:]
    private(set) var clients: [TestIRCClient] = []
    private var clientProxies: [FaultProxy] = []
    /// `linkProxies["a>c"]`: in a's namespace, listening as c and leading to c.
    private var linkProxies: [String: FaultProxy] = [:]
    private var stopped = false

    /// Skipped only outside CI where namespaces cannot be made (not root, no iproute2).
    static let available = NetworkLab.isAvailable || ProcessInfo.processInfo.environment["CI"] != nil

    /// Starts a lab network, runs `body` with it and stops it on every path (a failed test leaves
    /// no server running in a namespace).
    static func with(_ wiring: Wiring, _ body: (LabFederation) async throws -> Void) async throws {
        let network = try LabFederation(wiring)
        do {
            try await network.start()
            try await body(network)
        } catch {
            await network.stop()
            throw error
        }
        await network.stop()
    }

    init(_ wiring: Wiring) throws {
        self.lab = try NetworkLab(hosts: Self.names)
        self.wiring = wiring
    }

    /// Starts the servers, waits for the full mesh, connects and joins the talkers.
    func start() async throws {
        switch wiring {
        case .cables:
            try lab.connectAll()
        case .proxies:
            for from in Self.names {
                for to in Self.names where to != from {
                    try lab.alias(to, on: from)
                    let target = lab.host(to)
                    linkProxies["\(from)>\(to)"] = try FaultProxy(
                        listen: .init(host: target.address, port: Self.linkPort, namespace: lab.host(from).namespace),
                        upstream: .init(host: target.address, port: Self.linkPort, namespace: target.namespace))
                }
            }
        }
        let secret = try ServerProcess.secretFile("lab test network secret 0123456789")
        for (index, name) in Self.names.enumerated() {
            let address = lab.host(name).address
            var arguments = ["--listen", "\(address):\(Self.clientPort)", "--name", "\(name).chatty",
                             "--link-listen", "\(address):\(Self.linkPort)", "--link-secret-file", secret,
                             "--link-timeout", "1.5", "--flood-rate", "0", "--threads", "1"]
            if index > 0 { arguments += ["--peer", "\(lab.host(Self.names[index - 1]).address):\(Self.linkPort)"] }
            servers[name] = try await ServerProcess(arguments, wrapper: lab.wrapper(name))
        }
        try await waitForMesh()
        for (index, name) in Self.names.enumerated() {
            let proxy = try lab.clientProxy(to: name, port: Self.clientPort)
            clientProxies.append(proxy)
            let client = try await FederationProcessTests.connect(proxy.port, name: Self.nicks[index])
            try await client.register(Self.nicks[index])
            try await client.join(Self.channel)
            clients.append(client)
        }
        for client in clients { try await TestIRCClient.waitForNames(client, Self.channel, Set(Self.nicks)) }
    }

    /// Every server has logged a link up to each of the others.
    func waitForMesh() async throws {
        for name in Self.names {
            let server = try #require(servers[name])
            try await withDeadline(.seconds(20), what: "\(name) linked to every other server") {
                while true {
                    let ups = server.process.errorLines.filter { $0.contains("link up") }
                    if Self.names.allSatisfy({ other in other == name || ups.contains { $0.contains("\(other).chatty") } }) { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        }
    }

    /// The proxies carrying `from`'s bytes to `to` (and their direction): a's proxy listening as
    /// c forwards a→c upstream; c's proxy listening as a carries a→c back downstream.
    func links(from: String, to: String) -> [(FaultProxy, FaultProxy.Direction)] {
        [(linkProxies["\(from)>\(to)"]!, .toUpstream), (linkProxies["\(to)>\(from)"]!, .toDownstream)]
    }

    /// Both proxies of a pair.
    func pair(_ x: String, _ y: String) -> [FaultProxy] {
        [linkProxies["\(x)>\(y)"]!, linkProxies["\(y)>\(x)"]!]
    }

    /// `rounds` rounds 50 ms apart, every talker sending one checker message per round;
    /// `fault(round)` runs after each round's messages.
    func talk(rounds: Int, fault: (Int) async throws -> Void) async throws {
        do {
            try await talkRounds(rounds, fault: fault)
        } catch is Finished {
            return
        }
    }

    private func talkRounds(_ rounds: Int, fault: (Int) async throws -> Void) async throws {
        for round in 1...rounds {
            for client in clients {
                let deps = TranscriptChecker.lastSeen(client.allMessages, me: client.name)
                let text = "\(client.name) \(round) " + deps.map { "\($0.key):\($0.value)" }.sorted().joined(separator: ",")
                try await client.send("PRIVMSG \(Self.channel) :\(text)")
            }
            try await fault(round)
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Talks as `talk` does until `running()` turns false after a round (at most `maxRounds`);
    /// returns how many rounds were talked (each talker's message count).
    func talk(while running: () -> Bool, maxRounds: Int) async throws -> Int {
        var rounds = 0
        try await talk(rounds: maxRounds) { round in
            rounds = round
            if !running() { throw Finished() }
        }
        return rounds
    }

    private struct Finished: Error {}

    /// After healing: waits until every talker has every other talker's lines (or 30 s), then the
    /// checker's verdict — FIFO, exactly once, causal, no loss, one msgid, converged members.
    func verdict(perSender: Int) async throws -> [String] {
        let expected = (Self.nicks.count - 1) * perSender
        for client in clients {
            try? await withDeadline(.seconds(30), what: "\(client.name) receives every line") {
                while TranscriptChecker.received(client.allMessages).count < expected {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
        // Member lists converge once the burst re-introduces everyone (the checker compares them).
        for client in clients { try? await TestIRCClient.waitForNames(client, Self.channel, Set(Self.nicks)) }
        var histories: [HistoryChecker.Client] = []
        for client in clients {
            histories.append(HistoryChecker.Client(name: client.name, shown: client.allMessages, members: try await names(client)))
        }
        var problems = HistoryChecker.check(histories, perSender: perSender)
        if let members = histories.first?.members, members != Set(Self.nicks) {
            problems.append("members of \(Self.channel) at \(clients[0].name): \(members.sorted()), not all three talkers")
        }
        return problems
    }

    /// How often `nick`'s client saw `other` quit in a netsplit (the fault was real, not a no-op).
    func splits(seenBy nick: String, of other: String) -> Int {
        guard let client = clients.first(where: { $0.name == nick }) else { return 0 }
        return client.allMessages.filter { $0.command == "QUIT" && $0.sourceNick == other && ($0.parameters.first ?? "").hasSuffix(".chatty") }.count
    }

    /// How often `nick`'s client saw `other` join the channel (the burst re-introduces the split).
    func joins(seenBy nick: String, of other: String) -> Int {
        guard let client = clients.first(where: { $0.name == nick }) else { return 0 }
        return client.allMessages.filter { $0.command == "JOIN" && $0.sourceNick == other }.count
    }

    /// The members of the channel as `client`'s server lists them now.
    func names(_ client: TestIRCClient) async throws -> Set<String> {
        try await client.send("NAMES \(Self.channel)")
        var members: Set<String> = []
        while true {
            let reply = try await client.expect { $0.command == "353" || $0.command == "366" }
            if reply.command == "366" { return members }
            members.formUnion(reply.parameters.last!.split(separator: " ").map { $0.trimmingCharacters(in: ["@", "+"]) })
        }
    }

    /// Stops everything (again: nothing happens).
    func stop() async {
        guard !stopped else { return }
        stopped = true
        for client in clients { await client.close() }
        for server in servers.values { server.kill9() }
        for server in servers.values { _ = try? await server.process.waitForExit() }
        for proxy in clientProxies { proxy.close() }
        for proxy in linkProxies.values { proxy.close() }
        lab.close()
    }
}
