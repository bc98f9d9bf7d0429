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
