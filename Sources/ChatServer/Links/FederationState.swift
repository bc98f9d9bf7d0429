import ChatCore
import NIOCore

/// The link side of a federated server, kept under the hub's lock beside the ``ServerState``:
/// the link protocol (``FederationMachine``, sans-IO) and each link's channel and outbox.
struct FederationState {
    /// One link connection's I/O: where to write, and what waits to be written.
    struct Link {
        var channel: Channel
        var loop: Int
        var buffer: ByteBuffer?
        var dirty = false
    }

    var machine: FederationMachine
    var links: [FederationMachine.LinkID: Link] = [:]

    init(local: OriginID, configuration: FederationConfiguration) {
        self.machine = FederationMachine(local: local, linkAddress: configuration.linkListen.description,
                                         holdBackLimit: configuration.holdBackLimit,
                                         historyLimit: configuration.historyLimit)
    }
}
