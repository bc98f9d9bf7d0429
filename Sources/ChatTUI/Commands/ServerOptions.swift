import ArgumentParser
import ChatCore
import ChatServer
import Foundation
import NIOCore

/// Server flags shared by `chatty-tui serve` and `chatty-tui --host`.
struct ServerOptions: ParsableArguments {
    @Option(name: .long, help: "Address to listen on for IRC clients (HOST:PORT).")
    var listen: String = "127.0.0.1:6667"

    @Option(name: .long, help: "The server's name, shown as the source of its replies.")
    var name: String = "chatty.local"

    @Option(name: .long, help: "The network name announced to clients.")
    var network: String = "Chatty"

    @Option(name: .long, help: "What this server is, in a few words (LINKS, VERSION, INFO).")
    var description: String = "Chatty IRC server"

    @Option(name: .long, help: "A file whose lines are the message of the day.")
    var motd: String?

    @Option(name: .long, help: "Connection password (PASS): required of clients by `serve`/`--host`, sent by the client.")
    var password: String?

    @Option(name: .long, parsing: .singleValue, help: "A server operator as NAME:PASSWORD (repeatable), for OPER.")
    var oper: [String] = []

    @Option(name: .long, help: "Event-loop threads (the default is the number of cores).")
    var threads: Int = System.coreCount

    @Option(name: .long, help: "Flood control: lines per second per client after the burst; 0 turns it off.")
    var floodRate: Double = 2

    @Option(name: .long, help: "Flood control: lines a client may send at once.")
    var floodBurst: Int = 10

    @Option(name: .long, help: "Seconds of silence before the server pings a client.")
    var pingInterval: Int = 90

    @Option(name: .long, help: "Seconds to wait for an answer to that ping before dropping the client.")
    var pingTimeout: Int = 60

    @Option(name: .long, help: "Seconds a new connection has to register.")
    var registrationTimeout: Int = 30

    @Option(name: .long, help: "Bytes queued for a client that does not read before it is dropped (SendQ).")
    var sendq: Int = 1 << 20

    @Option(name: .long, help: "Connections written per slice of a flush before the server reads again (0: whole flush at once).")
    var flushSlice: Int = 64

    @Option(name: .long, help: "Most clients held at once (the default is what the open-file limit allows).")
    var maxClients: Int?

    @Option(name: .long, help: "Longest line a client may send, in bytes without tags (longer lines get 417).")
    var maxLineLength: Int = 512

    @Option(name: .long, help: "Longest tag section a client may send, in bytes.")
    var maxTagsLength: Int = 8191

    @Option(name: .long, help: "Address other servers link to (HOST:PORT); enables federation.")
    var linkListen: String?

    @Option(name: .long, parsing: .singleValue, help: "A server to link to (HOST:PORT of its --link-listen; repeatable).")
    var peer: [String] = []

    @Option(name: .long, help: "File holding the network's shared link secret (required with --link-listen).")
    var linkSecretFile: String?

    @Option(name: .long, help: "Seconds without traffic before a link is declared dead (pinged at a third of it).")
    var linkTimeout: Double = 6

    @Flag(name: .long, help: "Encrypt server links with TLS (this server's certificate: --tls-cert, else the self-signed one).")
    var linkTls = false

    @Option(name: .long, help: "With --link-tls: the authority (PEM) whose certificates linked servers must present.")
    var linkCa: String?

    @Option(name: .long, parsing: .singleValue, help: "With --link-tls: a linked server's certificate fingerprint (SHA-256, repeatable).")
    var linkFingerprint: [String] = []

    @Option(name: .long, help: "Directory for the history database (default: $XDG_STATE_HOME/chatty/NAME, else ~/.local/state/chatty/NAME).")
    var dataDir: String?

    @Option(name: .long, help: "Keep chat history on disk: on or off.")
    var history: HistorySwitch = .on

    @Option(name: .long, help: "How long history is kept, e.g. 30d, 12h, 90m (default: until removed by hand).")
    var historyRetention: String?

    @Option(name: .long, help: "Address to listen on for IRC clients over TLS (HOST:PORT, 6697 by convention).")
    var tlsListen: String?

    @Option(name: .long, help: "TLS certificate, PEM (chain allowed, leaf first); without it a self-signed one is made in the data directory.")
    var tlsCert: String?

    @Option(name: .long, help: "The TLS certificate's private key, PEM.")
    var tlsKey: String?

    @Option(name: .long, help: "How long clients must keep to TLS (IRCv3 sts), e.g. 30d; 0 announces no policy (default: 30d with --tls-cert, none with a self-signed certificate).")
    var stsDuration: String?

    @Option(name: .long, help: "Account registration with REGISTER: open or closed (administrators can always add accounts).")
    var registration: RegistrationSwitch = .open

    @Option(name: .long, help: "Seconds someone may use a nick an account owns before it is changed.")
    var nickGrace: Int = 30

    @Option(name: .long, help: "PBKDF2-HMAC-SHA256 iterations for new passwords (at least 10000).")
    var passwordIterations: Int = AccountCredentials.defaultIterations

    enum RegistrationSwitch: String, ExpressibleByArgument {
        case open, closed
    }

    enum HistorySwitch: String, ExpressibleByArgument {
        case on, off
    }

    /// The data directory: `--data-dir`, else `$XDG_STATE_HOME/chatty/NAME`, else
    /// `~/.local/state/chatty/NAME`; `nil` when none can be found.
    func dataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let dataDir { return dataDir }
        return StateDirectory.path(environment: environment).map { $0 + "/" + name }
    }

    /// Opens the history store these flags ask for (`nil` with `--history off`).
    func openHistory() throws -> HistoryStore? {
        guard history == .on else { return nil }
        guard let directory = dataDirectory() else {
            throw HistoryUnavailable(description: "no data directory for the history: set HOME or XDG_STATE_HOME, "
                                     + "pass --data-dir DIR, or run with --history off")
        }
        do {
            return try HistoryStore(directory: directory)
        } catch {
            throw HistoryUnavailable(description: "\(error) (choose another with --data-dir DIR, or run with --history off)")
        }
    }

    /// The history store cannot be opened: the server does not start (exit status 1).
    struct HistoryUnavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// The TLS identity these flags ask for (`nil` without `--tls-listen`): the given files, or a
    /// self-signed certificate kept in the data directory.
    func makeTLS() throws -> ServerTLS? {
        guard tlsListen != nil || linkTls else { return nil }
        if let tlsCert, let tlsKey {
            return try ServerTLS(source: .files(certificate: tlsCert, key: tlsKey))
        }
        guard let directory = dataDirectory() else {
            throw ServerTLS.SetupError(description: "no data directory for the self-signed TLS certificate: "
                                       + "set HOME or XDG_STATE_HOME, pass --data-dir DIR, or give --tls-cert and --tls-key")
        }
        return try ServerTLS(source: .selfSigned(directory: directory, hostnames: certificateHostnames()))
    }

    /// The names a self-signed certificate is made for: the TLS listener's address (unless it is
    /// a wildcard), this machine's host name, and loopback.
    func certificateHostnames() -> [String] {
        var names: [String] = []
        if let host = tlsListen.flatMap({ BindAddress.parse($0, defaultPort: 6697) })?.host,
           !["0.0.0.0", "::", ""].contains(host) {
            names.append(host)
        }
        // gethostname, not ProcessInfo.hostName: that one asks DNS, which can take seconds.
        var buffer = [CChar](repeating: 0, count: 256)
        if gethostname(&buffer, buffer.count) == 0 {
            let machine = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !machine.isEmpty, !names.contains(machine) { names.append(machine) }
        }
        for name in ["localhost", "127.0.0.1", "::1"] where !names.contains(name) { names.append(name) }
        return names
    }

    /// The `sts` policy to announce: `--sts-duration`, else 30 days with an operator's
    /// certificate and none with a self-signed one (clients that cannot check it would be locked out).
    func stsPolicy() -> STSPolicy? {
        guard let tlsListen, let address = BindAddress.parse(tlsListen, defaultPort: 6697) else { return nil }
        let seconds: Int64
        if let stsDuration {
            seconds = stsDuration == "0" ? 0 : Self.parseRetention(stsDuration).map { $0.components.seconds } ?? 0
        } else {
            seconds = tlsCert != nil ? 30 * 86_400 : 0
        }
        return seconds > 0 ? STSPolicy(port: address.port, duration: Int(seconds)) : nil
    }

    /// `30d`, `12h`, `90m`, `45s` as a duration.
    static func parseRetention(_ text: String) -> Duration? {
        guard let unit = text.last, let value = Int64(text.dropLast()), value > 0 else { return nil }
        switch unit {
        case "d": return .seconds(value * 86_400)
        case "h": return .seconds(value * 3_600)
        case "m": return .seconds(value * 60)
        case "s": return .seconds(value)
        default: return nil
        }
    }

    mutating func validate() throws {
        if let historyRetention, Self.parseRetention(historyRetention) == nil {
            throw ValidationError("--history-retention takes a number and a unit, e.g. 30d, 12h, 90m (got '\(historyRetention)')")
        }
        guard BindAddress.parse(listen) != nil else {
            throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:6667 (got '\(listen)')")
        }
        let nameCharacters = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        guard !name.isEmpty, name.count <= 63, name.allSatisfy({ nameCharacters.contains($0) }) else {
            throw ValidationError("--name must be a host-like name (letters, digits, . - _), e.g. chatty.local")
        }
        for entry in oper where !entry.contains(":") {
            throw ValidationError("--oper takes NAME:PASSWORD (got '\(entry)')")
        }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard floodRate >= 0 else { throw ValidationError("--flood-rate must be 0 (off) or more") }
        guard floodBurst >= 1 else { throw ValidationError("--flood-burst must be at least 1") }
        guard pingInterval >= 1, pingTimeout >= 1, registrationTimeout >= 1 else {
            throw ValidationError("--ping-interval, --ping-timeout and --registration-timeout must be at least 1 second")
        }
        if let maxClients, maxClients < 1 { throw ValidationError("--max-clients must be at least 1") }
        guard flushSlice >= 0 else { throw ValidationError("--flush-slice must be 0 (no slicing) or more") }
        guard sendq >= 4096 else { throw ValidationError("--sendq must be at least 4096 bytes") }
        guard (64...65_536).contains(maxLineLength), (512...65_536).contains(maxTagsLength) else {
            throw ValidationError("--max-line-length must be 64…65536 and --max-tags-length 512…65536 bytes")
        }
        if linkListen != nil || !peer.isEmpty {
            guard let linkListen, BindAddress.parse(linkListen) != nil else {
                throw ValidationError("--link-listen HOST:PORT is required to link servers (--peer needs it too)")
            }
            for address in peer where BindAddress.parse(address) == nil {
                throw ValidationError("--peer must be HOST:PORT (got '\(address)')")
            }
            guard let linkSecretFile, let secret = FileManager.default.contents(atPath: linkSecretFile), secret.count >= 16 else {
                throw ValidationError("--link-secret-file must name a readable file holding at least 16 bytes of secret")
            }
            guard linkTimeout >= 1 else { throw ValidationError("--link-timeout must be at least 1 second") }
        }
        if linkTls {
            guard linkListen != nil else { throw ValidationError("--link-tls needs --link-listen") }
            guard linkCa != nil || !linkFingerprint.isEmpty else {
                throw ValidationError("--link-tls needs --link-ca FILE or --link-fingerprint SHA256 to check the other servers")
            }
            for fingerprint in linkFingerprint where CertificateFingerprint(fingerprint) == nil {
                throw ValidationError("--link-fingerprint must be a SHA-256 fingerprint, AB:CD:… (got '\(fingerprint)')")
            }
        } else if linkCa != nil || !linkFingerprint.isEmpty {
            throw ValidationError("--link-ca and --link-fingerprint go with --link-tls")
        }
        if let tlsListen, BindAddress.parse(tlsListen, defaultPort: 6697) == nil {
            throw ValidationError("--tls-listen must be HOST:PORT, e.g. 0.0.0.0:6697 (got '\(tlsListen)')")
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("--tls-cert and --tls-key go together")
        }
        if tlsCert != nil, tlsListen == nil, !linkTls {
            throw ValidationError("--tls-cert needs --tls-listen HOST:PORT or --link-tls")
        }
        if let stsDuration, stsDuration != "0", Self.parseRetention(stsDuration) == nil {
            throw ValidationError("--sts-duration takes a number and a unit, e.g. 30d, 12h, or 0 (got '\(stsDuration)')")
        }
        guard nickGrace >= 1 else { throw ValidationError("--nick-grace must be at least 1 second") }
        guard passwordIterations >= 10_000 else { throw ValidationError("--password-iterations must be at least 10000") }
        if let motd, !FileManager.default.isReadableFile(atPath: motd) {
            throw ValidationError("--motd file '\(motd)' cannot be read")
        }
    }

    /// The server configuration these flags describe.
    func configuration() throws -> ChatServerConfiguration {
        var motdLines: [String]? = nil
        if let motd {
            let text = try String(contentsOfFile: motd, encoding: .utf8)
            motdLines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                String($0).trimmingCharacters(in: .init(charactersIn: "\r"))
            }
            if motdLines?.last == "" { motdLines?.removeLast() }
        }
        var operators: [String: String] = [:]
        for entry in oper {
            let parts = entry.split(separator: ":", maxSplits: 1)
            operators[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        var core = ServerConfiguration(
            name: name,
            network: network,
            motd: motdLines,
            password: password,
            operators: operators,
            limits: IRCLimits(maxLineLength: maxLineLength, maxTagsLength: maxTagsLength),
            messageIDPrefix: String(UInt32.random(in: 0...UInt32.max), radix: 36) + "-"
        )
        core.description = description
        core.strictTransportSecurity = stsPolicy()
        core.registrationOpen = registration == .open
        core.nickGracePeriodMilliseconds = Int64(nickGrace) * 1000
        var federation: FederationConfiguration?
        if let linkListen, let linkSecretFile {
            var secret = Array(FileManager.default.contents(atPath: linkSecretFile) ?? Data())
            while let last = secret.last, last == UInt8(ascii: "\n") || last == UInt8(ascii: "\r") { secret.removeLast() }
            let timeout = Int64(linkTimeout * 1000)
            federation = FederationConfiguration(
                linkListen: BindAddress.parse(linkListen)!,
                peers: peer.compactMap { BindAddress.parse($0) },
                secret: secret,
                keepalive: .link(silence: max(900, timeout)),
                tls: linkTls ? LinkTLS(fingerprints: linkFingerprint.compactMap(CertificateFingerprint.init),
                                       authorities: try linkCa.map(LinkTLS.authorities(inPEMFile:)) ?? []) : nil
            )
        }
        return ChatServerConfiguration(
            listen: BindAddress.parse(listen)!,
            core: core,
            threads: threads,
            keepalive: .init(registrationTimeout: Int64(registrationTimeout) * 1000,
                             pingInterval: Int64(pingInterval) * 1000,
                             pingTimeout: Int64(pingTimeout) * 1000),
            flood: .init(rate: floodRate, burst: floodBurst),
            sendQueueLimit: sendq,
            federation: federation,
            flushSlice: flushSlice,
            maxClients: maxClients,
            historyRetention: historyRetention.flatMap(Self.parseRetention),
            tlsListen: tlsListen.flatMap { BindAddress.parse($0, defaultPort: 6697) },
            passwordIterations: passwordIterations
        )
    }
}
