import NIOCore

extension IRCMessage {
    /// Writes the message as one wire line ending in CR LF.
    ///
    /// The last parameter is always written as `:trailing`, which every IRC parser accepts.
    /// - Important: Middle parameters must be non-empty, must not contain spaces and must not
    ///   start with `:`; no part may contain NUL, CR or LF. Messages built by ``parse(_:limits:)``
    ///   always satisfy this. Violations are replaced (space → `_`, CR/LF/NUL dropped) so that a
    ///   bad value can never split or corrupt a line.
    public func serialize(into buffer: inout ByteBuffer, includeTags: Bool = true) {
        if includeTags, !tags.isEmpty {
            buffer.writeInteger(UInt8(ascii: "@"))
            for (offset, tag) in tags.enumerated() {
                if offset > 0 { buffer.writeInteger(UInt8(ascii: ";")) }
                buffer.writeString(tag.key)
                if !tag.value.isEmpty {
                    buffer.writeInteger(UInt8(ascii: "="))
                    Self.writeEscapedTagValue(tag.value, into: &buffer)
                }
            }
            buffer.writeInteger(UInt8(ascii: " "))
        }
        if let source {
            buffer.writeInteger(UInt8(ascii: ":"))
            Self.writeSafe(source, into: &buffer, middle: true)
            buffer.writeInteger(UInt8(ascii: " "))
        }
        buffer.writeString(command)
        for (offset, parameter) in parameters.enumerated() {
            buffer.writeInteger(UInt8(ascii: " "))
            if offset == parameters.count - 1 {
                buffer.writeInteger(UInt8(ascii: ":"))
                Self.writeSafe(parameter, into: &buffer, middle: false)
            } else {
                Self.writeSafe(parameter.isEmpty ? "*" : parameter, into: &buffer, middle: true)
            }
        }
        buffer.writeStaticString("\r\n")
    }

    /// The wire line as a `String`, including CR LF.
    public func serialized(includeTags: Bool = true) -> String {
        var buffer = ByteBuffer()
        serialize(into: &buffer, includeTags: includeTags)
        return String(buffer: buffer)
    }

    private static func writeSafe(_ value: String, into buffer: inout ByteBuffer, middle: Bool) {
        let clean = value.utf8.withContiguousStorageIfAvailable { Self.isClean($0, middle: middle) }
            ?? value.utf8.allSatisfy { Self.isClean(byte: $0, middle: middle) }
        if clean, !(middle && value.utf8.first == UInt8(ascii: ":")) {
            buffer.writeString(value)
            return
        }
        var first = true
        for byte in value.utf8 {
            defer { first = false }
            switch byte {
            case 0, UInt8(ascii: "\r"), UInt8(ascii: "\n"):
                continue
            case UInt8(ascii: " ") where middle, UInt8(ascii: ":") where middle && first:
                buffer.writeInteger(UInt8(ascii: "_"))
            default:
                buffer.writeInteger(byte)
            }
        }
    }

    /// No NUL, CR or LF, and no space in a middle parameter. Runs over every parameter of every
    /// line the server writes, so callers scan contiguous bytes where they can.
    @inline(__always)
    private static func isClean(byte: UInt8, middle: Bool) -> Bool {
        byte != 0 && byte != UInt8(ascii: "\r") && byte != UInt8(ascii: "\n") && !(middle && byte == UInt8(ascii: " "))
    }

    private static func isClean(_ bytes: UnsafeBufferPointer<UInt8>, middle: Bool) -> Bool {
        for byte in bytes where !isClean(byte: byte, middle: middle) { return false }
        return true
    }

    /// The bytes `tags` take on the wire (`key=value` pairs, escaped, with their `;` separators;
    /// without the leading `@` and the space after).
    public static func serializedLength(of tags: [Tag]) -> Int {
        var length = max(0, tags.count - 1)
        for tag in tags {
            length += tag.key.utf8.count
            guard !tag.value.isEmpty else { continue }
            length += 1
            for byte in tag.value.utf8 {
                switch byte {
                case UInt8(ascii: ";"), UInt8(ascii: " "), UInt8(ascii: "\\"), UInt8(ascii: "\r"), UInt8(ascii: "\n"): length += 2
                case 0: continue
                default: length += 1
                }
            }
        }
        return length
    }

    private static func writeEscapedTagValue(_ value: String, into buffer: inout ByteBuffer) {
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: ";"): buffer.writeStaticString("\\:")
            case UInt8(ascii: " "): buffer.writeStaticString("\\s")
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case 0: continue
            default: buffer.writeInteger(byte)
            }
        }
    }
}

extension IRCMessage: CustomStringConvertible {
    public var description: String {
        let line = serialized()
        return String(decoding: line.utf8.dropLast(2), as: UTF8.self)
    }
}
