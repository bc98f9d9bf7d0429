import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A failed connect or a lost connection, in the words a person reads: `connection refused by
/// 127.0.0.1:6667` rather than SwiftNIO's nested error values.
public struct ConnectionFailure: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ error: any Error, host: String, port: Int) {
        self.description = Self.describe(error, address: Self.address(host: host, port: port))
    }

    static func address(host: String, port: Int) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    static func describe(_ error: any Error, address: String) -> String {
        if let connection = error as? NIOConnectionError {
            if connection.dnsAAAAError != nil || connection.dnsAError != nil, connection.connectionErrors.isEmpty {
                return "cannot resolve the name of \(address)"
            }
            if let first = connection.connectionErrors.first {
                return describe(first.error, address: address)
            }
            return "cannot connect to \(address)"
        }
        if let io = error as? IOError {
            return Self.errnoText(io.errnoCode, address: address)
        }
        if let channelError = error as? ChannelError, case .connectTimeout = channelError {
            return "no answer from \(address) (timed out)"
        }
        let text = "\(error)"
        return text.count > 120 ? String(text.prefix(120)) + "…" : text
    }

    static func errnoText(_ code: Int32, address: String) -> String {
        switch code {
        case ECONNREFUSED: "connection refused by \(address)"
        case ETIMEDOUT: "no answer from \(address) (timed out)"
        case ENETUNREACH, EHOSTUNREACH: "\(address) is unreachable"
        case ECONNRESET: "connection reset by \(address)"
        case EPIPE: "connection to \(address) broken"
        default: "\(String(cString: strerror(code))) (\(address))"
        }
    }
}
