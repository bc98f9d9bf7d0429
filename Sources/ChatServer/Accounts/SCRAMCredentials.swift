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

    /// The server-first message: the client's nonce followed by 18 random bytes of ours, the
    /// salt and the iteration count.
    public static func serverFirst(_ credentials: AccountCredentials, clientNonce: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let ours = Base64.encode((0..<18).map { _ in UInt8.random(in: 0...255, using: &generator) })
        return "r=\(clientNonce)\(ours),s=\(Base64.encode(credentials.salt)),i=\(credentials.iterations)"
    }

    /// Checks a client proof (RFC 5802): ClientKey = proof XOR HMAC(StoredKey, AuthMessage) must
    /// hash to StoredKey. Returns the server signature HMAC(ServerKey, AuthMessage), or `nil`.
    public static func check(proof: [UInt8], authMessage: String, against credentials: AccountCredentials) -> [UInt8]? {
        let message = Array(authMessage.utf8)
        let clientSignature = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: credentials.storedKey)))
        guard proof.count == clientSignature.count else { return nil }
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        let computed = Array(SHA256.hash(data: clientKey))
        var difference: UInt8 = 0
        for (a, b) in zip(computed, credentials.storedKey) { difference |= a ^ b }
        guard difference == 0, computed.count == credentials.storedKey.count else { return nil }
        return Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: credentials.serverKey)))
    }

    /// SaltedPassword = PBKDF2-HMAC-SHA256(password, salt, iterations).
    static func saltedPassword(password: String, salt: [UInt8], iterations: Int) throws -> SymmetricKey {
        try KDF.Insecure.PBKDF2.deriveKey(from: Array(password.utf8), salt: salt, using: .sha256,
                                          outputByteCount: 32, unsafeUncheckedRounds: iterations)
    }

    static func keys(password: String, salt: [UInt8], iterations: Int) throws -> (stored: [UInt8], server: [UInt8]) {
        let salted = try saltedPassword(password: password, salt: salt, iterations: iterations)
        let clientKey = HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: salted)
        let serverKey = HMAC<SHA256>.authenticationCode(for: Array("Server Key".utf8), using: salted)
        return (Array(SHA256.hash(data: Array(clientKey))), Array(serverKey))
    }
}
