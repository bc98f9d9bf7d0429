import Foundation
import Testing

@testable import ChatTUI

@Suite struct ClientSettingsTests {
    private let highlight = ClientSettings.setting(named: "highlight")!
    private let nick = ClientSettings.setting(named: "NICK")!
    private let noLog = ClientSettings.setting(named: "no-log")!

    @Test func settingReplacesEveryLineOfTheOptionWhereItWasAndKeepsTheRest() {
        var settings = ClientSettings(text: "# mine\nnick ann\nhighlight deploy\nserver 10.0.0.1:6667\nhighlight lunch\n")
        #expect(settings.values(of: highlight) == ["deploy", "lunch"])
        settings.set(highlight, to: ["a", "b c"])
        #expect(settings.text == "# mine\nnick ann\nhighlight a\nhighlight b c\nserver 10.0.0.1:6667\n")
        settings.set(nick, to: [])
        #expect(settings.text == "# mine\nhighlight a\nhighlight b c\nserver 10.0.0.1:6667\n")
        settings.set(noLog, to: ["on"])
        #expect(settings.text.hasSuffix("server 10.0.0.1:6667\nno-log\n"), "a flag is a bare name")
        #expect(settings.values(of: noLog) == ["on"])
        settings.set(noLog, to: [])
        #expect(settings.values(of: noLog) == [])
        var empty = ClientSettings(text: "")
        empty.set(nick, to: ["zed"])
        #expect(empty.text == "nick zed\n")
        #expect(ClientSettings.setting(named: "config") == nil, "only client options worth keeping")
    }

    @Test func everySettingHasAValueInEffect() throws {
        let command = try ClientCommand.parse(["--notify", "osc9", "--no-log", "--channel", "#a", "--ignore", "troll", "--mouse"])
        let inEffect = command.settingsInEffect(nick: "ann")
        #expect(Set(inEffect.keys) == Set(ClientSettings.settings.map(\.name)), "one per setting")
        #expect(inEffect["notify"] == ["osc9"] && inEffect["nick"] == ["ann"] && inEffect["channel"] == ["#a"])
        #expect(inEffect["no-log"] == ["on"] && inEffect["no-title"] == ["off"] && inEffect["mouse"] == ["on"])
        #expect(inEffect["ignore"] == ["troll"] && inEffect["sasl"] == [] && inEffect["scrollback"] == ["10000"])
    }

    @Test func theFileLivesInTheUsersConfigDirectory() {
        #expect(ClientSettings.defaultPath(environment: ["XDG_CONFIG_HOME": "/x/cfg", "HOME": "/home/a"]) == "/x/cfg/chatty/client.conf")
        #expect(ClientSettings.defaultPath(environment: ["HOME": "/home/a"]) == "/home/a/.config/chatty/client.conf")
        #expect(ClientSettings.defaultPath(environment: ["XDG_CONFIG_HOME": "relative", "HOME": "/h"]) == "/h/.config/chatty/client.conf")
        #expect(ClientSettings.defaultPath(environment: [:]) == nil)
    }

    @Test func itsOptionsGoInFrontOfTheClientsCommandLineOnly() throws {
        let directory = NSTemporaryDirectory() + "chatty-settings-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/chatty/client.conf"
        #expect(try ClientSettings.arguments(before: ["--nick", "b"], path: path) == ["--nick", "b"], "no file, nothing added")
        var settings = ClientSettings(text: "")
        settings.set(nick, to: ["ann"])
        settings.set(highlight, to: ["x"])
        try settings.save(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try ClientSettings.arguments(before: ["--nick", "b"], path: path) == ["--nick", "ann", "--highlight", "x", "--nick", "b"])
        #expect(try ClientSettings.arguments(before: ["client", "--host"], path: path)
            == ["client", "--nick", "ann", "--highlight", "x", "--host"])
        #expect(try ClientSettings.arguments(before: ["serve", "--listen", "x"], path: path) == ["serve", "--listen", "x"])
        #expect(try ClientSettings.load(from: path) == settings)
    }
}
