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

    /// Parses the command line after expanding `--config FILE` (see ``ConfigFile``), the client's
    /// behind the options of its settings file (see ``ClientSettings``).
    static func main() async {
        do {
            let commandLine = try ConfigFile.expand(Array(CommandLine.arguments.dropFirst()))
            let arguments = try ClientSettings.arguments(before: commandLine, path: ClientSettings.defaultPath())
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigFile.Error {
            exit(withError: ValidationError(error.description))
        } catch {
            exit(withError: error)
        }
    }
}
