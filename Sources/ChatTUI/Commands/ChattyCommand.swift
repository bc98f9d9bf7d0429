import ArgumentParser

/// The `chatty-tui` command: the terminal client by default, `serve` for a headless server.
@main
struct ChattyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chatty-tui",
        abstract: "Chatty: an IRC chat server and full-screen terminal client.",
        subcommands: [ClientCommand.self, ServeCommand.self],
        defaultSubcommand: ClientCommand.self
    )
}
