import Testing

@testable import ChatTUI

@Suite struct ConfigFileTests {
    @Test func linesBecomeOptionsWhereConfigStood() throws {
        let file = """
            # a network server
            name a.chatty
            listen = 127.0.0.1:6667
            --link-listen 127.0.0.1:7000
            peer=127.0.0.1:7001
            peer 127.0.0.1:7002

            link-secret-file\t/etc/chatty/secret
            """
        let arguments = try ConfigFile.expand(["serve", "--config", "net.conf", "--flood-rate", "0"]) { path in
            #expect(path == "net.conf")
            return file
        }
        #expect(arguments == [
            "serve", "--name", "a.chatty", "--listen", "127.0.0.1:6667", "--link-listen", "127.0.0.1:7000",
            "--peer", "127.0.0.1:7001", "--peer", "127.0.0.1:7002", "--link-secret-file", "/etc/chatty/secret",
            "--flood-rate", "0",
        ])
    }

    @Test func flagsWithoutValuesAndEqualsForm() throws {
        let arguments = try ConfigFile.expand(["--config=c", "--nick", "bob"]) { _ in "plain\nhost\n" }
        #expect(arguments == ["--plain", "--host", "--nick", "bob"])
    }

    @Test func errorsAreClear() {
        #expect(throws: ConfigFile.Error.self) { try ConfigFile.expand(["serve", "--config"]) { _ in "" } }
        #expect(throws: ConfigFile.Error.self) { try ConfigFile.options(in: "!!! nonsense", file: "f") }
        #expect(throws: ConfigFile.Error.self) { try ConfigFile.options(in: "config other.conf", file: "f") }
        struct Missing: Error {}
        #expect(throws: ConfigFile.Error.self) { try ConfigFile.expand(["--config", "x"]) { _ in throw Missing() } }
    }
}

/// Sections: a client's further networks (`[libera]`), each becoming one `--connect`.
@Suite struct ConfigFileSectionTests {
    @Test func eachSectionBecomesOneConnectOptionAfterTheFilesOwnOptions() throws {
        let text = "nick ann\nchannel #chatty\n\n[libera]\nserver ircs://irc.libera.chat\nnick al\nchannel #swift\nchannel #irc\n\n[home]\nserver 10.0.0.2:6667\n"
        #expect(try ConfigFile.options(in: text, file: "f") == [
            "--nick", "ann", "--channel", "#chatty",
            "--connect", "libera; server ircs://irc.libera.chat; nick al; channel #swift; channel #irc",
            "--connect", "home; server 10.0.0.2:6667",
        ])
        #expect(try ConfigFile.entries(in: text, file: "f").map(\.name) == ["nick", "channel"], "/set sees the top only")
    }

    @Test func aSemicolonInAValueSurvivesTheTripThroughConnect() throws {
        let options = try ConfigFile.options(in: "[work]\nserver 127.0.0.1:7000\npassword a;b\\c\n", file: "f")
        #expect(options == ["--connect", "work; server 127.0.0.1:7000; password a\\;b\\\\c"])
        let network = try ClientNetwork(parsing: options[1])
        #expect(network.password == "a;b\\c")
        #expect(ConfigFile.networkParts("a; b\\; c ;d") == ["a", "b; c", "d"])
    }

    @Test func badSectionsAreRefusedWithTheirLine() {
        #expect(throws: ConfigFile.Error.self) { try ConfigFile.options(in: "[bad name]\nserver x:1\n", file: "f") }
        #expect(throws: ConfigFile.Error.self) { try ConfigFile.options(in: "[a]\nserver x:1\n[A]\nserver y:1\n", file: "f") }
    }

    @Test func aNetworkNeedsAServerAndValidOptions() throws {
        let network = try ClientNetwork(parsing: "libera; server ircs://irc.libera.chat,irc.example.org:6667; nick al; channel #swift; password pw")
        #expect(network.name == "libera")
        #expect(network.servers.count == 2 && network.servers[0].tls)
        #expect(network.nick == "al" && network.channels == ["#swift"] && network.password == "pw")
        #expect(try ClientNetwork(parsing: "home; server 127.0.0.1:7000").channels == [], "no channel unless named")
        #expect(throws: ClientNetwork.Invalid.self) { try ClientNetwork(parsing: "home; nick al") }
        #expect(throws: ClientNetwork.Invalid.self) { try ClientNetwork(parsing: "home; server 127.0.0.1:7000; nick 1bad") }
        #expect(throws: ClientNetwork.Invalid.self) { try ClientNetwork(parsing: "home; server 127.0.0.1:7000; colour red") }
        #expect(throws: ClientNetwork.Invalid.self) { try ClientNetwork(parsing: "; server 127.0.0.1:7000") }
        #expect(throws: (any Error).self) { try ClientCommand.parse(["--connect", "a; server x:1", "--connect", "A; server y:1"]) }
    }

    @Test func setKeepsTheSectionsAsTheyAre() {
        var settings = ClientSettings(text: "nick ann\n\n[libera]\nserver ircs://irc.libera.chat\nnick al\n")
        settings.set(ClientSettings.setting(named: "nick")!, to: ["bea"])
        settings.set(ClientSettings.setting(named: "highlight")!, to: ["deploy"])
        #expect(settings.text == "nick bea\nhighlight deploy\n\n[libera]\nserver ircs://irc.libera.chat\nnick al\n")
        #expect(settings.values(of: ClientSettings.setting(named: "nick")!) == ["bea"])
    }
}
