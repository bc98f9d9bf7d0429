import ChatCore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// libFuzzer driver for Chatty's protocol code. `scripts/fuzz` builds this target with
// `-sanitize=fuzzer -D CHATTY_FUZZ`, and the program hands itself to libFuzzer's driver
// (`LLVMFuzzerRunDriver`); a normal build makes a program that only says how to build it.
// `CHATTY_FUZZ_TARGET` picks what the bytes go to:
//
// - `irc`: the line decoder and the message parser; every accepted line must serialise and parse
//   back to the same message.
// - `server`: a server's state machine, as lines from a client (two clients are registered in a
//   channel first, so that channel, mode and message commands reach real state).
// - `link`: the link-event decoder (`EV` lines of another server), and its encoder back.
// - `history`: the `CHATHISTORY` and `SEARCH` parameter parsers.

/// The target of this run (read once).
let fuzzTarget: String = getenv("CHATTY_FUZZ_TARGET").map { String(cString: $0) } ?? "irc"

/// Limits wide enough that a serialised message is never refused for the few bytes serialising
/// may add (a `:` before the last parameter).
let roomyLimits = IRCLimits(maxLineLength: 16_384, maxTagsLength: 32_768)

@_cdecl("LLVMFuzzerTestOneInput")
public func chattyFuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    switch fuzzTarget {
    case "server": fuzzServer(bytes)
    case "link": fuzzLink(bytes)
    case "history": fuzzHistory(bytes)
    default: fuzzIRC(bytes)
    }
    return 0
}

/// The lines of `bytes` as the server's decoder cuts them, parsed (unparsable ones dropped).
func messages(in bytes: UnsafeRawBufferPointer, limits: IRCLimits = .standard) -> [IRCMessage] {
    var decoder = IRCLineDecoder(maximumLength: limits.maxLineLength + limits.maxTagsLength)
    var buffer = ByteBuffer(bytes: bytes)
    var result: [IRCMessage] = []
    while let frame = decoder.nextFrame(&buffer) {
        guard case .line(let line) = frame, let message = try? IRCMessage.parse(line, limits: limits) else { continue }
        result.append(message)
    }
    if let frame = decoder.finalFrame(&buffer), case .line(let line) = frame, let message = try? IRCMessage.parse(line, limits: limits) {
        result.append(message)
    }
    return result
}

func fuzzIRC(_ bytes: UnsafeRawBufferPointer) {
    for message in messages(in: bytes) {
        var serialized = ByteBuffer()
        message.serialize(into: &serialized)
        precondition(serialized.readableBytes >= 2)
        let line = serialized.getSlice(at: serialized.readerIndex, length: serialized.readableBytes - 2)!
        let again: IRCMessage
        do {
            again = try IRCMessage.parse(line, limits: roomyLimits)
        } catch {
            fatalError("an accepted line did not parse after serialising: \(message) → \(String(buffer: line)): \(error)")
        }
        precondition(again == message, "round trip changed \(message) into \(again)")
    }
}

/// A server with two registered clients in `#chatty` (the fuzzer's and a peer), made once; every
/// input starts from a copy (the state is a value).
let registeredServer: (state: ServerState, fuzzer: ClientID, peer: ClientID, now: Timestamp) = {
    let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)
    var configuration = ServerConfiguration(name: "fuzz.chatty", operators: ["oper": "secret"])
    configuration.historyLimit = 100
    var state = ServerState(configuration: configuration, now: now)
    let fuzzer = state.clientConnected(host: "127.0.0.1", now: now)
    let peer = state.clientConnected(host: "127.0.0.2", now: now)
    for (id, nick) in [(fuzzer, "fuzz"), (peer, "peer")] {
        for line in ["CAP LS 302", "NICK \(nick)", "USER \(nick) 0 * :\(nick)", "CAP END", "JOIN #chatty"] {
            _ = state.messageReceived(try! IRCMessage.parse(line), from: id, now: now)
        }
    }
    return (state, fuzzer, peer, now)
}()

func fuzzServer(_ bytes: UnsafeRawBufferPointer) {
    var state = registeredServer.state
    var time = registeredServer.now
    for message in messages(in: bytes) {
        time = Timestamp(millisecondsSinceEpoch: time.millisecondsSinceEpoch + 10)
        _ = state.messageReceived(message, from: registeredServer.fuzzer, now: time)
    }
    _ = state.messageReceived(try! IRCMessage.parse("PRIVMSG #chatty :still here"), from: registeredServer.peer, now: time)
}

func fuzzLink(_ bytes: UnsafeRawBufferPointer) {
    for message in messages(in: bytes, limits: IRCLimits(maxLineLength: 16_384, maxTagsLength: 32_768)) {
        guard let event = LinkEvent.decode(message) else { continue }
        let encoded = LinkEvent.encode(event)
        guard let again = LinkEvent.decode(encoded) else {
            fatalError("a decoded link event did not decode after encoding: \(encoded)")
        }
        precondition(again.origin == event.origin && again.sequence == event.sequence && again.payload == event.payload,
                     "link event round trip changed \(event) into \(again)")
    }
}

func fuzzHistory(_ bytes: UnsafeRawBufferPointer) {
    for message in messages(in: bytes) {
        _ = HistoryQuery.parse(message.parameters, maximumLimit: 100)
        _ = HistoryQuery.parseSearch(message.parameters, maximumLimit: 100)
        for parameter in message.parameters { _ = HistoryReference(parameter) }
    }
}

#if CHATTY_FUZZ
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

var arguments = CommandLine.argc
var argumentVector = CommandLine.unsafeArgv
exit(runFuzzerDriver(&arguments, &argumentVector, chattyFuzzOneInput))
#else
print("chatty-fuzz: libFuzzer targets; build and run them with scripts/fuzz SECONDS")
#endif
