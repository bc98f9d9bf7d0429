import ChatCore
import Crypto
import _CryptoExtras

/// Derives and checks ``AccountCredentials`` (SCRAM-SHA-256 verifiers: PBKDF2-HMAC-SHA256, then
/// the RFC 5802 keys). Slow by design: run it off the event loop.
public enum SCRAMCredentials {
    /// New credentials for `password` with a fresh 16-byte salt.
    public static func derive(password: String, iterations: Int = AccountCredentials.defaultIterations) throws -> AccountCredentials {
        var salt = [UInt8](repeating: 0, count: 16)
        var generator = SystemRandomNumberGenerator()
        for index in salt.indices { salt[index] = UInt8.random(in: 0...255, using: &generator) }
        let (storedKey, serverKey) = try keys(password: password, salt: salt, iterations: iterations)
        return AccountCredentials(salt: salt, iterations: iterations, storedKey: storedKey, serverKey: serverKey)
    }

    /// Whether `password` matches `credentials` (compared in constant time).
    public static func verify(password: String, against credentials: AccountCredentials) throws -> Bool {
        let (storedKey, _) = try keys(password: password, salt: credentials.salt, iterations: credentials.iterations)
        guard storedKey.count == credentials.storedKey.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(storedKey, credentials.storedKey) { difference |= a ^ b }
        return difference == 0
    }

    static func keys(password: String, salt: [UInt8], iterations: Int) throws -> (stored: [UInt8], server: [UInt8]) {
        let salted = try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                                        outputByteCount: 32, unsafeUncheckedRounds: iterations)
        let clientKey = HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: salted)
        let serverKey = HMAC<SHA256>.authenticationCode(for: Array("Server Key".utf8), using: salted)
        return (Array(SHA256.hash(data: Array(clientKey))), Array(serverKey))
    }
}
