import NIOConcurrencyHelpers
import ServiceLifecycle

/// The client (terminal or line mode) as a service of the `--host` service group: it runs until
/// the user quits and keeps the exit status. Signals reach the client through its own
/// async-signal-safe handler, which makes it quit like Ctrl-Q; its end shuts the group down.
final class ClientService: Service, Sendable {
    private let body: @Sendable () async -> Int32
    private let result = NIOLockedValueBox<Int32>(0)

    init(body: @escaping @Sendable () async -> Int32) {
        self.body = body
    }

    var status: Int32 { result.withLockedValue { $0 } }

    func run() async throws {
        let status = await body()
        result.withLockedValue { $0 = status }
    }
}
