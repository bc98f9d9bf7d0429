import ChatCore
import Crypto
import Foundation
import Testing

@testable import ChatServer

@Suite struct SCRAMCredentialsTests {
    /// RFC 7677's SCRAM-SHA-256 example: the keys derived here must verify its client proof and
    /// produce its server signature, so the stored verifier is a real SCRAM verifier.
    @Test func keysMatchRFC7677() throws {
        let salt = try #require(Base64.decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
        let (storedKey, serverKey) = try SCRAMCredentials.keys(password: "pencil", salt: salt, iterations: 4096)
        let nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
        let authMessage = "n=user,r=rOprNGfwEbeRWgbNEkqO,r=\(nonce),s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=\(nonce)"
        let serverSignature = HMAC<SHA256>.authenticationCode(for: Array(authMessage.utf8), using: SymmetricKey(data: serverKey))
        #expect(Base64.encode(Array(serverSignature)) == "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        let proof = try #require(Base64.decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
        let clientSignature = Array(HMAC<SHA256>.authenticationCode(for: Array(authMessage.utf8), using: SymmetricKey(data: storedKey)))
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        #expect(Array(SHA256.hash(data: clientKey)) == storedKey)
    }

    @Test func derivedCredentialsAcceptThePasswordOnly() throws {
        let credentials = try SCRAMCredentials.derive(password: "correct horse", iterations: 10_000)
        #expect(credentials.salt.count == 16 && credentials.iterations == 10_000)
        #expect(try SCRAMCredentials.verify(password: "correct horse", against: credentials))
        #expect(try !SCRAMCredentials.verify(password: "correct horsE", against: credentials))
        let again = try SCRAMCredentials.derive(password: "correct horse", iterations: 10_000)
        #expect(again.salt != credentials.salt && again.storedKey != credentials.storedKey, "a fresh salt each time")
    }

    @Test func accountsAreStoredWithoutThePassword() throws {
        let directory = HistoryStoreTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let credentials = try SCRAMCredentials.derive(password: "never-stored-in-clear", iterations: 10_000)
        do {
            let store = try HistoryStore(directory: directory)
            try store.save(Account(name: "Ann", credentials: credentials, registered: Timestamp(millisecondsSinceEpoch: 1)))
            try store.save(Account(name: "bob", credentials: credentials, registered: Timestamp(millisecondsSinceEpoch: 2)))
            try store.save(Account(name: "ann", credentials: credentials, registered: Timestamp(millisecondsSinceEpoch: 3)))
        }
        let reopened = try HistoryStore(directory: directory)
        #expect(try reopened.accounts().map(\.name) == ["bob", "ann"], "one account per folded name, the last saved")
        #expect(try reopened.accounts().first?.credentials == credentials)
        let file = try Data(contentsOf: URL(fileURLWithPath: directory + "/history.sqlite"))
            + ((try? Data(contentsOf: URL(fileURLWithPath: directory + "/history.sqlite-wal"))) ?? Data())
        #expect(file.range(of: Data("never-stored-in-clear".utf8)) == nil)
    }
}
