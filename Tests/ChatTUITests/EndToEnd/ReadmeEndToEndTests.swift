import ChattyTestSupport
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The README is executable: every command it shows runs here exactly as written, as the
/// unprivileged user, and what the README says happens is checked. As root the commands run in a
/// network namespace of their own, so the README's fixed ports are free.
///
/// `swift run -c release chatty-tui` is run as `chatty-tui`, the binary the README's test command
/// just built (a release build would take minutes and is the same program).
@Suite(.serialized, .timeLimit(.minutes(3)),
       .enabled(if: ExternalTool.available("tmux"), "\(ExternalTool.skipNote("tmux"))"))
struct ReadmeEndToEndTests {
    /// The README commands a test below runs, by a piece of their text.
    static let tested = [
        "chatty-tui --host", "--nick bob",
        "printf 'hello from a script\\n'",
        "printf 'Welcome to our chat\\n' > motd.txt", "--name chat.example",
        "head -c 32 /dev/urandom", "--name a.chatty", "--name b.chatty", "--name c.chatty",
        "--nick ann", "--nick ben", "--nick cid",
        "serve --config a.conf", "--config ann.conf",
        "--name irc.example.org --tls-listen", "--tls-fingerprint AB:CD",
        "serve account add zoe", "--sasl zoe --sasl-password-file", "--nick yan",
    ]
    /// README commands no test runs, and why.
    static let notRun = [
        "sudo apt-get install -y libncurses-dev": "installation",
        "git clone <this repository> chatty && cd chatty": "installation",
        "swift build && swift test --no-parallel": "the command that runs these tests (CI runs it)",
        "swift build -c release": "benchmarks: a release build and minutes of load, not a test",
        "sudo scripts/bench-compare": "benchmarks: a release build and minutes of load, not a test",
        "scripts/bench-client --lines 20000": "benchmarks: a release build and minutes of load, not a test",
        "chatty-tui serve --name irc.example.org --listen": "needs an authority's certificate (TLSEndToEndTests run --tls-cert with a test authority's)",
        "kill -HUP": "TLSEndToEndTests reload a certificate on SIGHUP",
        "chatty-tui --nick zoe --server ircs://irc.example.org": "needs an authority's certificate and DNS (TLSEndToEndTests connect to an authority's certificate)",
    ]

    @Test func everyCommandTheReadmeShowsIsRunByATestOrListedAsNotRun() throws {
        let readme = try Readme.load()
        for command in readme.commands {
            let byTest = Self.tested.filter { command.contains($0) }
            let skipped = Self.notRun.keys.filter { command.hasPrefix($0) }
            #expect(byTest.count + skipped.count == 1,
                    "README command not covered by exactly one test entry: \(command) (tests: \(byTest), not run: \(skipped))")
        }
        for needle in Self.tested {
            #expect(readme.commands.contains { $0.contains(needle) }, "a test runs a command the README no longer shows: \(needle)")
        }
    }

    @Test func runSectionHostAndSecondClientChat() async throws {
        let readme = try Readme.load()
        let place = try ReadmePlace()
        defer { place.close() }
        let host = try place.terminal("host", try readme.command("chatty-tui --host"))
        try await host.waitFor("registered")
        let bob = try place.terminal("bob", try readme.command("--nick bob"))
        try await bob.waitFor("registered")
        try await host.waitFor("bob has joined #chatty")
        try bob.type("hello from bob")
        try bob.sendKeys("Enter")
        try await host.waitFor("bob │ hello from bob")
        try bob.sendKeys("C-q")
        try await bob.waitFor("[exited 0]")
        try host.sendKeys("C-q")
        try await host.waitFor("[exited 0]")
    }

    @Test func lineModeExamplePrintsWhatTheReadmeShows() async throws {
        let readme = try Readme.load()
        let block = try readme.block(containing: "$ printf 'hello from a script\\n'")
        let place = try ReadmePlace()
        defer { place.close() }
        // "With a server running on 127.0.0.1:6667 and alice in #chatty":
        let server = try place.background("chatty-tui serve")
        try await server.waitForError("] listening")
        let alice = try place.background("chatty-tui --plain --server 127.0.0.1:6667 --nick alice")
        try await alice.waitFor("alice has joined #chatty")

        let command = try readme.command("printf 'hello from a script\\n'")
        let result = try place.shell(command)
        #expect(result.status == 0)
        let shown = Array(block.lines.drop { !$0.hasPrefix("$ ") }.dropFirst()).filter { !$0.isEmpty }
        let output = result.output.split(separator: "\n").map(String.init)
        #expect(Readme.missingLines(shown: shown, in: output) == [], "output was:\n\(result.output)")
        try await alice.waitFor("<bot> hello from a script")
        alice.closeInput()
        #expect(try await alice.waitForExit() == 0)
        server.terminate()
        #expect(try await server.waitForExit() == 0)
    }

    @Test func serveExampleWithMotdAndOperator() async throws {
        let readme = try Readme.load()
        let place = try ReadmePlace()
        defer { place.close() }
        #expect(try place.shell(try readme.command("> motd.txt")).status == 0)
        let server = try place.background(try readme.command("--name chat.example"))
        try await server.waitForError("] listening")
        let client = try place.background("chatty-tui --plain --server 127.0.0.1:6667 --nick admin")
        try await client.waitFor("*** Your host is chat.example")
        try await client.waitFor("Welcome to our chat")
        try await client.waitFor("admin has joined #chatty")
        client.send("/quote OPER admin hunter2")
        try await client.waitFor("You are now an IRC operator")
        client.closeInput()
        #expect(try await client.waitForExit() == 0)
        server.terminate()
        #expect(try await server.waitForExit() == 0)
    }

    @Test func runItOnANetworkWithASelfSignedCertificate() async throws {
        let readme = try Readme.load()
        let place = try ReadmePlace()
        defer { place.close() }
        let server = try place.background(try readme.command("--name irc.example.org --tls-listen"))
        let listening = try await server.waitForError("] TLS listening")
        let fingerprint = try #require(listening.components(separatedBy: "sha256=").last?.components(separatedBy: " ").first)
        #expect(fingerprint.count == 95, "\(listening)")
        // As written, but with the address of this test's server and the fingerprint it logged.
        let command = try readme.command("--tls-fingerprint AB:CD")
            .components(separatedBy: "#")[0]
            .replacingOccurrences(of: "irc.example.org", with: "127.0.0.1")
            .replacingOccurrences(of: "AB:CD:…", with: fingerprint)
        let zoe = try place.background(command + " --plain")
        try await zoe.waitFor("registered as zoe")
        zoe.send("/whois zoe")
        try await zoe.waitFor("is using a secure connection")
        zoe.closeInput()
        #expect(try await zoe.waitForExit() == 0)
        server.terminate()
        #expect(try await server.waitForExit() == 0)
    }

    @Test func accountsAddedRegisteredAndLoggedInAsTheReadmeShows() async throws {
        let readme = try Readme.load()
        let place = try ReadmePlace()
        defer { place.close() }
        // The administrator adds zoe while the server is stopped.
        let added = try place.shell(try readme.command("serve account add zoe"))
        #expect(added.status == 0, "\(added)")
        let server = try place.background(try readme.command("--name irc.example.org --tls-listen"))
        let listening = try await server.waitForError("] TLS listening")
        let fingerprint = try #require(listening.components(separatedBy: "sha256=").last?.components(separatedBy: " ").first)
        #expect(server.errorLines.contains { $0.contains("accounts loaded") && $0.contains("count=1") })
        func local(_ command: String) -> String {
            command.components(separatedBy: "#")[0].replacingOccurrences(of: "irc.example.org", with: "127.0.0.1")
                + " --tls-fingerprint \(fingerprint) --plain"
        }
        // zoe logs in with a password file only she can read.
        #expect(try place.shell("mkdir -p ~/.config/chatty && printf 'a-long-password\\n' > ~/.config/chatty/zoe.password"
                                + " && chmod 600 ~/.config/chatty/zoe.password").status == 0)
        let zoe = try place.background(local(try readme.command("--sasl zoe --sasl-password-file")))
        try await zoe.waitFor("logged in as zoe")
        try await zoe.waitFor("registered as zoe")
        // yan registers an account of his own.
        let yan = try place.background(local(try readme.command("--nick yan")))
        try await yan.waitFor("registered as yan")
        yan.send("/register a-long-password")
        try await yan.waitFor("logged in as yan")
        yan.send("/whois zoe")
        try await yan.waitFor("is logged in as")
        for client in [zoe, yan] {
            client.closeInput()
            #expect(try await client.waitForExit() == 0)
        }
        #expect(!server.errorLines.contains { $0.contains("a-long-password") }, "passwords are never logged")
        server.terminate()
        #expect(try await server.waitForExit() == 0)
    }

    @Test func networkOfThreeServersKillOneRestartIt() async throws {
        let readme = try Readme.load()
        let place = try ReadmePlace()
        defer { place.close() }
        #expect(try place.shell(try readme.command("head -c 32 /dev/urandom")).status == 0)
        let a = try place.background(try readme.command("--name a.chatty"))
        try await a.waitForError("] links listening")
        let b = try place.background(try readme.command("--name b.chatty"))
        try await b.waitForError("link up")
        var c = try place.background(try readme.command("--name c.chatty"))
        try await c.waitForError("link up")

        let ann = try place.terminal("ann", try readme.command("--nick ann"))
        let ben = try place.terminal("ben", try readme.command("--nick ben"))
        let cid = try place.terminal("cid", try readme.command("--nick cid"))
        for session in [ann, ben, cid] { try await session.waitFor("registered") }
        try await ann.waitFor("3 users")
        try ann.type("hello network")
        try ann.sendKeys("Enter")
        try await ben.waitFor("ann │ hello network")
        try await cid.waitFor("ann │ hello network")

        // "Kill one server (kill -9) and the other two keep talking; … quit with a netsplit reason".
        // (ann saw cid join only if cid joined after ann did: count what is on screen now.)
        let joinsBefore = try ann.screen().components(separatedBy: "cid has joined #chatty").count - 1
        c.kill9()
        try await ann.waitFor("cid has quit (a.chatty c.chatty)")
        try ben.type("still here")
        try ben.sendKeys("Enter")
        try await ann.waitFor("ben │ still here")

        // "Start it again and the links re-form … and its clients reconnect".
        c = try place.background(try readme.command("--name c.chatty"))
        try await c.waitForError("link up")
        try await ann.waitFor("cid has joined #chatty", occurrences: joinsBefore + 1, timeout: .seconds(30))
        try cid.type("back again")
        try cid.sendKeys("Enter")
        try await ann.waitFor("cid │ back again")
        try await ben.waitFor("cid │ back again")
    }

    @Test func configurationFilesForServerAndClient() async throws {
        let readme = try Readme.load()
        let place = try ReadmePlace()
        defer { place.close() }
        for name in ["a.conf", "ann.conf"] {
            let block = try readme.block(firstLine: "# \(name)")
            try place.write(block.lines.joined(separator: "\n") + "\n", to: name)
        }
        #expect(try place.shell(try readme.command("head -c 32 /dev/urandom")).status == 0)
        let server = try place.background(try readme.command("serve --config a.conf"))
        try await server.waitForError("] links listening")
        let ann = try place.terminal("ann", try readme.command("--config ann.conf"))
        try await ann.waitFor("registered")
        try await ann.waitFor("#chatty")
        let probe = try place.background("chatty-tui --plain --server 127.0.0.1:6667 --nick probe")
        try await probe.waitFor("*** Your host is a.chatty")
        try await probe.waitFor("names #chatty: @ann probe")
        probe.closeInput()
        #expect(try await probe.waitForExit() == 0)
    }

    @Test func helpPrintsEveryFlagTheReadmeDocuments() throws {
        let readme = try Readme.load()
        #expect(readme.text.contains("`chatty-tui help client` and `chatty-tui help serve` print these flags."))
        let clientHelp = try UnprivilegedUser.run([UnprivilegedUser.binary, "help", "client"])
        let serveHelp = try UnprivilegedUser.run([UnprivilegedUser.binary, "help", "serve"])
        #expect(clientHelp.status == 0 && serveHelp.status == 0)
        let clientFlags = readme.tableFlags(under: "The client")
        let serverFlags = readme.tableFlags(under: "The server") + readme.tableFlags(under: "Run a network of servers")
        #expect(clientFlags.count >= 8 && serverFlags.count >= 20, "\(clientFlags) \(serverFlags)")
        // A flag with an inversion shows as `--mouse/--no-mouse`.
        for flag in clientFlags {
            #expect(clientHelp.output.contains(flag + " ") || clientHelp.output.contains(flag + "/"), "help client lacks \(flag)")
        }
        for flag in serverFlags {
            #expect(serveHelp.output.contains(flag + " "), "help serve lacks \(flag)")
            if flag != "--log-level" {  // the README says --host takes every serve flag but this one
                #expect(clientHelp.output.contains(flag + " "), "help client (--host) lacks \(flag)")
            }
        }
        // And nothing the help offers is missing from the README.
        for help in [clientHelp.output, serveHelp.output] {
            for flag in Self.longFlags(in: help) where flag != "--help" {
                #expect(readme.text.contains("`" + flag), "README does not document \(flag)")
            }
        }
    }
}

extension ReadmeEndToEndTests {
    /// `--word-word` tokens of a help text (lower-case letters, digits and dashes).
    static func longFlags(in text: String) -> Set<String> {
        var flags: Set<String> = []
        var scanner = text.unicodeScalars[...]
        while let start = scanner.firstRange(of: "--".unicodeScalars) {
            let rest = scanner[start.upperBound...]
            let name = rest.prefix { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            if !name.isEmpty { flags.insert("--" + String(String.UnicodeScalarView(name))) }
            scanner = rest.dropFirst(max(1, name.count))
        }
        return flags
    }
}

/// Where a README test runs its commands: a working directory of the unprivileged user and, as
/// root, a network namespace; otherwise this machine's loopback, if the README's ports are free.
final class ReadmePlace {
    let sandbox: NetworkSandbox?
    let directory: URL
    private var processes: [UserProcess] = []
    private var sessions: [TmuxSession] = []

    static let ports = [6667, 6668, 6669, 6697, 7000, 7001, 7002]

    init() throws {
        if NetworkSandbox.isAvailable {
            sandbox = try NetworkSandbox()
        } else {
            sandbox = nil
            let busy = Self.ports.filter(Self.inUse)
            if !busy.isEmpty {
                let note = "the README's ports \(busy) are in use on this machine (run the suite as root for a network namespace)"
                if ExternalTool.isCI { throw ExternalTool.Missing(description: note) }
                try Self.cancel(note)
            }
        }
        directory = try UnprivilegedUser.makeDirectory("readme")
    }

    /// Cancels the test (``Test/cancel(_:)`` never returns; called here, nothing of the
    /// initialiser follows it, which the compiler would warn about).
    private static func cancel(_ note: String) throws {
        try Test.cancel(Comment(rawValue: note))
    }

    /// `swift run -c release chatty-tui` is the built `chatty-tui` on `PATH`.
    static func asRun(_ command: String) -> String {
        command.replacingOccurrences(of: "swift run -c release chatty-tui", with: "chatty-tui")
    }

    /// Runs a command to completion; returns its status and output (stdout and stderr together).
    func shell(_ command: String) throws -> ChildProcess.Result {
        try ChildProcess.run("/bin/sh", ["-c", UnprivilegedUser.shellCommand(Self.asRun(command) + " 2>&1", directory: directory,
                                                                                 wrapper: sandbox?.wrapper ?? [])])
    }

    /// Starts a command in the background (a server, a line-mode client).
    func background(_ command: String) throws -> UserProcess {
        let process = try UserProcess(["/bin/sh", "-c", "exec " + Self.asRun(command)], wrapper: sandbox?.wrapper ?? [],
                                      directory: directory)
        processes.append(process)
        return process
    }

    /// Starts a command in a terminal.
    func terminal(_ name: String, _ command: String) throws -> TmuxSession {
        let session = try TmuxSession(name: name, command: UnprivilegedUser.shellCommand(
            "exec " + Self.asRun(command), directory: directory, wrapper: sandbox?.wrapper ?? []))
        sessions.append(session)
        return session
    }

    func write(_ text: String, to name: String) throws {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        UnprivilegedUser.handOver(path)
    }

    func close() {
        for session in sessions { session.kill() }
        for process in processes { process.kill9() }
        sandbox?.close()
    }

    static func inUse(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}
