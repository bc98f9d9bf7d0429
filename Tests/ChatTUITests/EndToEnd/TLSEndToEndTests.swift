import ChattyTestSupport
import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

/// TLS between real processes, run as the unprivileged user: `openssl s_client` and
/// `chatty-tui` against `chatty-tui serve --tls-listen`, certificates self-signed or from a test
/// authority, pins, `sts`, and a certificate reloaded on SIGHUP.
@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: ExternalTool.available("openssl"), "\(ExternalTool.skipNote("openssl"))"))
struct TLSEndToEndTests {
    /// A server with a TLS listener; returns it, its TLS port and the logged fingerprint.
    func startServer(_ extra: [String] = []) async throws -> (server: ServerProcess, tlsPort: Int, fingerprint: String) {
        let server = try await ServerProcess(["--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0", "--threads", "1",
                                              "--flood-rate", "0"] + extra)
        return (server, try #require(server.tlsPort), try #require(server.tlsFingerprint))
    }

    /// A line-mode client with its own config directory (pins, sts policies).
    func client(_ arguments: [String], config: URL) throws -> UserProcess {
        try UserProcess(["/usr/bin/env", "XDG_CONFIG_HOME=\(config.path)", UnprivilegedUser.binary, "--plain"] + arguments)
    }

    /// `openssl s_client` to `port` that sends `lines` (end them with `QUIT`: s_client ends when the
    /// server closes) and writes what it received to a file; returns the process and the file.
    /// (Its output through a pipe to this process never arrived, and lines fed through its stdin
    /// pipe were never passed on; a shell pipe in and a file out work.)
    func sClient(port: Int, lines: [String], seconds: Int) throws -> (process: UserProcess, output: String) {
        let openssl = try ExternalTool.require("openssl")
        let output = try UnprivilegedUser.makeDirectory("s_client").path + "/output"
        let script = lines.map { "'\($0)\\r\\n'" }.joined(separator: " ")
        let process = try UserProcess(["/bin/sh", "-c",
                                       "(printf '%b' \(script); sleep \(seconds)) | \(openssl) s_client -connect 127.0.0.1:\(port) -quiet > \(output) 2>&1"])
        return (process, output)
    }

    func openssl(_ arguments: [String]) throws -> UserProcess {
        try UserProcess([try ExternalTool.require("openssl")] + arguments)
    }

    /// The SHA-256 fingerprint of the first certificate of a PEM file, as the server logs it.
    func fingerprint(ofPEM path: String) throws -> String {
        let pem = try String(contentsOfFile: path, encoding: .utf8)
        let first = try Certificate(pemEncoded: String(pem[..<pem.range(of: "-----END CERTIFICATE-----")!.upperBound]))
        var serializer = DER.Serializer()
        try serializer.serialize(first)
        return SHA256.hash(data: serializer.serializedBytes).map { String(format: "%02X", $0) }.joined(separator: ":")
    }

    @Test func openSSLRegistersOverTLSBesideAPlaintextClient() async throws {
        let (server, tlsPort, _) = try await startServer()
        defer { server.kill9() }
        let plain = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "plain"])
        defer { plain.terminate() }
        try await plain.waitFor("registered as plain")
        let (tls, output) = try sClient(port: tlsPort, lines: ["CAP LS 302", "NICK secure", "USER secure 0 * :Secure", "CAP END",
                                                                 "JOIN #chatty", "WHOIS secure", "PRIVMSG #chatty :hello over TLS", "QUIT"],
                                        seconds: 1)
        defer { tls.terminate() }
        try await plain.waitFor("secure has joined #chatty")
        try await plain.waitFor("<secure> hello over TLS")
        _ = try await tls.waitForExit()
        let received = try String(contentsOfFile: output, encoding: .utf8)
        let list = try #require(received.split(separator: "\n").first { $0.contains("CAP * LS") })
        #expect(!list.contains("sts"), "no sts policy for a self-signed certificate: \(list)")
        #expect(received.contains(" 001 secure "))
        #expect(received.contains("671 secure secure :is using a secure connection"))
        plain.closeInput()
        #expect(try await plain.waitForExit() == 0)
        try await server.stop()
    }

    @Test func theWrongProtocolOnEitherPortIsClosedAtOnceAndNothingElseIsAffected() async throws {
        let (server, tlsPort, _) = try await startServer(["--registration-timeout", "60"])
        defer { server.kill9() }
        let bystander = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "bystander"])
        defer { bystander.terminate() }
        try await bystander.waitFor("registered as bystander")
        // TLS on the plaintext port: closed at once (not after the 60 s registration timeout).
        let wrongTLS = try openssl(["s_client", "-connect", "127.0.0.1:\(server.port)"])
        defer { wrongTLS.terminate() }
        #expect(try await wrongTLS.waitForExit(timeout: .seconds(10)) != 0)
        try await server.process.waitForError("TLS handshake on the plaintext port")
        // Plaintext on the TLS port: the handshake fails and the client is told so.
        let config = try UnprivilegedUser.makeDirectory("config")
        let wrongPlain = try client(["--server", "127.0.0.1:\(tlsPort)", "--nick", "lost", "--wait", "2"], config: config)
        defer { wrongPlain.terminate() }
        try await wrongPlain.waitFor("*** connection lost")
        wrongPlain.send("never delivered")
        wrongPlain.closeInput()
        #expect(try await wrongPlain.waitForExit() == 1)
        bystander.send("/whois bystander")
        try await bystander.waitFor("[bystander] idle:")
        bystander.closeInput()
        #expect(try await bystander.waitForExit() == 0)
        try await server.stop()
    }

    @Test func aSelfSignedCertificateIsRefusedUntilItsFingerprintIsGivenThenPinnedAndAChangeIsRefused() async throws {
        let (server, tlsPort, fingerprint) = try await startServer()
        defer { server.kill9() }
        let config = try UnprivilegedUser.makeDirectory("config")
        let address = "ircs://127.0.0.1:\(tlsPort)"

        let refused = try client(["--server", address, "--nick", "wary", "--wait", "2"], config: config)
        defer { refused.terminate() }
        let warning = try await refused.waitForError("Refusing to connect")
        #expect(warning.contains(fingerprint))
        refused.send("never sent")
        refused.closeInput()
        #expect(try await refused.waitForExit() == 1)

        let trusting = try client(["--server", address, "--nick", "trusting", "--tls-fingerprint", fingerprint], config: config)
        defer { trusting.terminate() }
        try await trusting.waitFor("registered as trusting")
        trusting.closeInput()
        #expect(try await trusting.waitForExit() == 0)
        let known = try String(contentsOfFile: config.path + "/chatty/known_servers", encoding: .utf8)
        #expect(known == "127.0.0.1:\(tlsPort) \(fingerprint)\n")

        let pinned = try client(["--server", address, "--nick", "pinned"], config: config)
        defer { pinned.terminate() }
        try await pinned.waitFor("registered as pinned")
        pinned.closeInput()
        #expect(try await pinned.waitForExit() == 0)

        // Another certificate under the same address: refused loudly.
        let other = String(repeating: "AB:", count: 31) + "AB"
        try "127.0.0.1:\(tlsPort) \(other)\n".write(toFile: config.path + "/chatty/known_servers", atomically: true, encoding: .utf8)
        let fooled = try client(["--server", address, "--nick", "fooled", "--wait", "2"], config: config)
        defer { fooled.terminate() }
        let alarm = try await fooled.waitForError("CHANGED")
        #expect(alarm.contains(other) && alarm.contains(fingerprint))
        fooled.send("never delivered")
        fooled.closeInput()
        #expect(try await fooled.waitForExit() == 1)
        try await server.stop()
    }

    @Test func anAuthoritysCertificateIsCheckedForItsNameAndExpiry() async throws {
        let authority = try TestAuthority()
        let ca = try authority.caFile()
        let config = try UnprivilegedUser.makeDirectory("config")
        let cases: [(names: [String], start: Date, expect: String)] = [
            (["127.0.0.1"], Date().addingTimeInterval(-3600), "registered as checked"),
            (["other.example"], Date().addingTimeInterval(-3600), "is for another name"),
            (["127.0.0.1"], Date().addingTimeInterval(-3 * 86_400), "expired"),
        ]
        for (names, start, expected) in cases {
            let files = try authority.issue(for: names, start: start)
            let (server, tlsPort, _) = try await startServer(["--tls-cert", files.certificate, "--tls-key", files.key])
            defer { server.kill9() }
            let checked = try client(["--server", "ircs://127.0.0.1:\(tlsPort)", "--nick", "checked", "--tls-ca", ca,
                                      "--wait", "2"], config: config)
            defer { checked.terminate() }
            if expected.hasPrefix("registered") {
                try await checked.waitFor(expected)
            } else {
                try await checked.waitForError(expected)
                #expect(!checked.lines.contains { $0.contains("registered as") })
            }
            checked.closeInput()
            _ = try await checked.waitForExit()
            try await server.stop()
        }
        #expect(!FileManager.default.fileExists(atPath: config.path + "/chatty/known_servers"), "nothing was pinned")
    }

    @Test func stsMovesAPlaintextClientToTLSAndTheHostIsNeverReachedInPlaintextAgain() async throws {
        let authority = try TestAuthority()
        let ca = try authority.caFile()
        let files = try authority.issue(for: ["127.0.0.1"])
        let (server, tlsPort, _) = try await startServer(["--tls-cert", files.certificate, "--tls-key", files.key])
        defer { server.kill9() }
        let config = try UnprivilegedUser.makeDirectory("config")
        let upgraded = try client(["--server", "127.0.0.1:\(server.port)", "--nick", "upgraded", "--tls-ca", ca], config: config)
        defer { upgraded.terminate() }
        try await upgraded.waitFor("connecting to ircs://127.0.0.1:\(tlsPort)")
        try await upgraded.waitFor("registered as upgraded")
        upgraded.send("/whois upgraded")
        try await upgraded.waitFor("is using a secure connection")
        upgraded.closeInput()
        #expect(try await upgraded.waitForExit() == 0)
        let policy = try String(contentsOfFile: config.path + "/chatty/sts", encoding: .utf8)
        #expect(policy.hasPrefix("127.0.0.1 \(tlsPort) "), "\(policy)")

        // A plaintext server on the same host (a downgrade attempt): never contacted.
        let decoy = try await ServerProcess(["--listen", "127.0.0.1:0", "--threads", "1", "--log-level", "debug"])
        defer { decoy.kill9() }
        let kept = try client(["--server", "127.0.0.1:\(decoy.port)", "--nick", "kept", "--tls-ca", ca], config: config)
        defer { kept.terminate() }
        try await kept.waitFor("connecting to ircs://127.0.0.1:\(tlsPort)")
        try await kept.waitFor("registered as kept")
        kept.closeInput()
        #expect(try await kept.waitForExit() == 0)
        #expect(!decoy.process.errorLines.contains { $0.contains("connection accepted") })
        try await decoy.stop()
        try await server.stop()
    }

    @Test func sighupReloadsTheCertificateForNewConnectionsAndKeepsTheOpenOnes() async throws {
        let authority = try TestAuthority()
        let first = try authority.issue(for: ["127.0.0.1"])
        let second = try authority.issue(for: ["localhost", "127.0.0.1"])
        let directory = try UnprivilegedUser.makeDirectory("certificate")
        let (certificate, key) = (directory.path + "/cert.pem", directory.path + "/key.pem")
        try FileManager.default.copyItem(atPath: first.certificate, toPath: certificate)
        try FileManager.default.copyItem(atPath: first.key, toPath: key)
        UnprivilegedUser.handOver(certificate)
        UnprivilegedUser.handOver(key)
        let (server, tlsPort, logged) = try await startServer(["--tls-cert", certificate, "--tls-key", key])
        defer { server.kill9() }
        #expect(logged == (try fingerprint(ofPEM: first.certificate)))
        let config = try UnprivilegedUser.makeDirectory("config")
        let ca = try authority.caFile()
        let early = try client(["--server", "ircs://127.0.0.1:\(tlsPort)", "--nick", "early", "--tls-ca", ca], config: config)
        defer { early.terminate() }
        try await early.waitFor("registered as early")

        for (from, to) in [(second.certificate, certificate), (second.key, key)] {
            try FileManager.default.removeItem(atPath: to)
            try FileManager.default.copyItem(atPath: from, toPath: to)
            UnprivilegedUser.handOver(to)
        }
        server.process.signal(SIGHUP)
        let reloaded = try await server.process.waitForError("TLS certificate reloaded")
        #expect(reloaded.contains(try fingerprint(ofPEM: second.certificate)))
        let probe = try openssl(["s_client", "-connect", "127.0.0.1:\(tlsPort)"])
        probe.closeInput()
        try await probe.waitForError("depth=0 CN = localhost")
        let late = try client(["--server", "ircs://127.0.0.1:\(tlsPort)", "--nick", "late", "--tls-ca", ca], config: config)
        defer { late.terminate() }
        try await late.waitFor("registered as late")
        try await early.waitFor("late has joined #chatty")
        early.send("still here")
        try await late.waitFor("<early> still here")
        early.closeInput()
        late.closeInput()
        #expect(try await early.waitForExit() == 0)
        #expect(try await late.waitForExit() == 0)
        try await server.stop()
    }

    @Test func serverLinksOverTLSCheckThePeersCertificate() async throws {
        let authority = try TestAuthority()
        let ca = try authority.caFile()
        let secret = try ServerProcess.secretFile()
        let (aCert, aKey) = try authority.issue(for: ["127.0.0.1"])
        let (bCert, bKey) = try authority.issue(for: ["127.0.0.1"])
        let a = try await ServerProcess.linked(name: "a.chatty", secretFile: secret,
                                               extra: ["--link-tls", "--tls-cert", aCert, "--tls-key", aKey, "--link-ca", ca])
        defer { a.kill9() }
        let linkPort = try #require(a.linkPort)
        let b = try await ServerProcess.linked(name: "b.chatty", secretFile: secret, peers: [linkPort],
                                               extra: ["--link-tls", "--tls-cert", bCert, "--tls-key", bKey, "--link-ca", ca])
        defer { b.kill9() }
        try await b.process.waitForError("link up")
        let ann = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(a.port)", "--nick", "ann"])
        defer { ann.terminate() }
        try await ann.waitFor("ann has joined #chatty")
        let ben = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(b.port)", "--nick", "ben"])
        defer { ben.terminate() }
        try await ann.waitFor("ben has joined #chatty")
        ben.send("across an encrypted link")
        try await ann.waitFor("<ben> across an encrypted link")

        // A server that pins another certificate refuses to link to a.
        let wrongPin = String(repeating: "CD:", count: 31) + "CD"
        let c = try await ServerProcess.linked(name: "c.chatty", secretFile: secret, peers: [linkPort],
                                               extra: ["--link-tls", "--link-fingerprint", wrongPin])
        defer { c.kill9() }
        try await c.process.waitForError("link certificate not trusted")
        // A server without --link-tls cannot link to a's TLS link port either.
        let d = try await ServerProcess.linked(name: "d.chatty", secretFile: secret, peers: [linkPort])
        defer { d.kill9() }
        // a drops d's plaintext link attempt (the TLS handshake fails) and stays linked to b.
        let dropped = try await a.process.waitForError("dropping link")
        #expect(dropped.contains("TLS") || dropped.contains("SSL") || dropped.contains("handshake"), "\(dropped)")
        ben.send("still linked")
        try await ann.waitFor("<ben> still linked")
        #expect(!c.process.errorLines.contains { $0.contains("link up") })
        #expect(!d.process.errorLines.contains { $0.contains("link up") })
        for client in [ann, ben] {
            client.closeInput()
            #expect(try await client.waitForExit() == 0)
        }
    }

    /// chatty-tui against another IRC server over TLS: ngircd with a certificate from a test authority.
    @Test(.enabled(if: ExternalTool.available("ngircd"), "\(ExternalTool.skipNote("ngircd"))"))
    func theClientSpeaksTLSToNgircd() async throws {
        let ngircd = try ExternalTool.require("ngircd")
        let authority = try TestAuthority()
        let ca = try authority.caFile()
        let files = try authority.issue(for: ["127.0.0.1"])
        let port = Int.random(in: 10_000...14_999)
        let tlsPort = port + 1
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ngircd-tls-\(port)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let configuration = directory.appendingPathComponent("ngircd.conf")
        try """
        [Global]
            Name = ngircd.test
            Info = test server
            Listen = 127.0.0.1
            Ports = \(port)
            PidFile = \(directory.appendingPathComponent("pid").path)
        [Options]
            DNS = no
            Ident = no
            PAM = no
        [SSL]
            CertFile = \(files.certificate)
            KeyFile = \(files.key)
            Ports = \(tlsPort)
        """.write(to: configuration, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ngircd)
        process.arguments = ["--nodaemon", "--config", configuration.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        // Until ngircd accepts connections (a refused first attempt would count as an error).
        let deadline = ContinuousClock.now + .seconds(10)
        while !ReadmePlace.inUse(tlsPort), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(ReadmePlace.inUse(tlsPort), "ngircd did not start")
        let config = try UnprivilegedUser.makeDirectory("config")
        let secure = try client(["--server", "ircs://127.0.0.1:\(tlsPort)", "--nick", "secure", "--tls-ca", ca], config: config)
        defer { secure.terminate() }
        try await secure.waitFor("registered as secure", timeout: .seconds(20))
        try await secure.waitFor("secure has joined #chatty")
        // The wrong authority: refused with a clear message.
        let other = try TestAuthority()
        let wary = try client(["--server", "ircs://127.0.0.1:\(tlsPort)", "--nick", "wary", "--tls-ca", try other.caFile(),
                               "--wait", "2"], config: config)
        defer { wary.terminate() }
        try await wary.waitForError("Refusing to connect")
        wary.send("never delivered")
        wary.closeInput()
        #expect(try await wary.waitForExit() == 1)
        secure.closeInput()
        #expect(try await secure.waitForExit() == 0, "\(secure.errorLines)")
    }
}
