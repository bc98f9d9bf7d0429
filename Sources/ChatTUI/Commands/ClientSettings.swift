import Foundation

/// The client's own settings file, `client.conf` (`$XDG_CONFIG_HOME/chatty/client.conf`, else
/// `~/.config/chatty/client.conf`): the client's command-line options, one per line as in a
/// `--config` file, read before the command line at every start (so the command line overrides a
/// setting, and adds to a repeatable one). `/set` edits it from the running client.
struct ClientSettings: Sendable, Hashable {
    /// What `/set` offers: the client options worth keeping, and whether a change applies at once.
    struct Setting: Sendable, Hashable {
        var name: String
        /// Given several times (`/set highlight a,b` keeps two lines).
        var repeatable = false
        /// A flag: `on` keeps it, `off` removes it.
        var flag = false
        /// Takes effect in the running client (otherwise at the next start).
        var live = false
        /// Changed by this command instead of `/set` (whose comma-separated lists would cut its values).
        var editedBy: String?
    }

    static let settings: [Setting] = [
        Setting(name: "server"),
        Setting(name: "nick"),
        Setting(name: "channel", repeatable: true),
        Setting(name: "highlight", repeatable: true, live: true),
        Setting(name: "notify", live: true),
        Setting(name: "log-dir"),
        Setting(name: "no-log", flag: true),
        Setting(name: "no-title", flag: true),
        Setting(name: "mouse", flag: true),
        Setting(name: "bind", repeatable: true, live: true, editedBy: "/bind"),
        Setting(name: "ignore", repeatable: true, live: true, editedBy: "/ignore"),
        Setting(name: "scrollback"),
        Setting(name: "server-timeout"),
        Setting(name: "sasl"),
        Setting(name: "tls-fingerprint"),
    ]

    static func setting(named name: String) -> Setting? {
        settings.first { $0.name == name.lowercased() }
    }

    /// `$XDG_CONFIG_HOME/chatty/client.conf`, else `~/.config/chatty/client.conf`; `nil` without a home.
    static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/chatty/client.conf" }
        guard let home = environment["HOME"], home.hasPrefix("/") else { return nil }
        return home + "/.config/chatty/client.conf"
    }

    /// The file's text (comments and unknown lines are kept as they are).
    var text: String

    /// Every option line, in order.
    func entries(file: String) throws -> [(name: String, value: String?)] {
        try ConfigFile.entries(in: text, file: file)
    }

    /// The values of one option (`on` for a flag that is set).
    func values(of setting: Setting) -> [String] {
        lines.compactMap { ConfigFile.entry(in: $0) }.filter { $0.name == setting.name }
            .map { setting.flag ? "on" : ($0.value ?? "") }
    }

    /// Replaces every line of `setting` by `values` (where its first line was, else at the end of
    /// the lines before the first network's section); no values removes it. Sections stay as they are.
    mutating func set(_ setting: Setting, to values: [String]) {
        var kept: [String] = []
        var insertAt: Int?
        let all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let sectionStart = all.firstIndex { ConfigFile.sectionName(in: $0) != nil } ?? all.count
        let sections = Array(all[sectionStart...])
        for line in all[..<sectionStart] {
            if ConfigFile.entry(in: line)?.name == setting.name {
                insertAt = insertAt ?? kept.count
                continue
            }
            kept.append(line)
        }
        let new = setting.flag ? (values.isEmpty ? [] : [setting.name]) : values.map { "\(setting.name) \($0)" }
        while kept.last == "" { kept.removeLast() }
        kept.insert(contentsOf: new, at: min(insertAt ?? kept.count, kept.count))
        if !sections.isEmpty {
            var rest = sections
            while rest.last == "" { rest.removeLast() }
            kept += (kept.isEmpty ? [] : [""]) + rest
        }
        text = kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n"
    }

    /// The lines before the first network's section (the ones `/set` reads and writes).
    private var lines: [String] {
        let all = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return Array(all.prefix { ConfigFile.sectionName(in: $0) == nil })
    }

    // MARK: - The file

    static func load(from path: String) throws -> ClientSettings {
        guard FileManager.default.fileExists(atPath: path) else { return ClientSettings(text: "") }
        return ClientSettings(text: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// Writes the file (its directory 0700 when made, the file 0600 from its creation: it may name
    /// an account), through a temporary file renamed over it, so a crash never leaves half of it.
    func save(to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let temporary = path + ".tmp"
        unlink(temporary)
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission) }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown)
        }
    }

    /// The arguments `client.conf` adds in front of the command line of the client (not of
    /// `serve` or another subcommand); none when there is no such file.
    static func arguments(before commandLine: [String], path: String?) throws -> [String] {
        guard let path else { return commandLine }
        let subcommands = ["serve", "account", "help", "-h", "--help", "--version"]
        if let first = commandLine.first, subcommands.contains(first) { return commandLine }
        let settings: ClientSettings
        do {
            settings = try load(from: path)
        } catch {
            throw ConfigFile.Error(description: "cannot read \(path): \(error.localizedDescription)")
        }
        let options = try ConfigFile.options(in: settings.text, file: path)
        guard !options.isEmpty else { return commandLine }
        if commandLine.first == "client" { return ["client"] + options + commandLine.dropFirst() }
        return options + commandLine
    }
}
