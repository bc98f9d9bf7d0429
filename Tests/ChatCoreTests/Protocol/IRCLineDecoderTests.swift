import NIOCore
import NIOTestUtils
import Testing

@testable import ChatCore

@Suite struct IRCLineDecoderTests {
    private func frames(_ input: String, max: Int = 16) -> [IRCLineFrame] {
        var decoder = IRCLineDecoder(maximumLength: max)
        var buffer = ByteBuffer(string: input)
        var result: [IRCLineFrame] = []
        while let frame = decoder.nextFrame(&buffer) { result.append(frame) }
        return result
    }

    @Test func splitsOnLFAndCRLF() {
        #expect(frames("A\r\nB\nC") == [.line(ByteBuffer(string: "A")), .line(ByteBuffer(string: "B"))])
    }

    @Test func overlongLineIsReportedOnceAndSkipped() {
        let result = frames(String(repeating: "x", count: 40) + "\nOK\n")
        #expect(result == [.tooLong, .line(ByteBuffer(string: "OK"))])
    }

    @Test func overlongLineAcrossReadsIsReportedOnce() {
        var decoder = IRCLineDecoder(maximumLength: 8)
        var buffer = ByteBuffer(string: String(repeating: "y", count: 10))
        #expect(decoder.nextFrame(&buffer) == .tooLong)
        buffer.writeString(String(repeating: "y", count: 30))
        #expect(decoder.nextFrame(&buffer) == nil)
        buffer.writeString("yy\nNEXT\n")
        #expect(decoder.nextFrame(&buffer) == .line(ByteBuffer(string: "NEXT")))
        #expect(buffer.readableBytes == 0)
    }

    @Test func verifierWholeByteByByteAndBatches() throws {
        let input = ByteBuffer(string: "PING a\r\nNICK b\n\nJOIN #c\r\n")
        let expected: [IRCLineFrame] = [
            .line(ByteBuffer(string: "PING a")), .line(ByteBuffer(string: "NICK b")),
            .line(ByteBuffer(string: "")), .line(ByteBuffer(string: "JOIN #c")),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(
            inputOutputPairs: [(input, expected)],
            decoderFactory: { IRCLineDecoder(maximumLength: 64) }
        )
    }
}
