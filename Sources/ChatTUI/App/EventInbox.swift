import ChatClient
import ChatCore
import NIOConcurrencyHelpers

#if canImport(Glibc)
import Glibc
#endif

/// What the network side tells the UI.
enum UIEvent: Sendable, Hashable {
    case client(ClientEvent)
    /// A connection attempt to this server (`HOST:PORT`) starts.
    case connecting(to: String)
    /// The server's certificate needs the user's word (`/trust`).
    case trustQuestion(TrustQuestion)
}

/// A ``UIEvent`` and the network (the client's connection, 0 for the first) it came from.
struct NetworkEvent: Sendable, Hashable {
    var network: Int
    var event: UIEvent
}

/// Carries ``UIEvent``s from the network threads (one per connection) to the UI thread and wakes
/// the UI's `poll` through a pipe — one byte per batch, not per event, so a flood costs one wake-up.
final class EventInbox: Sendable {
    private let queue = NIOLockedValueBox<[NetworkEvent]>([])
    /// Read end (polled by the UI) and write end.
    let readFD: Int32
    private let writeFD: Int32

    init() {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { fatalError("pipe() failed: \(errno)") }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    func post(_ event: UIEvent, network: Int = 0) {
        post([event], network: network)
    }

    /// Queues events in order (a connection's read hands them over together: one wake-up).
    func post(_ events: [UIEvent], network: Int = 0) {
        guard !events.isEmpty else { return }
        let wasEmpty = queue.withLockedValue { queue -> Bool in
            let wasEmpty = queue.isEmpty
            queue.append(contentsOf: events.lazy.map { NetworkEvent(network: network, event: $0) })
            return wasEmpty
        }
        if wasEmpty { wake() }
    }

    /// Wakes the UI without an event (e.g. a signal or a timer).
    func wake() {
        var byte: UInt8 = 1
        _ = write(writeFD, &byte, 1)
    }

    /// Takes every queued event and clears the wake-up bytes.
    func takeAll() -> [NetworkEvent] {
        var scratch = [UInt8](repeating: 0, count: 256)
        while read(readFD, &scratch, scratch.count) > 0 {}
        return queue.withLockedValue { queue in
            defer { queue.removeAll(keepingCapacity: true) }
            return queue
        }
    }

    /// Where signal handlers write their byte.
    var signalFD: Int32 { writeFD }
}
