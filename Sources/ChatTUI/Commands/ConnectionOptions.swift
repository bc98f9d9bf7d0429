import ArgumentParser
import ChatClient
import ChatCore
import Foundation

/// How to reach one network and who to be there: the client's options for its first network, and
/// those of each further one (`--connect`, a `[name]` section of client.conf).
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: "The IRC server: HOST:PORT or irc://HOST[:PORT] (plaintext), ircs://HOST[:PORT] (TLS, port 6697); a comma-separated list fails over in order.")
    var server: String = "127.0.0.1:6667"

    @Option(name: .long, help: "More trusted certificate authorities for TLS (PEM file), besides the system's.")
    var tlsCa: String?

    @Option(name: .long, help: "Trust a TLS server whose certificate has this SHA-256 fingerprint (AB:CD:…), and pin it.")
    var tlsFingerprint: String?

    @Option(name: .long, help: "Log in to this account with SASL while connecting (password from --sasl-password-file, else asked for; with --tls-client-cert: EXTERNAL, no password).")
    var sasl: String?

    @Option(name: .long, help: "A TLS client certificate (PEM) to present; with --sasl it logs in by certificate (SASL EXTERNAL).")
    var tlsClientCert: String?

    @Option(name: .long, help: "The private key (PEM) of --tls-client-cert.")
    var tlsClientKey: String?

    @Option(name: .long, help: "File whose first line is the SASL password (mode 0600: readable by you only).")
    var saslPasswordFile: String?

    @Option(name: .long, help: "Your nickname (default: $USER).")
    var nick: String?

    @Option(name: .long, help: "Channel to join on connect (repeatable).")
    var channel: [String] = ["#chatty"]

    mutating func validate() throws {
        guard !servers.isEmpty, servers.count == server.split(separator: ",").count else {
            throw ValidationError("--server must be HOST:PORT, irc://HOST:PORT or ircs://HOST:PORT, or a comma-separated list of them, e.g. 127.0.0.1:6667 (got '\(server)')")
        }
        if let tlsFingerprint, CertificateFingerprint(tlsFingerprint) == nil {
            throw ValidationError("--tls-fingerprint must be a SHA-256 fingerprint: 32 bytes in hex, e.g. AB:CD:… (got '\(tlsFingerprint)')")
        }
        let name = nick ?? Self.defaultNick()
        guard ServerState.isValidNick(name, maxLength: 30) else {
            throw ValidationError("'\(name)' is not a valid nick: use letters, digits and []\\`_^{|}-, not starting with a digit; at most 30 characters")
        }
        for name in channel where !ServerState.isValidChannelName(name, maxLength: 50) {
            throw ValidationError("'\(name)' is not a channel name: it must start with # and contain no spaces or commas")
        }
        if saslPasswordFile != nil, sasl == nil { throw ValidationError("--sasl-password-file needs --sasl ACCOUNT") }
        if (tlsClientCert == nil) != (tlsClientKey == nil) { throw ValidationError("--tls-client-cert and --tls-client-key go together") }
    }

    var servers: [ServerEndpoint] {
        server.split(separator: ",").compactMap { ServerEndpoint.parse(String($0)) }
    }

    static func defaultNick() -> String {
        let user = ProcessInfo.processInfo.environment["USER"] ?? "guest"
        var nick = String(user.filter { $0.isASCII && ($0.isLetter || $0.isNumber || "[]\\`_^{|}-".contains($0)) }.prefix(30))
        if nick.isEmpty || nick.first!.isNumber || nick.first == "-" { nick = "guest" + nick }
        return String(nick.prefix(30))
    }
}

/// A further network of the client: `--connect "libera; server ircs://irc.libera.chat; nick al;
/// channel #swift"`, which is what a `[libera]` section of client.conf becomes. Its options are
/// the ``ConnectionOptions`` (and `password`); `server` is required, and no channel is joined
/// unless named.
struct ClientNetwork: Sendable {
    var name: String
    var servers: [ServerEndpoint]
    var nick: String?
    var channels: [String]
    var password: String?
    var tlsCa: String?
    var tlsFingerprint: String?
    var sasl: String?
    var saslPasswordFile: String?
    var tlsClientCert: String?
    var tlsClientKey: String?

    struct Invalid: Error, CustomStringConvertible {
        var description: String
    }
}

extension ClientNetwork {
    /// Reads one `--connect` value: `NAME; option value; …`.
    init(parsing argument: String) throws {
        let parts = ConfigFile.networkParts(argument)
        guard let name = parts.first, ConfigFile.isValidSectionName(name) else {
            throw Invalid(description: "--connect must start with the network's name (letters, digits, '-', '_', '.'), then '; server HOST:PORT' and more options (got '\(argument)')")
        }
        var arguments: [String] = []
        var password: String?
        var namesServer = false
        var namesChannel = false
        for part in parts.dropFirst() where !part.isEmpty {
            guard let entry = ConfigFile.entry(in: part) else { continue }
            if entry.name == "password" {
                password = entry.value
                continue
            }
            namesServer = namesServer || entry.name == "server"
            namesChannel = namesChannel || entry.name == "channel"
            arguments += ["--" + entry.name] + (entry.value.map { [$0] } ?? [])
        }
        guard namesServer else { throw Invalid(description: "network \(name): a server is needed ('server HOST:PORT')") }
        let options: ConnectionOptions
        do {
            options = try ConnectionOptions.parse(arguments)
        } catch {
            throw Invalid(description: "network \(name): " + ConnectionOptions.message(for: error))
        }
        self.name = name
        self.servers = options.servers
        self.nick = options.nick
        self.channels = namesChannel ? options.channel : []
        self.password = password
        self.tlsCa = options.tlsCa
        self.tlsFingerprint = options.tlsFingerprint
        self.sasl = options.sasl
        self.saslPasswordFile = options.saslPasswordFile
        self.tlsClientCert = options.tlsClientCert
        self.tlsClientKey = options.tlsClientKey
    }
}
