import ChatCore
import Logging

/// What every client connection of one server shares: the hub, the keepalive sweepers, the
/// line limits and the logger. One object per server, so a connection's handler holds one
/// reference instead of its own copies (about 80 bytes less per connection).
final class ClientConnectionSettings: Sendable {
    let hub: ServerHub
    let sweepers: KeepaliveSweepers
    let limits: IRCLimits
    let logger: Logger
    let keepalive: PeerKeepalive.Configuration
    let flood: FloodControl.Configuration
    let admission: AdmissionControl
    /// The connections come through the TLS listener.
    let secure: Bool

    init(hub: ServerHub, configuration: ChatServerConfiguration, sweepers: KeepaliveSweepers,
         admission: AdmissionControl, logger: Logger, secure: Bool = false) {
        self.secure = secure
        self.hub = hub
        self.sweepers = sweepers
        self.limits = configuration.core.limits
        self.logger = logger
        self.keepalive = configuration.keepalive
        self.flood = configuration.flood
        self.admission = admission
    }
}
