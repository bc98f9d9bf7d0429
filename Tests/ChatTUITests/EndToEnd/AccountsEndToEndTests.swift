import ChattyTestSupport
import Foundation
import Testing

/// Accounts between real processes as the unprivileged user: registered accounts survive a
/// restart, SASL logs in or fails clearly, an owned nick is taken back from someone else, and no
/// password reaches the log.
@Suite(.serialized, .timeLimit(.minutes(3))) struct AccountsEndToEndTests {
    func passwordFile(_ password: String) throws -> String {
        let path = try UnprivilegedUser.makeDirectory("password").path + "/password"
        try (password + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o600)
        UnprivilegedUser.handOver(path)
        return path
    }

    @Test func anAccountSurvivesARestartAndItsNickIsTakenBackFromOthers() async throws {
        let data = ServerProcess.freshDataDirectory()
        let arguments = ["--data-dir", data, "--nick-grace", "1", "--password-iterations", "10000", "--log-level", "debug"]
        var server = try await ServerProcess.start(arguments)
        defer { server.kill9() }
        let owner = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "owner"])
        defer { owner.terminate() }
        try await owner.waitFor("registered as owner")
        owner.send("/register correct-horse-battery")
        try await owner.waitFor("logged in as owner")
        owner.closeInput()
        #expect(try await owner.waitForExit() == 0)
        #expect(try await server.stop() == 0)

        server = try await ServerProcess.start(arguments)
        // Someone takes the nick while its owner is away: warned, then renamed.
        let squatter = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "owner"])
        defer { squatter.terminate() }
        try await squatter.waitFor("registered as owner")
        try await squatter.waitFor("belongs to a registered account")
        try await squatter.waitFor("owner is now known as Guest1")

        // A wrong password is refused clearly, and the client goes on without an account.
        let wrong = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "pretender",
                                                       "--sasl", "owner", "--sasl-password-file", try passwordFile("not-the-password")])
        defer { wrong.terminate() }
        try await wrong.waitForError("SASL login as owner failed")
        try await wrong.waitFor("registered as pretender")

        // The owner logs in with SASL after the restart and takes the nick.
        let back = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "owner",
                                                      "--sasl", "owner", "--sasl-password-file", try passwordFile("correct-horse-battery")])
        defer { back.terminate() }
        try await back.waitFor("logged in as owner")
        try await back.waitFor("registered as owner")
        back.send("/whois owner")
        try await back.waitFor("is logged in as")
        for client in [squatter, wrong, back] {
            client.closeInput()
            _ = try await client.waitForExit()
        }
        #expect(try await server.stop() == 0)
        let log = server.process.errorLines.joined(separator: "\n")
        #expect(log.contains("accounts loaded"))
        #expect(!log.contains("correct-horse-battery") && !log.contains("not-the-password"), "no password in a debug log")
    }

    @Test func theAdministratorAddsAnAccountOnlyWithTheServerStopped() async throws {
        let data = ServerProcess.freshDataDirectory()
        let add = { () throws -> ChildProcess.Result in
            try ChildProcess.run("/bin/sh", ["-c", UnprivilegedUser.shellCommand(
                "printf 'admin-made-password\\n' | chatty-tui serve account add carol --data-dir \(data) --password-iterations 10000 2>&1")])
        }
        let server = try await ServerProcess.start(["--data-dir", data])
        defer { server.kill9() }
        let refused = try add()
        #expect(refused.status != 0 && refused.output.contains("is running: stop it first"), "\(refused)")
        try await server.stop()
        let added = try add()
        #expect(added.status == 0 && added.output.contains("account carol saved"), "\(added)")
        let again = try await ServerProcess.start(["--data-dir", data])
        defer { again.kill9() }
        let carol = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(again.port)", "--nick", "carol",
                                                       "--sasl", "carol", "--sasl-password-file", try passwordFile("admin-made-password")])
        defer { carol.terminate() }
        try await carol.waitFor("logged in as carol")
        carol.closeInput()
        #expect(try await carol.waitForExit() == 0)
        try await again.stop()
    }

    /// A third-party client logs in the way its users configure it: irssi, TLS, SASL PLAIN.
    @Test(.enabled(if: ExternalTool.available("irssi"), "\(ExternalTool.skipNote("irssi"))"))
    func irssiLogsInWithSASLOverTLS() async throws {
        let irssi = try ExternalTool.require("irssi")
        let data = ServerProcess.freshDataDirectory()
        let added = try ChildProcess.run("/bin/sh", ["-c", UnprivilegedUser.shellCommand(
            "printf 'irssi-user-password\\n' | chatty-tui serve account add ircfan --data-dir \(data) --password-iterations 10000 2>&1")])
        #expect(added.status == 0, "\(added)")
        let server = try await ServerProcess.start(["--data-dir", data, "--tls-listen", "127.0.0.1:0"])
        defer { server.kill9() }
        let tlsPort = try #require(server.tlsPort)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("irssi-sasl-\(tlsPort)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try """
            servers = ( { address = "127.0.0.1"; chatnet = "chatty"; port = "\(tlsPort)"; use_tls = "yes";
                          tls_verify = "no"; autoconnect = "yes"; } );
            chatnets = { chatty = { type = "IRC"; sasl_mechanism = "PLAIN"; sasl_username = "ircfan";
                                    sasl_password = "irssi-user-password"; }; };
            settings = { core = { real_name = "irssi fan"; user_name = "ircfan"; nick = "ircfan"; }; };
            """.write(to: home.appendingPathComponent("config"), atomically: true, encoding: .utf8)
        let session = try TmuxSession(name: "irssi-sasl", width: 120, height: 30, command: "\(irssi) --home=\(home.path)")
        defer { session.kill() }
        try await session.waitFor("Welcome to the Chatty", timeout: .seconds(20))
        let watcher = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "watcher"])
        defer { watcher.terminate() }
        try await watcher.waitFor("registered as watcher")
        watcher.send("/whois ircfan")
        try await watcher.waitFor("is logged in as")
        try await watcher.waitFor("is using a secure connection")
        watcher.closeInput()
        #expect(try await watcher.waitForExit() == 0)
        try await server.stop()
    }

    @Test func ownershipHoldsAcrossThreeLinkedServers() async throws {
        let secret = try ServerProcess.secretFile()
        let extra = ["--nick-grace", "1", "--password-iterations", "10000"]
        let a = try await ServerProcess.linked(name: "a.chatty", secretFile: secret, extra: extra)
        defer { a.kill9() }
        let b = try await ServerProcess.linked(name: "b.chatty", secretFile: secret, peers: [a.linkPort!], extra: extra)
        defer { b.kill9() }
        let c = try await ServerProcess.linked(name: "c.chatty", secretFile: secret, peers: [b.linkPort!], extra: extra)
        defer { c.kill9() }
        try await b.process.waitForError("link up")
        try await c.process.waitForError("link up")
        let ann = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(a.port)", "--nick", "ann"])
        defer { ann.terminate() }
        try await ann.waitFor("registered as ann")
        ann.send("/register ann-long-password")
        try await ann.waitFor("logged in as ann")
        ann.send("/nick ann_away")
        try await ann.waitFor("ann is now known as ann_away")
        // On c, two servers away, someone takes the nick: c warns, then renames.
        let squatter = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(c.port)", "--nick", "ann"])
        defer { squatter.terminate() }
        try await squatter.waitFor("registered as ann")
        try await squatter.waitFor("belongs to a registered account")
        try await squatter.waitFor("ann is now known as Guest1")
        try await ann.waitFor("ann is now known as Guest1")
        // On b, the owner logs in from a second client and keeps the nick.
        let back = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(b.port)", "--nick", "ann",
                                                      "--sasl", "ann", "--sasl-password-file", try passwordFile("ann-long-password")])
        defer { back.terminate() }
        try await back.waitFor("logged in as ann")
        try await back.waitFor("registered as ann")
        back.send("/whois ann")
        try await back.waitFor("is logged in as")
        for client in [ann, squatter, back] {
            client.closeInput()
            _ = try await client.waitForExit()
        }
    }

    @Test func aClientCertificateAddedToAnAccountLogsInWithSASLExternal() async throws {
        let server = try await ServerProcess.start(["--tls-listen", "127.0.0.1:0", "--password-iterations", "10000"])
        defer { server.kill9() }
        let tlsPort = try #require(server.tlsPort)
        let fingerprint = try #require(server.tlsFingerprint)
        let authority = try TestAuthority()
        let mine = try authority.issue(for: ["zoe"])
        let other = try authority.issue(for: ["eve"])
        let tls = ["--server", "ircs://127.0.0.1:\(tlsPort)", "--tls-fingerprint", fingerprint]

        let zoe = try PlainClientProcess(arguments: tls + ["--nick", "zoe", "--tls-client-cert", mine.certificate,
                                                           "--tls-client-key", mine.key])
        defer { zoe.terminate() }
        try await zoe.waitFor("registered as zoe")
        zoe.send("/register zoe-long-password")
        try await zoe.waitFor("logged in as zoe")
        zoe.send("/quote CERTFP ADD")
        try await zoe.waitFor("CERTFP: added")
        zoe.closeInput()
        #expect(try await zoe.waitForExit() == 0)

        let again = try PlainClientProcess(arguments: tls + ["--nick", "zoe", "--sasl", "zoe", "--tls-client-cert", mine.certificate,
                                                             "--tls-client-key", mine.key])
        defer { again.terminate() }
        try await again.waitFor("logged in as zoe")
        try await again.waitFor("registered as zoe")
        again.closeInput()
        #expect(try await again.waitForExit() == 0)

        let impostor = try PlainClientProcess(arguments: tls + ["--nick", "eve", "--sasl", "zoe", "--tls-client-cert", other.certificate,
                                                                "--tls-client-key", other.key])
        defer { impostor.terminate() }
        try await impostor.waitForError("SASL login as zoe failed")
        try await impostor.waitFor("registered as eve")
        impostor.closeInput()
        _ = try await impostor.waitForExit()
        try await server.stop()
    }
}
