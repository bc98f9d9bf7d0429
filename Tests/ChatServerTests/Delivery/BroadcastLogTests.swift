import ChatCore
import NIOCore
import Testing

@testable import ChatServer

@Suite struct BroadcastLogTests {
    private func message(_ text: String) -> IRCMessage {
        IRCMessage(source: "a!u@h", "PRIVMSG", "#c", text)
    }

    @Test func consecutiveEventsExtendOneRangeAndCopyOutInOrder() {
        var log = BroadcastLog()
        var outbox = Outbox()
        let first = log.append(message("one"), tagClass: .none)
        outbox.range = log.startRange(first, tagClass: .none, holder: 7)
        let second = log.append(message("two"), tagClass: .none)
        let extended = outbox.extendRange(log: .none, generation: log.generation, span: second)
        #expect(extended)
        #expect(outbox.queuedBytes == first.count + second.count)
        #expect(log.holders == [7])

        var copy = ByteBuffer()
        log.copy(outbox.range!, into: &copy)
        #expect(String(buffer: copy) == ":a!u@h PRIVMSG #c :one\r\n:a!u@h PRIVMSG #c :two\r\n")
    }

    @Test func aGapAnotherLogOrAnotherGenerationDoNotExtend() {
        var log = BroadcastLog()
        var outbox = Outbox()
        let first = log.append(message("one"), tagClass: .none)
        outbox.range = log.startRange(first, tagClass: .none, holder: 0)
        _ = log.append(message("for someone else"), tagClass: .none)
        let third = log.append(message("three"), tagClass: .none)
        let gap = outbox.extendRange(log: .none, generation: log.generation, span: third)
        #expect(!gap, "bytes in between belong to others")
        let adjacent = first.upperBound..<(first.upperBound + 10)
        let otherLog = outbox.extendRange(log: .all, generation: log.generation, span: adjacent)
        #expect(!otherLog, "another tag class's log")
        let otherGeneration = outbox.extendRange(log: .none, generation: log.generation &+ 1, span: adjacent)
        #expect(!otherGeneration, "a restarted log")
        let follows = outbox.extendRange(log: .none, generation: log.generation, span: adjacent)
        #expect(follows, "the same span in the same log and generation does extend")
        #expect(outbox.range?.end == UInt32(adjacent.upperBound))
    }

    @Test func restartEmptiesTheLogAndStartsANewGeneration() {
        var log = BroadcastLog()
        var count = 0
        while !log.isFull {
            _ = log.append(message(String(repeating: "x", count: 400)), tagClass: .all)
            count += 1
        }
        #expect(count > 100)
        _ = log.startRange(0..<10, tagClass: .all, holder: 3)
        let before = log.generation
        log.restart()
        #expect(log.generation == before &+ 1)
        #expect(log.holders.isEmpty)
        #expect(log.bytes.readableBytes == 0)
        let again = log.append(message("after"), tagClass: .all)
        #expect(again.lowerBound == 0)
    }

    @Test func manyHoldersOfFewBytesAlsoFillTheLog() {
        var log = BroadcastLog()
        let span = log.append(message("rare"), tagClass: .none)
        for member in 0..<(BroadcastLog.holderLimit - 1) { _ = log.startRange(span, tagClass: .none, holder: member) }
        #expect(!log.isFull)
        _ = log.startRange(span, tagClass: .none, holder: 0)
        #expect(log.isFull, "the holder list is bounded, not only the bytes")
        log.restart()
        #expect(!log.isFull)
    }

    @Test func ownBufferKeepsWhatWasQueuedBefore() {
        var outbox = Outbox()
        let shared = ByteBuffer(string: "NOTICE x :first\r\n")
        let accepted = outbox.append(shared, limit: 1_000)
        #expect(accepted)
        outbox.ownBuffer(capacity: 100)
        #expect(outbox.ownsBuffer)
        outbox.buffer!.writeString("PING :p\r\n")
        #expect(String(buffer: outbox.take()!) == "NOTICE x :first\r\nPING :p\r\n")
        #expect(shared == ByteBuffer(string: "NOTICE x :first\r\n"), "the shared encoding was not written into")
    }
}
