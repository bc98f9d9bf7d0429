import NIOCore

/// One frame cut from the byte stream by ``IRCLineDecoder``.
public enum IRCLineFrame: Sendable, Hashable {
    /// A complete line without its CR LF / LF terminator.
    case line(ByteBuffer)
    /// A line longer than the limit arrived; its bytes were discarded up to the next LF.
    case tooLong
}

/// Splits a byte stream into lines ending in LF (an optional CR before it is removed), with a
/// maximum length so that memory per connection stays bounded.
///
/// A line over `maximumLength` bytes is not buffered: the decoder emits ``IRCLineFrame/tooLong``
/// once, drops bytes until the next LF and then carries on with the following line. This lets the
/// connection answer with `417 ERR_INPUTTOOLONG` instead of being closed or silently truncated.
public struct IRCLineDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = IRCLineFrame

    public let maximumLength: Int
    private var discarding = false
    private var scanned = 0

    public init(maximumLength: Int) {
        precondition(maximumLength > 0)
        self.maximumLength = maximumLength
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let frame = nextFrame(&buffer) else { return .needMoreData }
        context.fireChannelRead(Self.wrapInboundOut(frame))
        return .continue
    }

    public mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        // A final line without LF is still delivered at EOF, so nothing accepted is lost.
        if let frame = nextFrame(&buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
            return .continue
        }
        if seenEOF, let frame = finalFrame(&buffer) {
            context.fireChannelRead(Self.wrapInboundOut(frame))
        }
        buffer.moveReaderIndex(to: buffer.writerIndex)
        return .needMoreData
    }

    /// At end of input, after ``nextFrame(_:)`` returned nil: the unterminated rest of the
    /// input as a last line (unless it is the tail of an overlong line being skipped). Consumes
    /// the buffer.
    public mutating func finalFrame(_ buffer: inout ByteBuffer) -> IRCLineFrame? {
        defer {
            buffer.moveReaderIndex(to: buffer.writerIndex)
            scanned = 0
            discarding = false
        }
        guard buffer.readableBytes > 0, !discarding else { return nil }
        return .line(Self.trimCR(buffer.readSlice(length: buffer.readableBytes)!))
    }

    /// Cuts the next frame from `buffer`, or returns nil when more bytes are needed.
    /// Exposed for sans-IO use (tests, the line-mode client).
    public mutating func nextFrame(_ buffer: inout ByteBuffer) -> IRCLineFrame? {
        while true {
            let view = buffer.readableBytesView
            let searchStart = view.startIndex + scanned
            if let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) {
                let length = newline - view.startIndex
                scanned = 0
                if discarding {
                    discarding = false
                    buffer.moveReaderIndex(forwardBy: length + 1)
                    continue
                }
                if length > maximumLength {
                    buffer.moveReaderIndex(forwardBy: length + 1)
                    return .tooLong
                }
                let line = buffer.readSlice(length: length)!
                buffer.moveReaderIndex(forwardBy: 1)
                return .line(Self.trimCR(line))
            }
            if discarding {
                buffer.moveReaderIndex(to: buffer.writerIndex)
                scanned = 0
                return nil
            }
            if view.count > maximumLength {
                discarding = true
                buffer.moveReaderIndex(to: buffer.writerIndex)
                scanned = 0
                return .tooLong
            }
            scanned = view.count
            return nil
        }
    }

    private static func trimCR(_ line: ByteBuffer) -> ByteBuffer {
        var line = line
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        return line
    }
}
