import ArgumentParser
import ChatCore
import ChatServer
import Foundation

/// `chatty-tui serve account add NAME`: the administrator creates (or resets) an account in a
/// server's data directory, with the server stopped. The password is read from `--password-file`
/// or standard input (prompted without echo on a terminal), never from the command line.
struct AccountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account",
        abstract: "Manage the accounts of a server's data directory (with the server stopped).",
        subcommands: [Add.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Create an account (or set its password); its nick then belongs to it."
        )

        @Argument(help: "The account name (also the nick it owns).")
        var account: String

        @Option(name: .long, help: "Read the password from the first line of this file instead of standard input.")
        var passwordFile: String?

        /// The server's flags (`--name`, `--data-dir`, `--password-iterations`), shared with `serve`:
        /// the same data directory rule.
        @OptionGroup(title: "Server options") var server: ServerOptions

        mutating func validate() throws {
            guard ServerState.isValidNick(account, maxLength: 30) else {
                throw ValidationError("'\(account)' cannot be an account: it must be a valid nick")
            }
        }

        func run() throws {
            guard let directory = server.dataDirectory() else {
                throw ValidationError("no data directory: set HOME or XDG_STATE_HOME, or pass --data-dir DIR")
            }
            let password = try readPassword()
            guard password.count >= 8 else { throw ValidationError("the password must be at least 8 characters") }
            let store: HistoryStore
            switch Result(catching: { () throws(HistoryStore.OpenError) -> HistoryStore in try HistoryStore(directory: directory) }) {
            case .success(let opened):
                store = opened
            case .failure(.locked):
                throw ValidationError("the server using \(directory) is running: stop it first (users can also REGISTER)")
            case .failure(let error):
                throw ValidationError("\(error)")
            }
            let credentials = try SCRAMCredentials.derive(password: password, iterations: server.passwordIterations)
            try store.save(Account(name: account, credentials: credentials, registered: WallClock.now()))
            print("account \(account) saved in \(store.path)")
        }

        private func readPassword() throws -> String {
            if let passwordFile {
                guard let data = FileManager.default.contents(atPath: passwordFile) else {
                    throw ValidationError("cannot read --password-file \(passwordFile)")
                }
                return PasswordPrompt.firstLine(of: data)
            }
            return PasswordPrompt.read("Password for \(account): ")
        }
    }
}
