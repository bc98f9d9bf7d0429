/// Why a line could not be turned into an ``IRCMessage``.
public struct IRCParseError: Error, Sendable, Hashable, CustomStringConvertible {
    enum Base: Sendable, Hashable {
        case empty
        case missingCommand
        case invalidCommand
        case invalidUTF8
        case forbiddenCharacter
        case lineTooLong
        case tagsTooLong
        case malformedTags
        case malformedSource
    }

    let base: Base

    public static let empty = IRCParseError(base: .empty)
    public static let missingCommand = IRCParseError(base: .missingCommand)
    public static let invalidCommand = IRCParseError(base: .invalidCommand)
    public static let invalidUTF8 = IRCParseError(base: .invalidUTF8)
    public static let forbiddenCharacter = IRCParseError(base: .forbiddenCharacter)
    public static let lineTooLong = IRCParseError(base: .lineTooLong)
    public static let tagsTooLong = IRCParseError(base: .tagsTooLong)
    public static let malformedTags = IRCParseError(base: .malformedTags)
    public static let malformedSource = IRCParseError(base: .malformedSource)

    public var description: String {
        switch base {
        case .empty: "empty line"
        case .missingCommand: "missing command"
        case .invalidCommand: "invalid command"
        case .invalidUTF8: "invalid UTF-8"
        case .forbiddenCharacter: "line contains NUL, CR or LF"
        case .lineTooLong: "line too long"
        case .tagsTooLong: "tags too long"
        case .malformedTags: "malformed tags"
        case .malformedSource: "malformed source"
        }
    }
}
