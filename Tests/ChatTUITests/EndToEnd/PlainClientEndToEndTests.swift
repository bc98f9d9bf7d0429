import ChatCore
import ChatServer
import Foundation
import Testing

/// The line-mode client against our server and against ngircd, and irssi against our server.
@Suite(.serialized, .timeLimit(.minutes(3))) struct PlainClientEndToEndTests {
    @Test func plainClientsChatJoinPartNickAndQuit() async throws {
        let (server, port) = try await EndToEnd.startServer()
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
        await server.shutdown()
    }

    @Test func clientWorksAgainstNgircd() async throws {
        guard let ngircd = EndToEnd.which("ngircd") else {
            Issue.record("ngircd is not installed (.ci/run installs it)")
            return
        }
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
        let screenUser = try TmuxSession(name: "ngircd-user", command: "\(EndToEnd.binary) --server 127.0.0.1:\(port) --nick second")
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

    @Test func irssiCanChatOnOurServer() async throws {
        guard let irssi = EndToEnd.which("irssi") else {
            Issue.record("irssi is not installed (.ci/run installs it)")
            return
        }
        let (server, port) = try await EndToEnd.startServer()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("irssi-\(port)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let session = try TmuxSession(name: "irssi", width: 120, height: 30,
                                      command: "\(irssi) --home=\(home.path) -n ircfan -c 127.0.0.1 -p \(port)")
        defer { session.kill() }
        let mate = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(port)", "--nick", "mate"])
        defer { mate.terminate() }
        try await mate.waitFor("registered as mate")
        try await session.waitFor("ircfan", timeout: .seconds(20))
        try await EndToEnd.eventually("irssi registered") { server.state.clientID(nick: "ircfan") != nil }
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
        await server.shutdown()
    }
}

/// A client given several servers fails over when its server dies.
@Suite(.timeLimit(.minutes(2))) struct FailoverEndToEndTests {
    @Test func clientFailsOverToAnotherServerOfTheNetwork() async throws {
        let secret = Array("failover test network secret".utf8)
        func server(_ name: String, peers: [Int]) async throws -> (ChatServer, Int) {
            var configuration = ChatServerConfiguration(listen: .hostname("127.0.0.1", port: 0), threads: 1)
            configuration.core = ServerConfiguration(name: name, motd: nil)
            configuration.federation = FederationConfiguration(
                linkListen: .hostname("127.0.0.1", port: 0), peers: peers.map { .hostname("127.0.0.1", port: $0) },
                secret: secret, keepalive: .init(interval: 500, timeout: 1_500), retryDelay: 0.1, maxRetryDelay: 0.5)
            let server = ChatServer(configuration: configuration)
            return (server, try await server.start().port!)
        }
        let (first, firstPort) = try await server("one.chatty", peers: [])
        let (second, secondPort) = try await server("two.chatty", peers: [first.linkAddress!.port!])
        try await EndToEnd.eventually("linked") { second.linkedServers == ["one.chatty"] }

        let watcher = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(secondPort)", "--nick", "watcher"])
        defer { watcher.terminate() }
        try await watcher.waitFor("watcher has joined #chatty")
        let mover = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(firstPort),127.0.0.1:\(secondPort)", "--nick", "mover"])
        defer { mover.terminate() }
        try await mover.waitFor("mover has joined #chatty")
        try await watcher.waitFor("mover has joined #chatty")

        await first.shutdown()
        try await watcher.waitFor("mover has quit")
        try await mover.waitFor("connecting to 127.0.0.1:\(secondPort)")
        try await mover.waitFor("mover has joined #chatty")
        try await watcher.waitFor("mover has joined #chatty")
        mover.send("made it across")
        try await watcher.waitFor("<mover> made it across")
        mover.closeInput()
        watcher.closeInput()
        await second.shutdown()
    }
}
