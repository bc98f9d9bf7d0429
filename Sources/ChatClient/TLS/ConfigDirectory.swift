/// Where `chatty-tui` keeps what the user trusts: `$XDG_CONFIG_HOME/chatty`, else
/// `~/.config/chatty` (`known_servers`, `sts`).
public enum ConfigDirectory {
    public static func path(environment: [String: String]) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/chatty" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.config/chatty" }
        return nil
    }
}
