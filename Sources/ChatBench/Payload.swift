import NIOCore

/// The benchmark's PRIVMSG text: `~b <sender> <sequence> <sendTimeNanos> xxxx…`.
///
/// Receivers only look at the leading marker and the three decimal numbers, so decoding is a
/// short byte scan without allocations.
enum Payload {
    static let marker: (UInt8, UInt8) = (UInt8(ascii: "~"), UInt8(ascii: "b"))

    struct Fields {
        var sender: Int
        var sequence: UInt32
        var sentAt: UInt64
    }

    /// Appends `PRIVMSG <target> :<payload>\r\n`, padding the text with `x` to `textSize` bytes.
    static func writePrivmsg(
        into buffer: inout ByteBuffer, target: String, sender: Int, sequence: UInt32, sentAt: UInt64, textSize: Int
    ) {
        buffer.writeStaticString("PRIVMSG ")
        buffer.writeString(target)
        buffer.writeStaticString(" :~b ")
        let start = buffer.writerIndex
        writeDecimal(UInt64(sender), into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeDecimal(UInt64(sequence), into: &buffer)
        buffer.writeInteger(UInt8(ascii: " "))
        writeDecimal(sentAt, into: &buffer)
        let written = buffer.writerIndex - start + 3
        if textSize > written {
            buffer.writeInteger(UInt8(ascii: " "))
            if textSize - written - 1 > 0 {
                buffer.writeRepeatingByte(UInt8(ascii: "x"), count: textSize - written - 1)
            }
        }
        buffer.writeStaticString("\r\n")
    }

    @inline(__always)
    static func writeDecimal(_ value: UInt64, into buffer: inout ByteBuffer) {
        if value == 0 {
            buffer.writeInteger(UInt8(ascii: "0"))
            return
        }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes of scratch
        var count = 0
        var v = value
        withUnsafeMutableBytes(of: &digits) { scratch in
            while v > 0 {
                scratch[31 - count] = UInt8(ascii: "0") + UInt8(v % 10)
                v /= 10
                count += 1
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: scratch[(32 - count)...]))
        }
    }

    /// Decodes the text of a PRIVMSG (the bytes after the `:` of the trailing parameter).
    @inline(__always)
    static func decode(_ text: UnsafeRawBufferPointer) -> Fields? {
        guard text.count >= 9, text[0] == marker.0, text[1] == marker.1, text[2] == UInt8(ascii: " ") else {
            return nil
        }
        var index = 3
        guard let sender = parseDecimal(text, &index), let sequence = parseDecimal(text, &index),
            let sentAt = parseDecimal(text, &index), sequence <= UInt64(UInt32.max), sender <= UInt64(Int32.max)
        else { return nil }
        return Fields(sender: Int(sender), sequence: UInt32(sequence), sentAt: sentAt)
    }

    @inline(__always)
    private static func parseDecimal(_ bytes: UnsafeRawBufferPointer, _ index: inout Int) -> UInt64? {
        var value: UInt64 = 0
        let start = index
        while index < bytes.count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            if digit > 9 { break }
            value = value &* 10 &+ UInt64(digit)
            index += 1
        }
        guard index > start else { return nil }
        if index < bytes.count { index += 1 }  // the separating space
        return value
    }
}
