import NIOCore

extension IRCMessage {
    /// Parses one line (without or with its trailing CR LF).
    ///
    /// Accepts what the modern IRC client protocol allows: optional `@tags`, optional `:source`,
    /// a command word (printable ASCII, upper-cased) or three-digit numeric, and parameters of which the last may be `:trailing`.
    /// Runs of spaces between parts are accepted. After 14 middle parameters the rest of the line
    /// is the 15th parameter, as in RFC 1459.
    ///
    /// - Throws: ``IRCParseError`` for an empty line, a missing or invalid command, NUL/CR/LF
    ///   inside the line, invalid UTF-8, malformed tags, or a part longer than `limits` allow.
    public static func parse(_ line: String, limits: IRCLimits = .standard) throws(IRCParseError) -> IRCMessage {
        var line = line
        let result: Result<IRCMessage, IRCParseError> = line.withUTF8 { bytes in
            do throws(IRCParseError) {
                return .success(try parse(bytes: UnsafeRawBufferPointer(bytes), limits: limits))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses one line held in a `ByteBuffer`'s readable bytes.
    public static func parse(_ buffer: ByteBuffer, limits: IRCLimits = .standard) throws(IRCParseError) -> IRCMessage {
        let result: Result<IRCMessage, IRCParseError> = buffer.withUnsafeReadableBytes { bytes in
            do throws(IRCParseError) {
                return .success(try parse(bytes: bytes, limits: limits))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses raw bytes; the core of the other `parse` functions.
    public static func parse(bytes raw: UnsafeRawBufferPointer, limits: IRCLimits = .standard) throws(IRCParseError) -> IRCMessage {
        var end = raw.count
        // Tolerate the line terminator.
        while end > 0, raw[end - 1] == UInt8(ascii: "\n") || raw[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<end])
        if bytes.isEmpty { throw .empty }
        for byte in bytes where byte == 0 || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n") {
            throw .forbiddenCharacter
        }

        var index = 0
        var tags: [Tag] = []
        if bytes[0] == UInt8(ascii: "@") {
            let space = firstIndex(of: UInt8(ascii: " "), in: bytes, from: 1) ?? bytes.count
            if space + 1 > limits.maxTagsLength { throw .tagsTooLong }
            tags = try parseTags(UnsafeRawBufferPointer(rebasing: bytes[1..<space]))
            index = space
        }
        index = skipSpaces(bytes, from: index)
        if bytes.count - index + 2 > limits.maxLineLength { throw .lineTooLong }
        if index == bytes.count { throw tags.isEmpty ? .empty : .missingCommand }

        var source: String?
        if bytes[index] == UInt8(ascii: ":") {
            let space = firstIndex(of: UInt8(ascii: " "), in: bytes, from: index + 1) ?? bytes.count
            if space == index + 1 { throw .missingCommand }
            // A server name or nick!user@host never starts with `:` (it would not survive serialising).
            if bytes[index + 1] == UInt8(ascii: ":") { throw .malformedSource }
            source = try string(bytes, index + 1, space)
            index = skipSpaces(bytes, from: space)
            if index == bytes.count { throw .missingCommand }
        }

        let commandEnd = firstIndex(of: UInt8(ascii: " "), in: bytes, from: index) ?? bytes.count
        let command = try parseCommand(UnsafeRawBufferPointer(rebasing: bytes[index..<commandEnd]))
        index = commandEnd

        var parameters: [String] = []
        parameters.reserveCapacity(4)
        while true {
            index = skipSpaces(bytes, from: index)
            if index == bytes.count { break }
            if bytes[index] == UInt8(ascii: ":") {
                parameters.append(try string(bytes, index + 1, bytes.count))
                break
            }
            if parameters.count == 14 {
                parameters.append(try string(bytes, index, bytes.count))
                break
            }
            let space = firstIndex(of: UInt8(ascii: " "), in: bytes, from: index) ?? bytes.count
            parameters.append(try string(bytes, index, space))
            index = space
        }
        return IRCMessage(tags: tags, source: source, command: command, parameters: parameters)
    }

    private static func parseCommand(_ bytes: UnsafeRawBufferPointer) throws(IRCParseError) -> String {
        if bytes.isEmpty { throw .missingCommand }
        // `@` and `:` would read back as a tag section or a source once serialised.
        if bytes[0] == UInt8(ascii: "@") || bytes[0] == UInt8(ascii: ":") { throw .invalidCommand }
        let allDigits = bytes.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        if allDigits {
            if bytes.count != 3 { throw .invalidCommand }
            return String(decoding: bytes, as: UTF8.self)
        }
        // Nearly every command arrives upper-cased already: no copy then.
        if bytes.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && !($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var upper = [UInt8]()
        upper.reserveCapacity(bytes.count)
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): upper.append(byte - 32)
            // Any other printable ASCII (`NONEXISTENT_COMMAND`, `PRIV-MSG`) makes a command no
            // server knows: it parses, so the server can answer 421 (with the line's label).
            case 0x21...0x7E: upper.append(byte)
            default: throw .invalidCommand
            }
        }
        return String(decoding: upper, as: UTF8.self)
    }

    private static func parseTags(_ bytes: UnsafeRawBufferPointer) throws(IRCParseError) -> [Tag] {
        var tags: [Tag] = []
        tags.reserveCapacity(4)
        var start = 0
        while start <= bytes.count {
            let end = firstIndex(of: UInt8(ascii: ";"), in: bytes, from: start) ?? bytes.count
            if end > start {
                let equals = firstIndex(of: UInt8(ascii: "="), in: bytes, from: start).flatMap { $0 < end ? $0 : nil }
                let keyEnd = equals ?? end
                if keyEnd == start { throw .malformedTags }
                guard isValidTagKey(UnsafeRawBufferPointer(rebasing: bytes[start..<keyEnd])) else { throw .malformedTags }
                let key = try string(bytes, start, keyEnd)
                let value = equals.map { unescapeTagValue(UnsafeRawBufferPointer(rebasing: bytes[($0 + 1)..<end])) } ?? ""
                guard let value else { throw .invalidUTF8 }
                tags.append(Tag(key, value))
            }
            start = end + 1
        }
        return tags
    }

    static func isValidTagKey(_ key: UnsafeRawBufferPointer) -> Bool {
        var utf8 = key[...]
        if utf8.first == UInt8(ascii: "+") { utf8 = utf8.dropFirst() }
        if utf8.isEmpty { return false }
        return utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "."):
                true
            default:
                false
            }
        }
    }

    private static func unescapeTagValue(_ bytes: UnsafeRawBufferPointer) -> String? {
        if !bytes.contains(UInt8(ascii: "\\")) {
            return bytes.contains(where: { $0 >= 0x80 }) ? String(validating: bytes, as: UTF8.self) : String(decoding: bytes, as: UTF8.self)
        }
        var out = [UInt8]()
        out.reserveCapacity(bytes.count)
        var escaped = false
        for byte in bytes {
            if escaped {
                switch byte {
                case UInt8(ascii: ":"): out.append(UInt8(ascii: ";"))
                case UInt8(ascii: "s"): out.append(UInt8(ascii: " "))
                case UInt8(ascii: "r"): out.append(UInt8(ascii: "\r"))
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                default: out.append(byte)
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                out.append(byte)
            }
        }
        // A trailing lone backslash is dropped, as the specification says.
        return String(validating: out, as: UTF8.self)
    }

    @inline(__always)
    private static func string(_ bytes: UnsafeRawBufferPointer, _ from: Int, _ to: Int) throws(IRCParseError) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[from..<to])
        // Most IRC text is ASCII, which needs no validation; `String(validating:as:)` is generic
        // and looked up type metadata on every call (visible in profiles of the server).
        if !slice.contains(where: { $0 >= 0x80 }) {
            return String(decoding: slice, as: UTF8.self)
        }
        guard let value = String(validating: slice, as: UTF8.self) else {
            throw .invalidUTF8
        }
        return value
    }

    @inline(__always)
    private static func skipSpaces(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int {
        var index = from
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") { index += 1 }
        return index
    }

    @inline(__always)
    private static func firstIndex(of byte: UInt8, in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        var index = from
        while index < bytes.count {
            if bytes[index] == byte { return index }
            index += 1
        }
        return nil
    }
}
