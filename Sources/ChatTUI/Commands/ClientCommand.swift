import ArgumentParser
import ChatClient
import ChatCore
import ChatServer
import Foundation
import Logging
import ServiceLifecycle
import NIOCore
import NIOPosix

/// `chatty-tui [--server HOST:PORT] [--nick NAME] [--channel #chatty] [--host] [--plain]`.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Chat in a full-screen terminal client (the default command).",
        discussion: """
            Keys: Ctrl-Q quit, Ctrl-X leave the current channel, F1 help, PgUp/PgDn scroll, \
            Alt-1..9 switch buffers, Ctrl-L redraw. Type /help for commands.
            """
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(name: .long, help: ArgumentHelp("Another network to connect to from this client, its options as in a config file separated by ';' (repeatable; a [name] section of client.conf), e.g. \"libera; server ircs://irc.libera.chat; nick al; channel #swift\".", valueName: "NAME; OPTIONS"))
    var connect: [String] = []

    @Flag(name: .long, help: "Also run a server in this process and connect to it; quitting stops it.")
    var host = false

    @Flag(name: .long, help: "Line mode: read lines from stdin, print messages as text (automatic when stdout is not a terminal).")
    var plain = false

    @Option(name: .long, help: "Line mode: seconds to wait at end of input for the connection and the channel before giving up.")
    var wait: Double = 30

    @Option(name: .long, help: "Scrollback lines kept per buffer.")
    var scrollback: Int = 10_000

    @Option(name: .long, help: "Seconds without a sign of life after which the server counts as gone: half of it idle, then a PING, then half for the answer.")
    var serverTimeout: Int = 30

    @Option(name: .long, help: "Where the buffers are logged as text (default: $XDG_DATA_HOME/chatty/logs, else ~/.local/share/chatty/logs).")
    var logDir: String?

    @Flag(name: .customLong("log"), inversion: .prefixedNo, help: "Log the buffers to disk (--no-log: do not).")
    var log = true

    @Option(name: .long, help: "A word that highlights a message like your nick does (repeatable).")
    var highlight: [String] = []

    @Option(name: .long, help: "How a mention or private message in another buffer is announced: bell, osc777 or osc9 (the bell and a desktop notification), off.")
    var notify: String = "bell"

    @Flag(name: .long, inversion: .prefixedNo, help: "Show the buffer in view and waiting mentions in the window title.")
    var title = true

    @Flag(name: .long, inversion: .prefixedNo, help: "Scroll with the mouse wheel (the terminal then reports the mouse: select text with Shift held).")
    var mouse = false

    @Option(name: .long, help: ArgumentHelp("Bind a key to a command line, e.g. \"alt-x /close\" (repeatable; see /bind).", valueName: "KEY COMMAND"))
    var bind: [String] = []

    @Option(name: .long, help: ArgumentHelp("Hide what NICK says; * and ? match any characters (repeatable; see /ignore).", valueName: "NICK"))
    var ignore: [String] = []

    /// Shown in the help only: `--config FILE` is expanded before parsing (see ``ConfigFile``).
    @Option(name: .long, help: ArgumentHelp("Read options from FILE, one per line (see the README).", valueName: "file"))
    var config: String?

    @OptionGroup(title: "Server options (with --host)")
    var serverOptions: ServerOptions

    mutating func validate() throws {
        guard TerminalAlert.Style(rawValue: notify) != nil else {
            throw ValidationError("--notify must be one of bell, osc777, osc9, off (got '\(notify)')")
        }
        guard (4...3600).contains(serverTimeout) else {
            throw ValidationError("--server-timeout must be 4…3600 seconds (got \(serverTimeout))")
        }
        guard wait > 0 else { throw ValidationError("--wait must be more than 0 seconds") }
        guard scrollback >= 100 else { throw ValidationError("--scrollback must be at least 100") }
        var names: Set<String> = []
        for value in connect {
            let parsed: ClientNetwork
            do {
                parsed = try ClientNetwork(parsing: value)
            } catch {
                throw ValidationError("\(error)")
            }
            guard names.insert(parsed.name.lowercased()).inserted else { throw ValidationError("two networks are named \(parsed.name)") }
        }
        if let empty = ignore.first(where: { $0.isEmpty || $0.contains(" ") }) {
            throw ValidationError("--ignore takes one nick or mask, without spaces (got '\(empty)')")
        }
        for binding in bind {
            do {
                _ = try KeyBinding(parsing: binding)
            } catch {
                throw ValidationError("--bind: \(error)")
            }
        }
    }

    /// What each `/set` setting is in this run (from client.conf, the command line or the default).
    func settingsInEffect(nick: String) -> [String: [String]] {
        [
            "server": [connection.server], "nick": [nick], "channel": connection.channel, "highlight": highlight,
            "notify": [notify], "log-dir": [logDir ?? ChatLogWriter.defaultDirectory() ?? "none"],
            "no-log": [log ? "off" : "on"], "no-title": [title ? "off" : "on"], "mouse": [mouse ? "on" : "off"],
            "bind": bind, "ignore": ignore, "scrollback": [String(scrollback)], "server-timeout": [String(serverTimeout)],
            "sasl": connection.sasl.map { [$0] } ?? [], "tls-fingerprint": connection.tlsFingerprint.map { [$0] } ?? [],
        ]
    }

    func run() async throws {
        let linemode = plain || isatty(1) == 0 || isatty(0) == 0
        // Full screen with --host: the server's log goes to a file (below), so it may say more.
        let logLevel: Logger.Level = host && !linemode ? .info : .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = logLevel
            return handler
        }
        var chatServer: ChatServer?
        var connectAddresses = connection.servers.isEmpty ? [ServerEndpoint(host: "127.0.0.1", port: 6667)] : connection.servers
        let inbox = EventInbox()
        if host {
            let configuration = try serverOptions.configuration()
            MallocTuning.applyForServer()
            let tls = try serverOptions.makeTLS()
            let started = ChatServer(configuration: configuration, history: try serverOptions.openHistory(), tls: tls,
                                     logger: Logger(label: "chatty.host"))
            // On the full screen, stderr would draw over it: the server logs to a file of the user's.
            let redirected = linemode ? nil : try HostLog.redirectStandardError()
            let bound: SocketAddress
            do {
                bound = try await started.start()
            } catch {
                if let redirected { HostLog.restoreStandardError(redirected.saved) }
                throw error
            }
            if let redirected { close(redirected.saved) }
            chatServer = started
            connectAddresses = [ServerEndpoint(host: configuration.listen.host, port: bound.port ?? configuration.listen.port)]
            if let tls, let address = started.tlsAddress {
                // What other clients should see when they connect over TLS.
                let text = "TLS on port \(address.port ?? 0); clients should expect the SHA-256 fingerprint \(tls.fingerprint)"
                if linemode {
                    FileHandle.standardError.write(Data(("chatty-tui: " + text + "\n").utf8))
                } else {
                    inbox.post(.client(.serverInfo(code: nil, text: text)))
                }
            }
        }
        let nick = connection.nick ?? ConnectionOptions.defaultNick()
        let addresses = connectAddresses
        let main = ClientNetwork(name: addresses[0].host, servers: addresses, nick: nick, channels: connection.channel,
                                 password: serverOptions.password, tlsCa: connection.tlsCa, tlsFingerprint: connection.tlsFingerprint,
                                 sasl: connection.sasl, saslPasswordFile: connection.saslPasswordFile,
                                 tlsClientCert: connection.tlsClientCert, tlsClientKey: connection.tlsClientKey)
        // Line mode talks to the first network only.
        let further = linemode ? [] : try connect.map { try ClientNetwork(parsing: $0) }
        if let clash = further.first(where: { $0.name.lowercased() == main.name.lowercased() }) {
            throw ValidationError("the network \(clash.name) has the first network's name (its host): name it otherwise")
        }
        let runtimes = try ([main] + further).enumerated().map { index, network in
            try makeRuntime(for: network, number: index, defaultNick: nick, linemode: linemode, inbox: inbox)
        }
        let runtime = runtimes[0]
        let networkNames = further.map(\.name)
        let furtherNicks = further.map { $0.nick ?? nick }
        let scrollback = self.scrollback
        // Times are shown in the local time zone as it is at each line's instant (daylight saving).
        let utcOffset = LocalClock.localTime
        let channels = connection.channel
        let waitMilliseconds = Int64(wait * 1000)
        let highlightWords = highlight
        let keyBindings = bind.compactMap { try? KeyBinding(parsing: $0) }
        let ignored = ignore
        let inEffect = settingsInEffect(nick: nick)
        let logDirectory = log ? (logDir ?? ChatLogWriter.defaultDirectory()) : nil
        let logNetwork = addresses[0].host
        let alertStyle = TerminalAlert.Style(rawValue: notify) ?? .bell
        let settingsPath = ClientSettings.defaultPath()
        let setsTitle = title
        let expanded = (try? ConfigFile.expand(Array(CommandLine.arguments.dropFirst()))) ?? []
        let commandLine = expanded.first == "client" ? Array(expanded.dropFirst()) : expanded
        let wheel = mouse
        let runClient = { @Sendable () async -> Int32 in await Self.runOnThread { () -> Int32 in
            if linemode {
                var session = LineModeSession(defaultChannels: channels, utcOffsetSeconds: utcOffset)
                session.readyTimeoutMilliseconds = waitMilliseconds
                var client = PlainClient(runtime: runtime, inbox: inbox, session: session)
                return client.run()
            } else {
                var controller = ChatController(server: addresses[0].description, nick: nick, scrollbackLimit: scrollback,
                                                utcOffsetSeconds: utcOffset)
                controller.view.currentTimeMilliseconds = runtime.now().millisecondsSinceEpoch
                controller.highlightWords = highlightWords
                controller.commandLineHighlightWords = (try? ClientCommand.parse(commandLine))?.highlight ?? []
                controller.keyBindings = keyBindings
                controller.ignored = ignored
                controller.settingsInEffect = inEffect
                controller.alertStyle = alertStyle
                controller.settingsPath = settingsPath
                controller.settingsProblem = { settings in
                    do {
                        // As the next start would read them: the file's options, then this command line.
                        _ = try ClientCommand.parse(ConfigFile.options(in: settings.text, file: "client.conf") + commandLine)
                        return nil
                    } catch {
                        return ClientCommand.message(for: error)
                    }
                }
                controller.view.networkName = logNetwork
                if logDirectory != nil { controller.view.logNetwork = logNetwork }
                var networks = [TerminalApp.Network(runtime: runtime, controller: controller)]
                for (index, name) in networkNames.enumerated() {
                    // Each further network: its own buffers (its server buffer named after it), the same settings.
                    var other = controller.withoutBuffers(server: name, nick: furtherNicks[index])
                    if logDirectory != nil { other.view.logNetwork = name }
                    networks.append(TerminalApp.Network(runtime: runtimes[index + 1], controller: other))
                }
                var app = TerminalApp(networks: networks, inbox: inbox, terminal: NCursesTerminal(mouse: wheel))
                app.setsTitle = setsTitle
                app.logWriter = logDirectory.map { directory in
                    ChatLogWriter(directory: directory) { problem in inbox.post(.client(.error(problem))) }
                }
                app.run()
                return 0
            }
        } }
        let status: Int32
        if let chatServer {
            // Server and client are services of one group: when the client ends (the user quit,
            // or a signal made it quit), the group shuts the server down gracefully and waits for it.
            let client = ClientService(body: runClient)
            let group = ServiceGroup(configuration: .init(
                services: [
                    .init(service: chatServer),
                    .init(service: client, successTerminationBehavior: .gracefullyShutdownGroup),
                ],
                logger: Logger(label: "chatty.host")
            ))
            try await group.run()
            status = client.status
        } else {
            status = await runClient()
        }
        if status != 0 { throw ExitCode(status) }
    }

    /// The connection to one network; its events reach the UI marked with `number`.
    private func makeRuntime(for network: ClientNetwork, number: Int, defaultNick: String, linemode: Bool,
                             inbox: EventInbox) throws -> IRCClientRuntime {
        let nick = network.nick ?? defaultNick
        let login = try network.sasl.map { account in
            network.tlsClientCert != nil ? SASLLogin(account: account, password: "", external: true)
                : SASLLogin(account: account, password: try Self.saslPassword(file: network.saslPasswordFile, account: account, linemode: linemode))
        }
        // Line mode prints only what happens from now on (a script reading it sees no old lines);
        // both modes catch up on what they missed after a reconnect.
        var configuration = ClientConfiguration(nick: nick, userName: nick, realName: "Chatty user",
                                                password: network.password, channels: network.channels,
                                                historyOnJoin: linemode ? 0 : 50)
        configuration.sasl = login
        configuration.keepaliveInterval = .milliseconds(serverTimeout * 500)
        configuration.keepaliveTimeout = .milliseconds(serverTimeout * 500)
        var ask: (@Sendable (TrustQuestion) -> Void)?
        if !linemode {
            ask = { @Sendable question in inbox.post(.trustQuestion(question), network: number) }
        }
        let report: @Sendable (String) -> Void = { text in
            if linemode {
                FileHandle.standardError.write(Data(("chatty-tui: " + text + "\n").utf8))
            } else {
                inbox.post(.client(.error(text)), network: number)
            }
        }
        var pins: [CertificateFingerprint] = []
        if let tlsFingerprint = network.tlsFingerprint, let pin = CertificateFingerprint(tlsFingerprint) { pins.append(pin) }
        let tls = try ClientTLS(caFile: network.tlsCa, fingerprints: pins,
                                clientCertificate: network.tlsClientCert.flatMap { cert in network.tlsClientKey.map { (cert, $0) } },
                                ask: ask, report: report)
        return IRCClientRuntime(servers: network.servers, configuration: configuration,
                                eventLoop: MultiThreadedEventLoopGroup.singleton.next(), tls: tls,
                                onConnecting: { inbox.post(.connecting(to: $0), network: number) },
                                onEvents: { inbox.post($0.map(UIEvent.client), network: number) })
    }

    /// The SASL password: the first line of `--sasl-password-file` (which only its owner may
    /// read), else asked for on the terminal without echo. Never taken from the command line.
    static func saslPassword(file saslPasswordFile: String?, account: String, linemode: Bool) throws -> String {
        if let saslPasswordFile {
            var info = stat()
            guard stat(saslPasswordFile, &info) == 0, let data = FileManager.default.contents(atPath: saslPasswordFile) else {
                throw ValidationError("cannot read --sasl-password-file \(saslPasswordFile)")
            }
            guard info.st_mode & 0o077 == 0 else {
                throw ValidationError("--sasl-password-file \(saslPasswordFile) may be read by others: chmod 600 it")
            }
            let password = PasswordPrompt.firstLine(of: data)
            guard !password.isEmpty else { throw ValidationError("--sasl-password-file \(saslPasswordFile) is empty") }
            return password
        }
        guard !linemode, isatty(0) != 0 else {
            throw ValidationError("--sasl in line mode needs --sasl-password-file FILE (standard input carries the messages)")
        }
        return PasswordPrompt.read("Password for \(account): ")
    }

    /// Runs a blocking loop on its own thread so it never holds a Swift concurrency thread.
    private static func runOnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread {
                continuation.resume(returning: body())
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }
}
