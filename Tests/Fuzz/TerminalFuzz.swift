// libFuzzer target for the terminal client's handling of hostile input, built by `scripts/fuzz`
// with `swiftc -sanitize=fuzzer -parse-as-library` from this file and the client sources it names
// (they need nothing but the standard library):
//
// - the screen sanitiser: whatever the network sends, what reaches the terminal holds no control
//   character, escape sequence or bidi control;
// - the key decoder: any byte sequence from the terminal (escape sequences, bracketed paste, cut
//   anywhere, with timeouts between) decodes without a crash and leaves it ready for more.

@_cdecl("LLVMFuzzerTestOneInput")
public func terminalFuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let text = String(decoding: bytes, as: UTF8.self)
    for span in TerminalSanitizer.sanitize(text) {
        for scalar in span.text.unicodeScalars {
            let value = scalar.value
            precondition(value >= 0x20 && value != 0x7F && !(0x80...0x9F).contains(value),
                         "a control character reached the screen: \(value) from \(Array(bytes))")
            precondition(!TerminalSanitizer.isBidiControl(value), "a bidi control reached the screen: \(value)")
        }
    }
    var decoder = KeyDecoder()
    var index = 0
    for scalar in text.unicodeScalars {
        // Every 7th input a timeout, as when the terminal pauses mid-sequence.
        index += 1
        if index % 7 == 0 { _ = decoder.timeout() }
        // Now and then a function key code in place of a character, as ncurses reports them.
        _ = decoder.feed(index % 11 == 0 ? .function(0o400 + Int32(scalar.value % 0o200)) : .char(scalar.value))
    }
    for _ in 0...decoder.pasteTimeoutLimit { _ = decoder.timeout() }
    precondition(!decoder.isPending, "the decoder is stuck after its timeouts")
    return 0
}
