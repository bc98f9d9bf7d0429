import ChatCore
import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// A listener could not be opened: said the way a user can act on it.
public struct ListenError: Error, CustomStringConvertible {
    public var address: BindAddress
    public var what: String
    public var underlying: any Error

    public var description: String {
        let reason: String
        switch (underlying as? IOError)?.errnoCode {
        case EACCES?:
            reason = "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE: choose a port above 1024)"
        case EADDRINUSE?:
            reason = "the address is in use (is another server running there?)"
        case EADDRNOTAVAIL?:
            reason = "this machine has no such address"
        default:
            reason = "\(underlying)"
        }
        return "cannot listen for \(what) on \(address): \(reason)"
    }
}
