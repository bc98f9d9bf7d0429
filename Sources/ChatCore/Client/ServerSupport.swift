
/// What the server announced in `005 RPL_ISUPPORT`, with the usual defaults for missing tokens.
public struct ServerSupport: Sendable, Hashable {
    /// Every token seen, value `""` for tokens without a value.
    public private(set) var tokens: [String: String] = [:]
    /// `NETWORK`.
    public private(set) var network: String?
    /// `NICKLEN`.
    public private(set) var nickLength: Int?
    /// `CHANTYPES` (default `#&`).
    public private(set) var channelTypes: String = "#&"
    /// `PREFIX` mode letters, highest rank first (default `ov`).
    public private(set) var prefixModes: [Character] = ["o", "v"]
    /// `PREFIX` symbols matching ``prefixModes`` (default `@+`).
    public private(set) var prefixSymbols: [Character] = ["@", "+"]
    /// `CHANMODES` groups A (list), B (always a parameter), C (parameter when set), D (no parameter).
    public private(set) var channelModes: [String] = ["beI", "k", "l", "imnpst"]
    /// `CASEMAPPING` (default `rfc1459`).
    public private(set) var caseMapping: CaseMapping = .rfc1459

    public init() {}

    /// Applies the tokens of one `005` line (its parameters without our nick and the trailing text).
    mutating func apply(_ parameters: ArraySlice<String>) {
        for token in parameters {
            if token.hasPrefix("-") {
                let key = String(token.dropFirst()).uppercased()
                tokens[key] = nil
                reset(key)
                continue
            }
            let parts = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0]).uppercased()
            let value = parts.count > 1 ? Self.unescape(String(parts[1])) : ""
            tokens[key] = value
            set(key, value)
        }
    }

    private mutating func reset(_ key: String) {
        let defaults = ServerSupport()
        switch key {
        case "NETWORK": network = defaults.network
        case "NICKLEN": nickLength = defaults.nickLength
        case "CHANTYPES": channelTypes = defaults.channelTypes
        case "PREFIX":
            prefixModes = defaults.prefixModes
            prefixSymbols = defaults.prefixSymbols
        case "CHANMODES": channelModes = defaults.channelModes
        case "CASEMAPPING": caseMapping = defaults.caseMapping
        default: break
        }
    }

    private mutating func set(_ key: String, _ value: String) {
        switch key {
        case "NETWORK":
            network = value.isEmpty ? nil : value
        case "NICKLEN":
            nickLength = Int(value).flatMap { $0 > 0 ? $0 : nil }
        case "CHANTYPES":
            channelTypes = value
        case "PREFIX":
            // "(qaohv)~&@%+"; an empty value means no prefixes.
            if value.isEmpty {
                prefixModes = []
                prefixSymbols = []
            } else if value.first == "(", let close = value.firstIndex(of: ")") {
                let modes = Array(value[value.index(after: value.startIndex)..<close])
                let symbols = Array(value[value.index(after: close)...])
                if modes.count == symbols.count {
                    prefixModes = modes
                    prefixSymbols = symbols
                }
            }
        case "CHANMODES":
            var groups = value.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            while groups.count < 4 { groups.append("") }
            channelModes = groups
        case "CASEMAPPING":
            caseMapping = CaseMapping(token: value)
        default:
            break
        }
    }

    /// ISUPPORT values escape bytes as `\xHH`.
    static func unescape(_ value: String) -> String {
        guard value.contains("\\x") else { return value }
        var out: [UInt8] = []
        let bytes = Array(value.utf8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 3 < bytes.count, bytes[index + 1] == UInt8(ascii: "x"),
               let byte = UInt8(String(decoding: bytes[(index + 2)..<(index + 4)], as: UTF8.self), radix: 16)
            {
                out.append(byte)
                index += 4
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `WHOX`: `WHO` takes `%fields` and answers with 354.
    public var whox: Bool { tokens["WHOX"] != nil }

    /// `MONITOR`: the most nicks we may monitor, when the server offers it.
    public var monitorLimit: Int? { tokens["MONITOR"].map { Int($0) ?? 100 } }

    /// Whether `name` is a channel name (starts with one of ``channelTypes``).
    public func isChannel(_ name: String) -> Bool {
        guard let first = name.first else { return false }
        return channelTypes.contains(first)
    }

    /// The rank of a prefix symbol (0 is highest), or `nil` when it is not a prefix.
    func rank(ofSymbol symbol: Character) -> Int? {
        prefixSymbols.firstIndex(of: symbol)
    }

    /// Splits `@+nick` into its prefixes and the nick; also strips `!user@host` (`userhost-in-names`).
    func splitPrefixes(_ entry: String) -> ChannelMember {
        var prefixes = ""
        var rest = Substring(entry)
        while let first = rest.first, prefixSymbols.contains(first) {
            prefixes.append(first)
            rest = rest.dropFirst()
        }
        if let bang = rest.firstIndex(of: "!") { rest = rest[..<bang] }
        return ChannelMember(nick: String(rest), prefixes: prefixes)
    }

    /// Whether a channel mode letter takes a parameter when set (`adding`) or unset.
    func modeTakesParameter(_ mode: Character, adding: Bool) -> Bool {
        if prefixModes.contains(mode) { return true }
        if channelModes[0].contains(mode) || channelModes[1].contains(mode) { return true }
        if channelModes[2].contains(mode) { return adding }
        return false
    }

    /// The channel a message target refers to, also for `STATUSMSG` targets like `@#chan`.
    public func channelTarget(_ target: String) -> String? {
        if isChannel(target) { return target }
        if let first = target.first, prefixSymbols.contains(first) {
            let rest = String(target.dropFirst())
            if isChannel(rest) { return rest }
        }
        return nil
    }
}
