import ChatCore
import Crypto
import Foundation
import NIOCore
import Testing

@testable import ChatServer

/// SASL SCRAM-SHA-256 against a real server over loopback, the client side computed here
/// (RFC 5802) from the password: a right password logs in and the server proves it knows the
/// verifier; a wrong one fails; the password never crosses the wire.
@Suite(.timeLimit(.minutes(2))) struct SCRAMLiveTests {
    private func withAccountServer(_ body: (Int) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "chatty-scram-live-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try HistoryStore(directory: directory)
        try store.save(Account(name: "ann", credentials: try SCRAMCredentials.derive(password: "pencil-sharp", iterations: 10_000),
                               registered: Timestamp(millisecondsSinceEpoch: 1)))
        let server = ChatServer(configuration: ChatServerConfiguration(
            listen: .hostname("127.0.0.1", port: 0), core: ServerConfiguration(motd: ["hi"]), threads: 1,
            flood: .init(rate: 0, burst: 10, hardLimit: 100)
        ), history: store)
        let port = try await server.start().port!
        do {
            try await body(port)
        } catch {
            await server.shutdown()
            throw error
        }
        await server.shutdown()
    }

    /// The client's side of one exchange; returns the server's last `AUTHENTICATE` or numeric.
    private func scram(_ client: TestIRCClient, password: String) async throws -> (verified: Bool, result: IRCMessage) {
        try await client.send("CAP LS 302", "CAP REQ :sasl", "NICK ann", "USER ann 0 * :Ann", "AUTHENTICATE SCRAM-SHA-256")
        _ = try await client.expect { $0.command == "AUTHENTICATE" && $0.parameters.first == "+" }
        let clientNonce = "rOprNGfwEbeRWgbNEkqO"
        let clientFirstBare = "n=ann,r=\(clientNonce)"
        try await client.send("AUTHENTICATE " + Base64.encode(Array(("n,," + clientFirstBare).utf8)))
        let first = try await client.expect { $0.command == "AUTHENTICATE" || $0.command == "904" }
        let serverFirst = String(decoding: try #require(Base64.decode(first.parameters[0])), as: UTF8.self)
        let fields = Dictionary(uniqueKeysWithValues: serverFirst.split(separator: ",").map {
            (String($0.prefix(1)), String($0.dropFirst(2)))
        })
        let nonce = try #require(fields["r"])
        #expect(nonce.hasPrefix(clientNonce) && nonce.count > clientNonce.count)
        let salt = try #require(fields["s"].flatMap(Base64.decode))
        let iterations = try #require(fields["i"].flatMap { Int($0) })
        let (storedKey, serverKey) = try SCRAMCredentials.keys(password: password, salt: salt, iterations: iterations)
        let withoutProof = "c=biws,r=\(nonce)"
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        // ClientKey is what hashes to StoredKey: recompute it from the password.
        let salted = try SCRAMCredentials.saltedPassword(password: password, salt: salt, iterations: iterations)
        let clientKey = Array(HMAC<SHA256>.authenticationCode(for: Array("Client Key".utf8), using: salted))
        #expect(Array(SHA256.hash(data: clientKey)) == storedKey)
        let signature = Array(HMAC<SHA256>.authenticationCode(for: authMessage, using: SymmetricKey(data: storedKey)))
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        try await client.send("AUTHENTICATE " + Base64.encode(Array("\(withoutProof),p=\(Base64.encode(proof))".utf8)))
        let answer = try await client.expect { $0.command == "AUTHENTICATE" || $0.command == "904" }
        guard answer.command == "AUTHENTICATE" else { return (false, answer) }
        let expected = Array(HMAC<SHA256>.authenticationCode(for: authMessage, using: SymmetricKey(data: serverKey)))
        let final = String(decoding: try #require(Base64.decode(answer.parameters[0])), as: UTF8.self)
        try await client.send("AUTHENTICATE +")
        let result = try await client.expect { ["903", "904"].contains($0.command) }
        return (final == "v=" + Base64.encode(expected), result)
    }

    @Test func theRightPasswordLogsInAndTheServerProvesItself() async throws {
        try await withAccountServer { port in
            let client = try await TestIRCClient.connect(port: port, name: "scram")
            let (verified, result) = try await scram(client, password: "pencil-sharp")
            #expect(verified, "the server's signature matches")
            #expect(result.command == "903")
            await client.close()
        }
    }

    @Test func aWrongPasswordFails() async throws {
        try await withAccountServer { port in
            let client = try await TestIRCClient.connect(port: port, name: "scram")
            let (_, result) = try await scram(client, password: "pencil-blunt")
            #expect(result.command == "904")
            await client.close()
        }
    }
}
