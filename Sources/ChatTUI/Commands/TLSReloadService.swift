import ChatServer
import Logging
import ServiceLifecycle
import UnixSignals

/// Reloads the server's TLS certificate on SIGHUP (after a renewal): new connections get the new
/// one, open connections keep theirs. A certificate that cannot be read leaves the old one in use.
struct TLSReloadService: Service {
    let tls: ServerTLS
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        await withGracefulShutdownHandler {
            for await _ in signals.cancelOnGracefulShutdown() {
                do {
                    let fingerprint = try tls.reload()
                    logger.info("TLS certificate reloaded", metadata: ["sha256": "\(fingerprint)"])
                } catch {
                    logger.error("TLS certificate not reloaded; the old one stays in use", metadata: ["error": "\(error)"])
                }
            }
        } onGracefulShutdown: {}
    }
}
