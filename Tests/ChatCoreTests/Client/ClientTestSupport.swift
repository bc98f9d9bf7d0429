@testable import ChatCore

/// Fixtures of the client tests, namespaced so they cannot clash with other test files' helpers.
enum ClientFixtures {
    /// A generator returning the same value every time; `1 << 63` maps to the jitter input 0.5 (no jitter).
    struct FixedRandom: RandomNumberGenerator {
        var value: UInt64 = 1 << 63

        mutating func next() -> UInt64 { value }
    }

    struct ConnectError: Error, CustomStringConvertible {
        var description: String { "refused" }
    }
}

/// Client test suites conform to get the helpers as members (which shadow any global of the same name).
protocol ClientTestCase {}

extension ClientTestCase {
    typealias FixedRandom = ClientFixtures.FixedRandom
    typealias TestError = ClientFixtures.ConnectError
    typealias TestMachine = ClientStateMachine<ClientFixtures.FixedRandom>

    /// An instant `ms` milliseconds after the epoch.
    func t(_ ms: Int64) -> Timestamp {
        Timestamp(millisecondsSinceEpoch: ms)
    }

    /// Parses a wire line; the test lines are all valid.
    func irc(_ line: String) -> IRCMessage {
        do {
            return try IRCMessage.parse(line)
        } catch {
            fatalError("invalid test line \(line): \(error)")
        }
    }

    func makeMachine(
        _ configuration: ClientConfiguration = ClientConfiguration(nick: "alice", realName: "Alice A")
    ) -> TestMachine {
        TestMachine(configuration: configuration, random: FixedRandom())
    }

    /// Drives a machine from disconnected to registered at `now`, with the server offering `offered`
    /// capabilities and acknowledging everything requested.
    func registeredMachine(
        _ configuration: ClientConfiguration = ClientConfiguration(nick: "alice", realName: "Alice A"),
        offered: String = "message-tags server-time multi-prefix batch",
        now: Timestamp = Timestamp(millisecondsSinceEpoch: 1_000)
    ) -> TestMachine {
        var machine = makeMachine(configuration)
        register(&machine, offered: offered, now: now)
        return machine
    }

    /// Connects and registers an existing machine (for reconnect tests); returns the actions of `001`.
    @discardableResult
    func register(_ machine: inout TestMachine, offered: String, now: Timestamp) -> [ClientAction] {
        if case .disconnected = machine.connectionState {
            _ = machine.connectRequested(now: now)
        }
        _ = machine.connected(now: now)
        let request = machine.messageReceived(irc(":srv CAP * LS :\(offered)"), now: now)
        if let req = request.sentMessages.first, req.parameters.count == 2, req.parameters[0] == "REQ" {
            _ = machine.messageReceived(irc(":srv CAP * ACK :\(req.parameters[1])"), now: now)
        }
        return machine.messageReceived(irc(":srv 001 \(machine.preferredNick) :Welcome"), now: now)
    }
}

extension Array where Element == ClientAction {
    /// The sent messages as wire lines without CR LF.
    var sentLines: [String] { sentMessages.map(\.description) }
}
