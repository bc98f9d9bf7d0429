import Testing
@testable import ChatTUI

@Suite struct KeyBindingTests {
    @Test func keyNamesReadBackAsTheyAreWritten() throws {
        let keys: [(String, Key)] = [
            ("ctrl-w", .ctrl("w")), ("alt-x", .alt("x")), ("alt-1", .alt("1")), ("f5", .function(5)), ("f12", .function(12)),
            ("alt-left", .withAlt(.left)), ("ctrl-right", .withCtrl(.right)), ("alt-pgup", .withAlt(.pageUp)),
            ("ctrl-home", .withCtrl(.home)), ("alt-enter", .withAlt(.enter)), ("alt-backspace", .withAlt(.backspace)),
        ]
        for (name, key) in keys {
            #expect(KeyBinding.key(named: name) == key, "\(name)")
            #expect(KeyBinding.name(of: key) == name)
        }
        #expect(KeyBinding.key(named: "Ctrl-W") == .ctrl("w"), "Ctrl has no case")
        #expect(KeyBinding.key(named: "ALT-Left") == .withAlt(.left))
        #expect(KeyBinding.key(named: "alt-X") == .alt("X"), "Alt-Shift-x")
        #expect(KeyBinding.name(of: .alt("X")) == "alt-X")
        #expect(KeyBinding.key(named: "meta-x") == .alt("x"))
    }

    @Test func keysATerminalCannotTellApartOrTheClientNeedsAreRefused() {
        for name in ["ctrl-m", "ctrl-i", "ctrl-h", "ctrl-c", "ctrl-1", "ctrl-enter", "x", "enter", "f13", "f0", "alt-", "hyper-x", ""] {
            #expect(KeyBinding.key(named: name) == nil, "\(name)")
        }
    }

    @Test func aBindingIsAKeyAndTheRestOfTheLine() throws {
        let binding = try KeyBinding(parsing: "alt-m  /msg bob,carol hi there")
        #expect(binding.key == .alt("m"))
        #expect(binding.command == "/msg bob,carol hi there")
        #expect(binding.text == "alt-m /msg bob,carol hi there")
        #expect(throws: KeyBinding.ParseError.missingCommand("alt-m")) { try KeyBinding(parsing: "alt-m ") }
        #expect(throws: KeyBinding.ParseError.unknownKey("super-q")) { try KeyBinding(parsing: "super-q /quit") }
    }

    @Test func theCommandLineCanUndoWhatClientConfTurnedOn() throws {
        // client.conf's options come first, so a later --no-mouse / --log wins for this run.
        #expect(try ClientCommand.parse(["--mouse", "--no-mouse"]).mouse == false)
        #expect(try ClientCommand.parse(["--mouse"]).mouse == true)
        #expect(try ClientCommand.parse(["--no-log", "--log"]).log == true)
        #expect(try ClientCommand.parse(["--no-log"]).log == false)
        #expect(try ClientCommand.parse(["--bind", "alt-x /close", "--bind", "f5 /names"]).bind == ["alt-x /close", "f5 /names"])
        #expect(throws: (any Error).self) { try ClientCommand.parse(["--bind", "hyper-x /close"]) }
        #expect(throws: (any Error).self) { try ClientCommand.parse(["--bind", "alt-x"]) }
    }
}
