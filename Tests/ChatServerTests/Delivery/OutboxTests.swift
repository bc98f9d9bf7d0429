import NIOCore
import Testing

@testable import ChatServer

@Suite struct OutboxTests {
    private func line(_ text: String) -> ByteBuffer { ByteBuffer(string: text + "\r\n") }

    @Test func keepsEventsInOrderAndSharesASingleEvent() {
        var outbox = Outbox()
        let first = line(":a PRIVMSG #c :one")
        let accepted1 = outbox.append(first, limit: 1_000)
        #expect(accepted1)
        #expect(!outbox.ownsBuffer, "one event is written from the shared encoding, not copied")
        let accepted2 = outbox.append(line(":a PRIVMSG #c :two"), limit: 1_000)
        #expect(accepted2)
        let accepted3 = outbox.append(line(":a PRIVMSG #c :three"), limit: 1_000)
        #expect(accepted3)
        #expect(outbox.ownsBuffer)
        let taken = outbox.take()
        #expect(taken.map { String(buffer: $0) } == ":a PRIVMSG #c :one\r\n:a PRIVMSG #c :two\r\n:a PRIVMSG #c :three\r\n")
        #expect(outbox.buffer == nil)
        #expect(first == line(":a PRIVMSG #c :one"), "the shared encoding was not written into")
    }

    @Test func nextBufferStartsAsLargeAsTheLastFlush() {
        var outbox = Outbox()
        for index in 0..<500 { _ = outbox.append(line("message \(index) " + String(repeating: "x", count: 80)), limit: 1 << 20) }
        let size = outbox.take()!.readableBytes
        #expect(outbox.lastFlushSize == size)
        _ = outbox.append(line("a"), limit: 1 << 20)
        _ = outbox.append(line("b"), limit: 1 << 20)
        #expect(outbox.buffer!.capacity >= size)
    }

    @Test func overTheLimitIsRefusedAndDropsTheQueue() {
        var outbox = Outbox()
        let accepted4 = outbox.append(line(String(repeating: "x", count: 60)), limit: 100)
        #expect(accepted4)
        let accepted5 = outbox.append(line(String(repeating: "y", count: 60)), limit: 100)
        #expect(!accepted5)
        #expect(outbox.buffer == nil)
    }
}
