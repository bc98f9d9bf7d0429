import Foundation

/// Machines on a private network for fault tests: each host is a network namespace of its own with
/// one address (`10.213.0.N` on its loopback), and hosts reach each other only over the veth pairs
/// `connect` makes (a route per pair, no forwarding), so `cut` is a real partition — the kernel
/// drops the packets; nothing in the programs knows. The test process itself stays outside:
/// ``FaultProxy`` carries its clients in (`clientProxy`).
///
/// Needs root (CI runs as root) and `ip` from iproute2; servers inside still run as the
/// unprivileged user (`wrapper` goes before the switch). Never touches this machine's own namespace.
public final class NetworkLab: @unchecked Sendable {
    // @unchecked Sendable: `links` and `closed` are guarded by `lock`; the rest is immutable.
    public struct Host: Sendable, Hashable {
        public let name: String
        public let namespace: String
        /// Its address, the same from every host that has a route to it.
        public let address: String
    }

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public let hosts: [Host]
    private let ip: String
    private let lock = NSLock()
    /// Connected pairs (by host index, smaller first), and whether each is up.
    private var links: [Pair: Bool] = [:]
    private var closed = false

    private struct Pair: Hashable {
        let a: Int
        let b: Int
        init(_ x: Int, _ y: Int) { (a, b) = (min(x, y), max(x, y)) }
    }

    /// Whether labs can be made here.
    public static var isAvailable: Bool { NetworkSandbox.isAvailable }

    /// One namespace per name (`a`, `b`, …), not yet connected to each other.
    public init(hosts names: [String]) throws {
        guard UnprivilegedUser.testsRunAsRoot else { throw Unavailable(description: "network namespaces need root") }
        self.ip = try ExternalTool.require("ip", package: "iproute2")
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 36)
        var hosts: [Host] = []
        for (index, name) in names.enumerated() {
            hosts.append(Host(name: name, namespace: "chatty-lab-\(tag)-\(name)", address: "10.213.0.\(index + 1)"))
        }
        self.hosts = hosts
        for host in hosts {
            try run(["netns", "add", host.namespace])
            try run(["-n", host.namespace, "link", "set", "lo", "up"])
            try run(["-n", host.namespace, "addr", "add", host.address + "/32", "dev", "lo"])
        }
    }

    public func host(_ name: String) -> Host {
        guard let host = hosts.first(where: { $0.name == name }) else { preconditionFailure("no host \(name) in the lab") }
        return host
    }

    /// Put before a command (and before the switch to the unprivileged user) to run it on `host`.
    public func wrapper(_ host: String) -> [String] { [ip, "netns", "exec", self.host(host).namespace] }

    /// A veth pair between two hosts, with a route each way (nothing else can use it).
    public func connect(_ x: String, _ y: String) throws {
        let (i, j) = (index(x), index(y))
        let (a, b) = (hosts[i], hosts[j])
        try run(["-n", a.namespace, "link", "add", device(i, j), "type", "veth", "peer", "name", device(j, i), "netns", b.namespace])
        lock.withLock { links[Pair(i, j)] = false }
        try heal(x, y)
    }

    /// Connects every pair.
    public func connectAll() throws {
        for i in hosts.indices {
            for j in hosts.indices where i < j { try connect(hosts[i].name, hosts[j].name) }
        }
    }

    /// Cuts the cable between two hosts: both ends down, their routes gone; TCP connections over
    /// it see silence (no reset), as in a real partition.
    public func cut(_ x: String, _ y: String) throws {
        let (i, j) = (index(x), index(y))
        try run(["-n", hosts[i].namespace, "link", "set", device(i, j), "down"])
        try run(["-n", hosts[j].namespace, "link", "set", device(j, i), "down"])
        lock.withLock { links[Pair(i, j)] = false }
    }

    /// Plugs it back in (routes restored).
    public func heal(_ x: String, _ y: String) throws {
        let (i, j) = (index(x), index(y))
        for (from, to) in [(i, j), (j, i)] {
            try run(["-n", hosts[from].namespace, "link", "set", device(from, to), "up"])
            try run(["-n", hosts[from].namespace, "route", "replace", hosts[to].address + "/32",
                     "dev", device(from, to), "src", hosts[from].address])
        }
        lock.withLock { links[Pair(i, j)] = true }
    }

    /// Makes `other`'s address local on `host` as well, so a ``FaultProxy`` listening there stands in
    /// for `other` (the lab's links then run through proxies instead of cables).
    public func alias(_ other: String, on host: String) throws {
        try run(["-n", self.host(host).namespace, "addr", "add", self.host(other).address + "/32", "dev", "lo"])
    }

    /// Cuts every cable of one host.
    public func isolate(_ x: String) throws {
        let i = index(x)
        for pair in lock.withLock({ Array(links.keys) }) where pair.a == i || pair.b == i {
            try cut(hosts[pair.a].name, hosts[pair.b].name)
        }
    }

    /// Heals every cut cable.
    public func healAll() throws {
        for (pair, up) in lock.withLock({ links }) where !up {
            try heal(hosts[pair.a].name, hosts[pair.b].name)
        }
    }

    /// A proxy from this process's loopback to `port` on `host` (how the test's clients get in).
    public func clientProxy(to host: String, port: Int) throws -> FaultProxy {
        let target = self.host(host)
        return try FaultProxy(upstream: FaultProxy.Endpoint(host: target.address, port: port, namespace: target.namespace))
    }

    /// Deletes the namespaces (and with them the veth pairs); their processes must have ended.
    public func close() {
        let wasClosed = lock.withLock { () -> Bool in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        for host in hosts { _ = try? ChildProcess.run(ip, ["netns", "delete", host.namespace]) }
    }

    deinit { close() }

    private func index(_ name: String) -> Int {
        guard let index = hosts.firstIndex(where: { $0.name == name }) else { preconditionFailure("no host \(name) in the lab") }
        return index
    }

    /// `v0-1`: host 0's end of its cable to host 1 (names are per namespace, at most 15 bytes).
    private func device(_ from: Int, _ to: Int) -> String { "v\(from)-\(to)" }

    private func run(_ arguments: [String]) throws {
        let result = try ChildProcess.run(ip, arguments)
        guard result.status == 0 else {
            throw Unavailable(description: "ip \(arguments.joined(separator: " ")) failed (status \(result.status)): \(result.output)")
        }
    }
}
