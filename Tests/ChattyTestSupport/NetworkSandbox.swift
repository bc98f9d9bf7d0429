import Foundation

/// A network namespace of its own (`ip netns`, loopback only), so commands with fixed ports (the
/// README's 6667, 7000…) run exactly as written without meeting anything else on this machine.
/// Needs root (CI runs as root); programs inside still run as the unprivileged user.
public final class NetworkSandbox: Sendable {
    public let name: String
    private let ip: String

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    /// Whether namespaces can be made here (root and `ip` from iproute2).
    public static var isAvailable: Bool { UnprivilegedUser.testsRunAsRoot && ExternalTool.path("ip") != nil }

    public init() throws {
        guard UnprivilegedUser.testsRunAsRoot else { throw Unavailable(description: "network namespaces need root") }
        self.ip = try ExternalTool.require("ip", package: "iproute2")
        self.name = "chatty-" + String(UInt32.random(in: 0...UInt32.max), radix: 36)
        let added = try ChildProcess.run(ip, ["netns", "add", name])
        guard added.status == 0 else { throw Unavailable(description: "ip netns add \(name) failed (status \(added.status))") }
        _ = try ChildProcess.run(ip, ["-n", name, "link", "set", "lo", "up"])
    }

    /// Put before a command (and before the switch to the unprivileged user) to run it inside.
    public var wrapper: [String] { [ip, "netns", "exec", name] }

    /// Deletes the namespace; its processes must have ended.
    public func close() {
        _ = try? ChildProcess.run(ip, ["netns", "delete", name])
    }
}
