import NIOCore
import Testing

@testable import ChatCore

@Suite struct IRCMessageSerializationTests {
    @Test func writesCRLFAndTrailing() {
        #expect(IRCMessage(source: "n!u@h", "PRIVMSG", "#c", "hi there").serialized() == ":n!u@h PRIVMSG #c :hi there\r\n")
        #expect(IRCMessage("PING", "x").serialized() == "PING :x\r\n")
        #expect(IRCMessage("QUIT").serialized() == "QUIT\r\n")
        #expect(IRCMessage("TOPIC", "#c", "").serialized() == "TOPIC #c :\r\n")
    }

    @Test func escapesTags() {
        let message = IRCMessage(tags: [.init("a", "x;y z\\w\r\n"), .init("flag")], "CMD")
        #expect(message.serialized() == #"@a=x\:y\sz\\w\r\n;flag CMD"# + "\r\n")
        #expect(message.serialized(includeTags: false) == "CMD\r\n")
    }

    @Test func neverSplitsALine() {
        let message = IRCMessage(source: "bad source", "PRIVMSG", "#c d", "line\r\nQUIT :x\u{0}")
        let wire = message.serialized()
        #expect(wire == ":bad_source PRIVMSG #c_d :lineQUIT :x\r\n")
        #expect(wire.filter { $0 == "\r\n" || $0 == "\n" }.count == 1)
    }

    @Test func roundTripCorpus() throws {
        let corpus: [IRCMessage] = [
            IRCMessage("PING", "token"),
            IRCMessage(source: "srv", "001", "nick", "Welcome to the network"),
            IRCMessage(tags: [.init("time", "2026-11-25T10:00:00.000Z"), .init("msgid", "abc")], source: "a!b@c", "PRIVMSG", "#c", ":starts with colon"),
            IRCMessage("TOPIC", "#c", ""),
            IRCMessage("PRIVMSG", "#c", "  spaced  "),
            IRCMessage(tags: [.init("+reply", "a;b c\\d")], "TAGMSG", "#c"),
            IRCMessage("CAP"),
            IRCMessage("PRIVMSG", "#日本", "émoji 👍🏽 and 🇯🇵"),
        ]
        for message in corpus {
            #expect(try IRCMessage.parse(message.serialized()) == message)
        }
    }

    /// `parse(serialize(m)) == m` for generated valid messages.
    @Test func roundTripProperty() throws {
        var generator = SplitMix64(seed: 0x5EED)
        let alphabet = Array("abcXYZ019-_[]{}|^:;\\=#@!.,é日👍 ")
        func word(_ allowed: [Character], _ min: Int, _ max: Int) -> String {
            let count = Int(generator.next() % UInt64(max - min + 1)) + min
            return String((0..<count).map { _ in allowed[Int(generator.next() % UInt64(allowed.count))] })
        }
        let middleAlphabet = alphabet.filter { $0 != " " }
        let keyAlphabet = Array("abcdefXYZ0129-/.")
        for _ in 0..<2000 {
            var tags: [IRCMessage.Tag] = []
            for _ in 0..<Int(generator.next() % 3) {
                let key = (generator.next() % 2 == 0 ? "+" : "") + word(keyAlphabet, 1, 6)
                tags.append(.init(key, word(alphabet, 0, 10)))
            }
            // Keys are unique in generated messages so that `tag(_:)` lookups stay meaningful.
            var seen = Set<String>()
            tags = tags.filter { seen.insert($0.key).inserted }
            let source: String? = generator.next() % 2 == 0 ? nil : word(middleAlphabet.filter { $0 != ":" }, 1, 12)
            let command = generator.next() % 3 == 0 ? String(format3(Int(generator.next() % 1000))) : word(Array("ABCDEFGHIJ"), 1, 8)
            var parameters: [String] = []
            let count = Int(generator.next() % 6)
            for index in 0..<count {
                if index == count - 1 {
                    parameters.append(word(alphabet, 0, 20))
                } else {
                    var middle = word(middleAlphabet, 1, 8)
                    if middle.hasPrefix(":") { middle = "x" + middle }
                    parameters.append(middle)
                }
            }
            let message = IRCMessage(tags: tags, source: source, command: command, parameters: parameters)
            #expect(try IRCMessage.parse(message.serialized()) == message, "\(message.serialized())")
        }
    }

    private func format3(_ value: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: 3 - text.count) + text
    }
}

/// A small deterministic generator so property tests replay identically.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
