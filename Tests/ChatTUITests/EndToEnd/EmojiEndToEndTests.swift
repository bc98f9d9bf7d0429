import ChattyTestSupport
import Foundation
import Testing

@testable import ChatTUI

/// Emoji never corrupt the screen: in a real terminal (tmux advances by code point for skin tones
/// and selectors, joins ZWJ sequences), the sidebar border stays in its column on every row and the
/// input cursor sits after what was typed.
@Suite(.serialized, .timeLimit(.minutes(2))) struct EmojiEndToEndTests {
    /// The column of the last `│` on a captured row, counting cells the way tmux does: each code
    /// point by its width, except the ZWJ sequences it joins (which the client draws as one emoji).
    static func borderColumn(_ row: String) -> Int? {
        var column = 0
        var border: Int?
        for character in row {
            if character == "│" { border = column }
            column += character.unicodeScalars.contains { $0.value == 0x200D }
                ? 2 : character.unicodeScalars.reduce(0) { $0 + $1.terminalWidth }
        }
        return border
    }

    @Test(arguments: ["tmux-256color", "xterm-256color"])
    func theSidebarBorderStaysInItsColumn(term: String) async throws {
        let server = try await EndToEnd.startServer()
        defer { server.kill9() }
        let session = try TmuxSession(name: "emoji", width: 100, height: 30, term: term,
                                      command: EndToEnd.command("--server 127.0.0.1:\(server.port) --nick watcher --no-log"))
        defer { session.kill() }
        try await session.waitFor("registered")
        let talker = try PlainClientProcess(arguments: ["--server", "127.0.0.1:\(server.port)", "--nick", "talker"])
        defer { talker.terminate() }
        try await talker.waitFor("registered as talker")
        try await session.waitFor("talker has joined")
        for line in [String(repeating: "a", count: 58) + " 👍🏽", "coder 👩‍💻 here", String(repeating: "👍🏽", count: 40), "love ❤️ it"] {
            talker.send(line)
        }
        try await session.waitFor("love")
        try session.type("a👩‍💻b❤️c")
        try await EndToEnd.eventually("the typed text on the input line") { try session.screen().contains("b❤️c") }
        let rows = try session.screen().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // Rows of the pane: the border between messages and sidebar is the last │ on each.
        let borders = rows.dropFirst().prefix(27).compactMap(Self.borderColumn)
        #expect(borders.count >= 10)
        #expect(Set(borders).count == 1, "border columns: \(borders)\n\(rows.joined(separator: "\n"))")
        // The cursor sits right after `c`: prompt "[#chatty] " (10) + a (1) + 👩 (2) + b (1) + ❤️ (1) + c (1).
        let cursor = try session.run(["display-message", "-p", "-t", session.name, "#{cursor_x}"])
        #expect(cursor.trimmingCharacters(in: .whitespacesAndNewlines) == "16")
        try session.sendKeys("C-q")
        try await session.waitFor("[exited 0]")
        talker.closeInput()
        try await server.stop()
    }
}
