import ChatCore
import Dispatch
import Logging

/// Checks passwords and derives credentials on a queue of its own, one at a time, so that a
/// PBKDF2 run (hundreds of milliseconds on purpose) never holds an event loop, and a burst of
/// logins costs at most one core.
final class CredentialWorker: Sendable {
    enum Outcome: Sendable {
        case checked(valid: Bool)
        case created(AccountCredentials)
        case serverFirst(String)
        /// The server's signature when the SCRAM proof was right, `nil` when wrong.
        case proof(serverSignature: [UInt8]?)
        case failed
    }

    private let queue = DispatchQueue(label: "chatty-credentials")
    private let iterations: Int
    private let logger: Logger

    init(iterations: Int = AccountCredentials.defaultIterations, logger: Logger) {
        self.iterations = iterations
        self.logger = logger
    }

    func run(_ check: PasswordCheck, completion: @escaping @Sendable (Outcome) -> Void) {
        let iterations = self.iterations
        let logger = self.logger
        queue.async {
            do {
                switch check.purpose {
                case .login(let credentials):
                    completion(.checked(valid: try SCRAMCredentials.verify(password: check.password, against: credentials)))
                case .register:
                    completion(.created(try SCRAMCredentials.derive(password: check.password, iterations: iterations)))
                case .scramServerFirst(let credentials, let clientNonce):
                    completion(.serverFirst(SCRAMCredentials.serverFirst(credentials, clientNonce: clientNonce)))
                case .scramProof(let credentials, let authMessage, let proof):
                    completion(.proof(serverSignature: SCRAMCredentials.check(proof: proof, authMessage: authMessage,
                                                                               against: credentials)))
                }
            } catch {
                // The password itself is never logged.
                logger.error("credential check failed", metadata: ["account": "\(check.account)", "error": "\(error)"])
                completion(.failed)
            }
        }
    }
}
