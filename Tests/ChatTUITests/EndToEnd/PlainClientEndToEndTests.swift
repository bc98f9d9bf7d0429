import ChatCore
import ChattyTestSupport
import Foundation
import Testing

/// The line-mode client against our server and against ngircd, and irssi against our server.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PlainClientEndToEndTests {
    @Test func plainClientsChatJoinPartNickAndQuit() async throws {
        let server = try await EndToEnd.startServer()
        let port = server.port
        let one = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "one"])
        defer { one.terminate() }
        try await one.waitFor("registered as one")
        let two = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "two", "--channel", "#chatty"])
        defer { two.terminate() }
        try await one.waitFor("two has joined #chatty")
        two.send("hi there")
        let line = try await one.waitFor("<two> hi there")
        #expect(line.contains("[#chatty]"))
        two.send("/me waves")
        try await one.waitFor("* two waves")
        two.send("/nick deux")
        try await one.waitFor("two is now known as deux")
        one.send("/msg deux private words")
        try await two.waitFor("[query one] <one> private words")
        two.send("/names")
        try await two.waitFor("names #chatty: @one deux")
        two.closeInput()
        try await one.waitFor("deux has quit")
        #expect(try await two.waitForExit() == 0)
        one.closeInput()
        #expect(try await one.waitForExit() == 0)
        try await server.stop()
    }

    @Test(.enabled(if: ExternalTool.available("ngircd"), "\(ExternalTool.skipNote("ngircd"))"))
    func clientWorksAgainstNgircd() async throws {
        let ngircd = try ExternalTool.require("ngircd")
        let port = Int.random(in: 5_000...9_999)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ngircd-\(port)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let motd = directory.appendingPathComponent("motd")
        try "ngircd test".write(to: motd, atomically: true, encoding: .utf8)
        let configuration = directory.appendingPathComponent("ngircd.conf")
        try """
        [Global]
            Name = ngircd.test
            Info = test server
            Listen = 127.0.0.1
            Ports = \(port)
            MotdFile = \(motd.path)
            PidFile = \(directory.appendingPathComponent("pid").path)
        [Limits]
            PingTimeout = 120
            PongTimeout = 20
        [Options]
            DNS = no
            Ident = no
            PAM = no
        """.write(to: configuration, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ngircd)
        process.arguments = ["--nodaemon", "--config", configuration.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            // SIGKILL: a child started from the test runner may inherit a mask that blocks SIGTERM.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        let first = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "first"])
        defer { first.terminate() }
        try await first.waitFor("registered as first", timeout: .seconds(20))
        try await first.waitFor("first has joined #chatty")
        let screenUser = try TmuxSession(name: "ngircd-user", command: EndToEnd.command("--server 127.0.0.1:\(port) --nick second"))
        defer { screenUser.kill() }
        try await screenUser.waitFor("registered")
        try await first.waitFor("second has joined #chatty")
        first.send("hello from the line client")
        try await screenUser.waitFor("first │ hello from the line client")
        try screenUser.type("and back from the screen")
        try screenUser.sendKeys("Enter")
        try await first.waitFor("<second> and back from the screen")
        try screenUser.sendKeys("C-q")
        try await first.waitFor("second has quit")
        first.closeInput()
        #expect(try await first.waitForExit() == 0)
    }

    @Test(.enabled(if: ExternalTool.available("irssi"), "\(ExternalTool.skipNote("irssi"))"))
    func irssiCanChatOnOurServer() async throws {
        let irssi = try ExternalTool.require("irssi")
        let server = try await EndToEnd.startServer()
        let port = server.port
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("irssi-\(port)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let session = try TmuxSession(name: "irssi", width: 120, height: 30,
                                      command: "\(irssi) --home=\(home.path) -n ircfan -c 127.0.0.1 -p \(port)")
        defer { session.kill() }
        let mate = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "mate"])
        defer { mate.terminate() }
        try await mate.waitFor("registered as mate")
        try await session.waitFor("ircfan", timeout: .seconds(20))
        try await session.waitFor("Welcome to the Chatty", timeout: .seconds(20))
        try session.type("/join #chatty")
        try session.sendKeys("Enter")
        try await mate.waitFor("ircfan has joined #chatty")
        mate.send("hello irssi user")
        try await session.waitFor("hello irssi user")
        try session.type("greetings from irssi")
        try session.sendKeys("Enter")
        try await mate.waitFor("<ircfan> greetings from irssi")
        try session.type("/quit bye now")
        try session.sendKeys("Enter")
        try await mate.waitFor("ircfan has quit (Quit: bye now)")
        mate.closeInput()
        try await server.stop()
    }
}

/// A client given several servers fails over when its server dies.
@Suite(.timeLimit(.minutes(2))) struct FailoverEndToEndTests {
    @Test func clientFailsOverToAnotherServerOfTheNetwork() async throws {
        let secret = try ServerProcess.secretFile()
        let first = try await ServerProcess.linked(name: "one.chatty", secretFile: secret)
        let second = try await ServerProcess.linked(name: "two.chatty", secretFile: secret, peers: [first.linkPort!])
        defer { first.kill9(); second.kill9() }
        try await second.process.waitForError("link up")
        let (firstPort, secondPort) = (first.port, second.port)

        let watcher = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(secondPort)", "--nick", "watcher"])
        defer { watcher.terminate() }
        try await watcher.waitFor("watcher has joined #chatty")
        let mover = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(firstPort),127.0.0.1:\(secondPort)", "--nick", "mover"])
        defer { mover.terminate() }
        try await mover.waitFor("mover has joined #chatty")
        try await watcher.waitFor("mover has joined #chatty")

        #expect(try await first.stop() == 0)
        try await watcher.waitFor("mover has quit")
        try await mover.waitFor("connecting to 127.0.0.1:\(secondPort)")
        try await mover.waitFor("mover has joined #chatty")
        try await watcher.waitFor("mover has joined #chatty")
        mover.send("made it across")
        try await watcher.waitFor("<mover> made it across")
        mover.closeInput()
        watcher.closeInput()
        #expect(try await second.stop() == 0)
    }

    /// The numbers of `<talker> line N` in a client's output, in the order shown.
    private static func talkerLines(_ output: [String]) -> [Int] {
        output.compactMap { line -> Int? in
            guard let range = line.range(of: "<talker> line ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }
    }

    /// Three linked servers; a client whose server is killed mid-conversation fails over and
    /// catches up from the history: its transcript equals that of a client that never left.
    @Test func aClientThatFailsOverMissesNothingAndSeesNothingTwice() async throws {
        let secret = try ServerProcess.secretFile()
        let a = try await ServerProcess.linked(name: "a.chatty", secretFile: secret)
        let b = try await ServerProcess.linked(name: "b.chatty", secretFile: secret, peers: [a.linkPort!])
        try await b.process.waitForError("link up")
        let c = try await ServerProcess.linked(name: "c.chatty", secretFile: secret, peers: [b.linkPort!])
        try await c.process.waitForError("link up")
        defer { a.kill9(); b.kill9(); c.kill9() }

        let stayer = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(c.port)", "--nick", "stayer"])
        defer { stayer.terminate() }
        try await stayer.waitFor("stayer has joined #chatty")
        let mover = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(a.port),127.0.0.1:\(c.port)", "--nick", "mover"])
        defer { mover.terminate() }
        try await mover.waitFor("mover has joined #chatty")
        let talker = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(b.port)", "--nick", "talker"])
        defer { talker.terminate() }
        try await talker.waitFor("talker has joined #chatty")
        try await stayer.waitFor("talker has joined #chatty")
        try await mover.waitFor("talker has joined #chatty")

        let total = 60
        for number in 1...total {
            talker.send("line \(number)")
            if number == 20 {
                try await mover.waitFor("<talker> line 20")
                a.kill9()  // the mover's server dies mid-conversation
            }
            if number % 5 == 0 { try await stayer.waitFor("<talker> line \(number)") }
        }
        try await mover.waitFor("<talker> line \(total)", timeout: .seconds(30))
        let expected = Array(1...total)
        #expect(Self.talkerLines(stayer.lines) == expected)
        let moverOutput = mover.lines.joined(separator: "\n")
        #expect(Self.talkerLines(mover.lines) == expected, "no gap, no duplicate, in order:\n\(moverOutput)")
        talker.closeInput()
        stayer.closeInput()
        mover.closeInput()
    }
}

/// A stopped server (SIGSTOP: the connection stays open, nothing answers) is noticed within
/// `--server-timeout`, and the client says so in one line.
@Suite(.timeLimit(.minutes(1))) struct StoppedServerEndToEndTests {
    @Test func aStoppedServerIsNoticedWithinTheServerTimeout() async throws {
        let server = try await EndToEnd.startServer()
        defer { server.kill9() }
        let client = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "watch", "--server-timeout", "4"])
        defer { client.terminate() }
        try await client.waitFor("registered as watch")
        kill(server.pid, SIGSTOP)
        defer { kill(server.pid, SIGCONT) }
        let started = ContinuousClock.now
        try await client.waitFor("connection lost", timeout: .seconds(15))
        #expect(ContinuousClock.now - started < .seconds(9), "noticed within about --server-timeout")
        kill(server.pid, SIGCONT)
        try await client.waitFor("registered as watch", timeout: .seconds(15))
        client.closeInput()
        try await server.stop()
    }
}
