import ArgumentParser
import ChatServer
import Logging
import ServiceLifecycle

/// `chatty-tui serve`: the headless server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run a headless Chatty IRC server.",
        subcommands: [AccountCommand.self]
    )

    @OptionGroup var server: ServerOptions

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Shown in the help only: `--config FILE` is expanded before parsing (see ``ConfigFile``).
    @Option(name: .long, help: ArgumentHelp("Read options from FILE, one per line (see the README).", valueName: "file"))
    var config: String?

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "chatty")
        MallocTuning.applyForServer()
        let tls = try server.makeTLS()
        let chatServer = ChatServer(configuration: try server.configuration(), history: try server.openHistory(), tls: tls,
                                    logger: logger)
        var services: [any Service] = [chatServer]
        if let tls { services.append(TLSReloadService(tls: tls, logger: logger)) }
        let group = ServiceGroup(configuration: .init(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        ))
        try await group.run()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
