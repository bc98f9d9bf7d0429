import Foundation

/// Where `chatty-tui` keeps what it writes for the user (the `--host` log, server history):
/// `$XDG_STATE_HOME/chatty`, else `~/.local/state/chatty`.
enum StateDirectory {
    /// The directory for this environment; `nil` when neither variable names an absolute path.
    static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/chatty"
        }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return home + "/.local/state/chatty"
    }
}
