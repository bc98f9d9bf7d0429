import ChattyTestSupport
import Foundation
import Testing

/// Several networks in one client, as a person sets it up: a `[work]` section in client.conf, two
/// servers, one terminal. Each network keeps its buffers; the status line counts the other's
/// messages; F10 and /network switch; what is typed goes to the network on the screen.
@Suite(.serialized, .timeLimit(.minutes(2))) struct NetworksEndToEndTests {
    @Test func aClientConfSectionIsASecondNetworkWithItsOwnBuffers() async throws {
        let home = try await EndToEnd.startServer()
        defer { home.kill9() }
        let work = try await EndToEnd.startServer()
        defer { work.kill9() }
        let homePeer = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(home.port)", "--nick", "hana", "--channel", "#chatty"])
        defer { homePeer.terminate() }
        let workPeer = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(work.port)", "--nick", "walt", "--channel", "#deploys"])
        defer { workPeer.terminate() }
        try await homePeer.waitFor("hana has joined #chatty")
        try await workPeer.waitFor("walt has joined #deploys")

        let (config, _) = try EndToEnd.configHome(clientConf: """
            server 127.0.0.1:\(home.port)
            nick ann
            channel #chatty

            [work]
            server 127.0.0.1:\(work.port)
            nick ann_w
            channel #deploys

            """)
        defer { try? FileManager.default.removeItem(atPath: config) }
        let session = try TmuxSession(name: "networks", term: "tmux-256color", command: UnprivilegedUser.shellCommand(
            "XDG_CONFIG_HOME=\(config) exec chatty-tui --no-log"))
        defer { session.kill() }
        try await homePeer.waitFor("ann has joined #chatty")
        try await workPeer.waitFor("ann_w has joined #deploys")
        try await session.waitFor("[2:#chatty]")
        // The other network's message waits there, counted.
        workPeer.send("deploy done")
        try await session.waitFor("[work(1)]")
        #expect(!(try session.screen().contains("deploy done")))
        try session.sendKeys("F10")
        try await session.waitFor("walt │ deploy done")
        try await session.waitFor("[2:#deploys]")
        try session.type("thanks")
        try session.sendKeys("Enter")
        try await workPeer.waitFor("<ann_w> thanks")
        try session.type("/network 1")
        try session.sendKeys("Enter")
        try await session.waitFor("[2:#chatty]")
        try session.type("hi home")
        try session.sendKeys("Enter")
        try await homePeer.waitFor("<ann> hi home")
        #expect(!workPeer.lines.contains { $0.contains("hi home") }, "nothing typed for home reached work")
        try session.sendKeys("C-q")
        try await session.waitFor("[exited 0]")
        try await homePeer.waitFor("ann has quit")
        try await workPeer.waitFor("ann_w has quit")
    }
}
