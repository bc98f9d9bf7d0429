import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A TCP proxy that injects faults between two programs: per-direction delay, a stall (the peer
/// stays connected but nothing moves), dropped connections and a bandwidth limit. Either side may
/// be inside a network namespace (``NetworkLab``): the listening socket is made in one and the
/// upstream connections in the other, so the proxy also carries the test's clients into a lab.
///
/// Plain threads and blocking sockets: one thread accepts, two pump each connection (one per
/// direction). Everything is slow on purpose, nothing is on a hot path.
public final class FaultProxy: @unchecked Sendable {
    // @unchecked Sendable: every mutable field is guarded by `lock`; sockets are closed once, under it.

    /// One end: an address and port, inside a namespace (`nil`: this process's own).
    public struct Endpoint: Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var namespace: String?

        public init(host: String = "127.0.0.1", port: Int, namespace: String? = nil) {
            self.host = host
            self.port = port
            self.namespace = namespace
        }

        public var description: String { "\(host):\(port)" + (namespace.map { " in \($0)" } ?? "") }
    }

    public enum Direction: Int, Sendable, CaseIterable {
        /// From whoever connected to the proxy towards the upstream.
        case toUpstream = 0
        /// Back from the upstream.
        case toDownstream = 1
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The port the proxy listens on (in `listen`'s namespace).
    public let port: Int
    public let upstream: Endpoint

    private let lock = NSLock()
    private var delays: [Int] = [0, 0]
    private var rates: [Int?] = [nil, nil]
    private var stalled = false
    private var refusing = false
    private var closed = false
    private var connections: [Int: (Int32, Int32)] = [:]
    private var nextConnection = 0
    private var accepted = 0
    /// Raised by `dropConnections`: pumps of an older generation end (even while stalled).
    private var dropGeneration = 0
    private let listener: Int32

    /// Listens on `listen` (port 0: a free one) and forwards each connection to `upstream`.
    public init(listen: Endpoint = Endpoint(port: 0), upstream: Endpoint) throws {
        self.upstream = upstream
        // The listening socket is made on a thread that entered `listen`'s namespace (setns moves
        // only the calling thread); that thread then enters the upstream's and accepts there.
        let ready = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var made: Result<(Int32, Int), Failure> = .failure(Failure(description: "not started"))
        let listenerThread = Thread {
            made = Result { try Self.makeListener(listen) }.mapError { $0 as? Failure ?? Failure(description: "\($0)") }
            ready.signal()
        }
        listenerThread.start()
        ready.wait()
        let (descriptor, port) = try made.get()
        self.listener = descriptor
        self.port = port
        let acceptor = Thread { [self] in acceptLoop() }
        acceptor.start()
    }

    // MARK: Faults

    /// Holds every byte going `direction` for `milliseconds` (order is kept).
    public func setDelay(milliseconds: Int, _ direction: Direction) {
        lock.withLock { delays[direction.rawValue] = milliseconds }
    }

    /// Limits `direction` to `bytesPerSecond` (`nil`: unlimited).
    public func setBandwidth(bytesPerSecond: Int?, _ direction: Direction) {
        lock.withLock { rates[direction.rawValue] = bytesPerSecond }
    }

    /// Nothing moves in either direction; connections stay open and new ones are accepted but
    /// silent too (a peer that is alive but stopped, as far as TCP can tell).
    public func stall() { lock.withLock { stalled = true } }

    /// Bytes move again (what was read before the stall is delivered first).
    public func resume() { lock.withLock { stalled = false } }

    /// Closes every connection now (both sides see the connection end, also while stalled).
    public func dropConnections() {
        // Under the lock: a connection's descriptors are closed (and leave `connections`) under it
        // too, so a number is never shut down after it was reused.
        lock.withLock {
            dropGeneration += 1
            for (a, b) in connections.values {
                shutdown(a, Int32(SHUT_RDWR))
                shutdown(b, Int32(SHUT_RDWR))
            }
        }
    }

    /// New connections are closed at once (`true`) or forwarded again (`false`).
    public func refuseNew(_ refuse: Bool) { lock.withLock { refusing = refuse } }

    /// Connections accepted so far.
    public var acceptedCount: Int { lock.withLock { accepted } }

    /// Connections open now.
    public var openCount: Int { lock.withLock { connections.count } }

    /// Stops accepting and drops every connection.
    public func close() {
        let wasClosed = lock.withLock { () -> Bool in
            defer { closed = true }
            return closed
        }
        guard !wasClosed else { return }
        // Wakes the accept loop, which closes the listener (once, there).
        shutdown(listener, Int32(SHUT_RDWR))
        dropConnections()
    }

    deinit { close() }

    // MARK: Threads

    private static func makeListener(_ endpoint: Endpoint) throws -> (Int32, Int) {
        if let namespace = endpoint.namespace { try enter(namespace) }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = try socketAddress(endpoint.host, endpoint.port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 128) == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw Failure(description: "cannot listen on \(endpoint): \(reason)")
        }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, Int(UInt16(bigEndian: local.sin_port)))
    }

    /// Moves the calling thread into a network namespace made by `ip netns add`.
    static func enter(_ namespace: String) throws {
        let descriptor = open("/var/run/netns/\(namespace)", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw Failure(description: "no network namespace \(namespace)") }
        defer { Glibc.close(descriptor) }
        // Glibc's module leaves out setns (it wants _GNU_SOURCE); look it up. 0x40000000 is CLONE_NEWNET.
        typealias SetNamespace = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else {
            throw Failure(description: "setns is not available")
        }
        guard unsafeBitCast(symbol, to: SetNamespace.self)(descriptor, 0x4000_0000) == 0 else {
            throw Failure(description: "setns \(namespace): \(String(cString: strerror(errno)))")
        }
    }

    private static func socketAddress(_ host: String, _ port: Int) throws -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw Failure(description: "not an IPv4 address: \(host)") }
        return address
    }

    private func acceptLoop() {
        defer { Glibc.close(listener) }
        // Upstream sockets are made in the upstream's namespace: this thread lives there from now on.
        if let namespace = upstream.namespace, (try? Self.enter(namespace)) == nil {
            lock.withLock { closed = true }
            return
        }
        while true {
            let client = accept(listener, nil, nil)
            if lock.withLock({ closed }) {
                if client >= 0 { Glibc.close(client) }
                return
            }
            if client < 0 {
                // EINTR, ECONNABORTED, EMFILE…: only `close()` ends the loop.
                usleep(errno == EINTR ? 0 : 10_000)
                continue
            }
            guard !lock.withLock({ refusing }), let server = connectUpstream() else {
                Glibc.close(client)
                continue
            }
            let (id, generation) = lock.withLock { () -> (Int, Int) in
                nextConnection += 1
                accepted += 1
                connections[nextConnection] = (client, server)
                return (nextConnection, dropGeneration)
            }
            let finished = Countdown(2) { [self] in
                lock.withLock {
                    _ = connections.removeValue(forKey: id)
                    Glibc.close(client)
                    Glibc.close(server)
                }
            }
            Thread { [self] in pump(from: client, to: server, .toUpstream, generation: generation); finished.tick() }.start()
            Thread { [self] in pump(from: server, to: client, .toDownstream, generation: generation); finished.tick() }.start()
        }
    }

    private func connectUpstream() -> Int32? {
        guard var address = try? Self.socketAddress(upstream.host, upstream.port) else { return nil }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(descriptor)
            return nil
        }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    /// At most this many bytes wait in a pump; past it the pump stops reading, so a thin or slow
    /// link pushes back on the sender as TCP would.
    static let queueLimit = 64 * 1024

    /// Moves bytes one way: reads as they come (unless stalled or `queueLimit` bytes wait), holds
    /// each chunk for the delay, writes it when due and within the bandwidth. Ends when either side
    /// ends, or the connections of its generation are dropped; then shuts the other down so the
    /// far end sees it.
    private func pump(from source: Int32, to destination: Int32, _ direction: Direction, generation: Int) {
        var queue: [(due: Double, bytes: [UInt8])] = []
        var lastDue = 0.0
        var queuedBytes = 0
        var sourceOpen = true
        var budget = 0.0
        var budgetTime = Self.now()
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let (delay, rate, isStalled, isClosed) = lock.withLock {
                (delays[direction.rawValue], rates[direction.rawValue], stalled, closed || dropGeneration != generation)
            }
            if isClosed { break }
            let now = Self.now()
            if isStalled {
                usleep(10_000)
                budgetTime = now
                continue
            }
            // Write what is due, within the bandwidth.
            if let rate {
                budget = min(Double(rate), budget + (now - budgetTime) * Double(rate))
            }
            budgetTime = now
            var failed = false
            while let first = queue.first, first.due <= now {
                var count = first.bytes.count
                if rate != nil { count = min(count, Int(budget)) }
                if count == 0 { break }
                let written = first.bytes.withUnsafeBytes { send(destination, $0.baseAddress, count, Int32(MSG_NOSIGNAL)) }
                if written <= 0 {
                    failed = true
                    break
                }
                if rate != nil { budget -= Double(written) }
                queuedBytes -= written
                if written == first.bytes.count { queue.removeFirst() } else { queue[0].bytes.removeFirst(written) }
            }
            if failed { break }
            if !sourceOpen && queue.isEmpty { break }
            // Wait for input, or for the next chunk to fall due.
            var wait: Int32 = 10
            if let first = queue.first { wait = Int32(max(0, min(10, (first.due - now) * 1000))) }
            guard sourceOpen, queuedBytes < Self.queueLimit else {
                usleep(UInt32(max(1, wait)) * 1000)
                continue
            }
            var descriptor = pollfd(fd: source, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, wait) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(source, $0.baseAddress, $0.count, 0) }
            if count <= 0 {
                sourceOpen = false
                continue
            }
            let due = max(lastDue, Self.now() + Double(delay) / 1000)
            lastDue = due
            queue.append((due, Array(buffer[0..<count])))
            queuedBytes += count
        }
        shutdown(destination, Int32(SHUT_WR))
        shutdown(source, Int32(SHUT_RD))
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

/// Runs `done` once `tick` has been called `count` times (from any threads).
private final class Countdown: @unchecked Sendable {
    // @unchecked Sendable: `remaining` is only touched under `lock`; `done` runs once, outside it.
    private let lock = NSLock()
    private var remaining: Int
    private let done: @Sendable () -> Void

    init(_ count: Int, done: @escaping @Sendable () -> Void) {
        self.remaining = count
        self.done = done
    }

    func tick() {
        let last = lock.withLock { () -> Bool in
            remaining -= 1
            return remaining == 0
        }
        if last { done() }
    }
}
