@testable import ChatTUI
import Testing

@Suite struct ChatBufferTests {
    func line(_ text: String, kind: ChatLine.Kind = .message, history: Bool = false) -> ChatLine {
        var line = ChatLine(timestamp: 0, kind: kind, nick: kind == .message ? "bob" : nil, text: text)
        line.isHistory = history
        return line
    }

    @Test func historyPlacedFirstKeepsTheUnreadMarkerOnItsLine() {
        var buffer = ChatBuffer(name: "#c", kind: .channel, scrollbackLimit: 5)
        buffer.append(line("earlier"), isActive: true)
        let start = buffer.lines.endSequence
        buffer.append(line("me has joined #c", kind: .join), isActive: false)
        buffer.append(line("unseen"), isActive: false)  // carries the unread marker
        buffer.append(line("h1", history: true), isActive: true)
        buffer.append(line("h2", history: true), isActive: true)
        buffer.placeHistoryFirst(since: start, marker: line("—— history ——", kind: .info))
        #expect(buffer.lines.elements.map(\.text) == ["h1", "h2", "—— history ——", "me has joined #c", "unseen"],
                "the oldest line gave way (limit 5)")
        #expect(buffer.markerSequence.map { buffer.lines[sequence: $0].text } == "unseen")
        #expect(buffer.lines.elements.filter(\.unreadMarker).map(\.text) == ["unseen"])
        #expect(buffer.unreadCount == 1)
    }

    @Test func withoutItsStartTheMarkerIsAppended() {
        var buffer = ChatBuffer(name: "#c", kind: .channel, scrollbackLimit: 2)
        buffer.append(line("a"), isActive: true)
        buffer.append(line("b"), isActive: true)
        buffer.append(line("c"), isActive: true)
        buffer.placeHistoryFirst(since: 0, marker: line("—— history ——", kind: .info))
        #expect(buffer.lines.elements.map(\.text) == ["c", "—— history ——"])
    }
}
