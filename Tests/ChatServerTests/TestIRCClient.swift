import ChatCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

struct TimeoutError: Error, CustomStringConvertible {
    var description: String
}

/// A bare IRC client for live tests: sends raw lines and awaits received messages by predicate.
/// Waiting is event driven (woken by each received line); the timeout only bounds a failing test.
final class TestIRCClient: Sendable {
    struct State {
        var messages: [IRCMessage] = []
        var cursor = 0
        var closed = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    }

    let channel: Channel
    let state: NIOLockedValueBox<State>
    let name: String

    private init(channel: Channel, state: NIOLockedValueBox<State>, name: String) {
        self.channel = channel
        self.state = state
        self.name = name
    }

    static func connect(port: Int, name: String = "client", group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                        autoRead: Bool = true, receiveBuffer: Int? = nil, answerPings: Bool = true) async throws -> TestIRCClient {
        let state = NIOLockedValueBox(State())
        var bootstrap = ClientBootstrap(group: group)
            .channelOption(.autoRead, value: autoRead)
        if let receiveBuffer {
            bootstrap = bootstrap.channelOption(.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
        }
        let channel = try await bootstrap
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(IRCLineDecoder(maximumLength: 64 * 1024)))
                    try channel.pipeline.syncOperations.addHandler(Collector(state: state, answerPings: answerPings))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        return TestIRCClient(channel: channel, state: state, name: name)
    }

    func send(_ lines: String...) async throws {
        var buffer = ByteBuffer()
        for line in lines { buffer.writeString(line + "\r\n") }
        try await channel.writeAndFlush(buffer)
    }

    func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Registers with NICK/USER (and CAP when `caps` is not empty) and waits for the end of the MOTD.
    func register(_ nick: String, caps: [String] = []) async throws {
        if !caps.isEmpty {
            try await send("CAP LS 302", "CAP REQ :" + caps.joined(separator: " "))
        }
        try await send("NICK \(nick)", "USER \(nick) 0 * :Test \(nick)")
        if !caps.isEmpty { try await send("CAP END") }
        _ = try await expect { $0.command == "376" || $0.command == "422" }
    }

    /// Joins `channel` and waits for the end of its NAMES list (366).
    func join(_ channel: String) async throws {
        try await send("JOIN \(channel)")
        _ = try await expect { $0.command == "366" }
    }

    /// Waits for the next message (after the cursor) that satisfies `predicate`, skipping others.
    @discardableResult
    func expect(timeout: Duration = .seconds(10), _ predicate: @escaping @Sendable (IRCMessage) -> Bool) async throws -> IRCMessage {
        try await withDeadline(timeout, what: "\(name): expected message not received") {
            while true {
                let (found, closed) = self.state.withLockedValue { state -> (IRCMessage?, Bool) in
                    while state.cursor < state.messages.count {
                        let message = state.messages[state.cursor]
                        state.cursor += 1
                        if predicate(message) { return (message, false) }
                    }
                    return (nil, state.closed)
                }
                if let found { return found }
                if closed { throw TimeoutError(description: "\(self.name): connection closed while waiting") }
                // A cancelled wait returns at once: stop instead of spinning when the deadline passed.
                try Task.checkCancellation()
                await self.waitForChange()
            }
        }
    }

    /// Waits until the server closes the connection; returns every message received.
    func waitClosed(timeout: Duration = .seconds(10)) async throws -> [IRCMessage] {
        try await withDeadline(timeout, what: "\(name): connection not closed") {
            while !self.state.withLockedValue({ $0.closed }) {
                try Task.checkCancellation()
                await self.waitForChange()
            }
            return self.state.withLockedValue { $0.messages }
        }
    }

    /// Half-closes the connection: no more bytes from us, but we still read.
    func closeOutput() async throws {
        try await channel.close(mode: .output)
    }

    var allMessages: [IRCMessage] { state.withLockedValue { $0.messages } }

    func close() async {
        try? await channel.close()
    }

    private func waitForChange() async {
        let id = state.withLockedValue { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLockedValue { state -> Bool in
                    if Task.isCancelled || state.closed || state.cursor < state.messages.count { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLockedValue { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    final class Collector: ChannelInboundHandler, Sendable {
        typealias InboundIn = IRCLineFrame
        let state: NIOLockedValueBox<State>
        let answerPings: Bool
        init(state: NIOLockedValueBox<State>, answerPings: Bool) {
            self.state = state
            self.answerPings = answerPings
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            guard case .line(let line) = unwrapInboundIn(data),
                  let message = try? IRCMessage.parse(line, limits: IRCLimits(maxLineLength: 64 * 1024)) else { return }
            if answerPings, message.command == "PING" {
                context.writeAndFlush(NIOAny(ByteBuffer(string: "PONG :\(message.parameters.last ?? "")\r\n")), promise: nil)
            }
            wake { $0.messages.append(message) }
        }

        func channelInactive(context: ChannelHandlerContext) {
            wake { $0.closed = true }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            context.close(promise: nil)
        }

        private func wake(_ change: (inout State) -> Void) {
            let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
                change(&state)
                defer { state.waiters = [:] }
                return Array(state.waiters.values)
            }
            for waiter in waiters { waiter.resume() }
        }
    }
}

/// Runs `body`, failing with a clear error if it takes longer than `timeout`.
func withDeadline<T: Sendable>(_ timeout: Duration, what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            throw TimeoutError(description: "timed out after \(timeout): \(what)")
        }
        let result = try await group.next()!
        group.cancelAll()
        return result
    }
}
