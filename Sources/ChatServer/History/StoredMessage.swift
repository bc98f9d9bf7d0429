import ChatCore

/// A message as the history keeps it in the `event.body` column: its parts as lengths and UTF-8
/// bytes, so that storing it is a few copies (no serialising, no escaping, no UTF-8 validation)
/// and reading it back needs no parser.
///
/// Layout (version 1): the byte `1`; a flags byte (bit 0: the message has a source; bit 1: its
/// last parameter is the row's `text` column and is not repeated here); the tag count and the
/// parameter count stored here, each a little-endian `UInt16`; then each string as a
/// little-endian `UInt32` length and its bytes: the source (if any), the command, each tag's key
/// and value, each parameter.
enum StoredMessage {
    static let version: UInt8 = 1

    /// Appends `message`'s body to `bytes`. With `omittingText`, the last parameter is left out
    /// (the caller stores it as the `text` column).
    static func encode(_ message: IRCMessage, omittingText: Bool, into bytes: inout [UInt8]) {
        let omitting = omittingText && !message.parameters.isEmpty
        let parameters = message.parameters.count - (omitting ? 1 : 0)
        bytes.append(version)
        bytes.append((message.source == nil ? 0 : 1) | (omitting ? 2 : 0))
        appendInteger(UInt16(clamping: message.tags.count), to: &bytes)
        appendInteger(UInt16(clamping: parameters), to: &bytes)
        if let source = message.source { appendString(source, to: &bytes) }
        appendString(message.command, to: &bytes)
        for tag in message.tags.prefix(Int(UInt16.max)) {
            appendString(tag.key, to: &bytes)
            appendString(tag.value, to: &bytes)
        }
        for parameter in message.parameters.prefix(min(parameters, Int(UInt16.max))) {
            appendString(parameter, to: &bytes)
        }
    }

    /// The message in `body`; `text` is the row's `text` column (the last parameter when the body
    /// left it out). `nil` for a body this version cannot read.
    static func decode(_ body: UnsafeRawBufferPointer, text: String) -> IRCMessage? {
        var reader = Reader(bytes: body)
        guard reader.byte() == version, let flags = reader.byte(), let tagCount = reader.uint16(),
              let parameterCount = reader.uint16() else { return nil }
        var source: String?
        if flags & 1 != 0 {
            guard let value = reader.string() else { return nil }
            source = value
        }
        guard let command = reader.string() else { return nil }
        var tags: [IRCMessage.Tag] = []
        tags.reserveCapacity(Int(tagCount))
        for _ in 0..<tagCount {
            guard let key = reader.string(), let value = reader.string() else { return nil }
            tags.append(IRCMessage.Tag(key, value))
        }
        var parameters: [String] = []
        parameters.reserveCapacity(Int(parameterCount) + 1)
        for _ in 0..<parameterCount {
            guard let parameter = reader.string() else { return nil }
            parameters.append(parameter)
        }
        if flags & 2 != 0 { parameters.append(text) }
        return IRCMessage(tags: tags, source: source, command: command, parameters: parameters)
    }

    static func appendString(_ string: String, to bytes: inout [UInt8]) {
        var string = string
        string.withUTF8 { utf8 in
            appendInteger(UInt32(utf8.count), to: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }

    private static func appendInteger<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func byte() -> UInt8? {
            guard offset < bytes.count else { return nil }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func uint16() -> UInt16? {
            guard let low = byte(), let high = byte() else { return nil }
            return UInt16(low) | UInt16(high) << 8
        }

        mutating func string() -> String? {
            guard offset + 4 <= bytes.count else { return nil }
            var length = 0
            for index in 0..<4 { length |= Int(bytes[offset + index]) << (8 * index) }
            offset += 4
            guard length <= bytes.count - offset else { return nil }
            defer { offset += length }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
        }
    }
}
