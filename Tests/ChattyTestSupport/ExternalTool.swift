import Foundation

/// Programs from outside the package that some tests drive (tmux, ngircd, irssi, setpriv, ip).
///
/// On a newcomer's machine a test whose program is missing is skipped, with one line naming the
/// Debian package to install. Under CI (`CI=true`) nothing may go untested: the test runs anyway
/// and fails, saying what is missing.
public enum ExternalTool {
    public static func path(_ tool: String) -> String? {
        for directory in ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"] {
            let path = directory + "/" + tool
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    public static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }

    /// Whether a test that needs `tool` should run (see the type's documentation).
    public static func available(_ tool: String) -> Bool { path(tool) != nil || isCI }

    public struct Missing: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) {
            self.description = description
        }
    }

    /// The tool's path, or an error naming the package to install.
    public static func require(_ tool: String, package: String? = nil) throws -> String {
        guard let path = path(tool) else {
            throw Missing(description: "\(tool) is not installed: sudo apt-get install -y \(package ?? tool) (.ci/run does)")
        }
        return path
    }

    /// The skip comment for a test that needs `tool`.
    public static func skipNote(_ tool: String, package: String? = nil) -> String {
        "needs \(tool): sudo apt-get install -y \(package ?? tool)"
    }
}
