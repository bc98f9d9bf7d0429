import ArgumentParser

/// `chatty-tui [--server HOST:PORT] [--nick NAME] [--channel #chatty] [--host] [--plain]`.
struct ClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "client",
        abstract: "Connect to an IRC server in a full-screen terminal client (the default)."
    )

    func run() async throws {
        print("client not yet available")
    }
}
