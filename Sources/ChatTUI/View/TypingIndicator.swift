import ChatCore

/// Who is typing where (`+typing`), as the status line shows it: `bob is typing…`.
///
/// An `active` notice lasts 6 seconds unless renewed (the IRCv3 typing specification); `paused`,
/// `done` or a message from the nick ends it.
struct TypingIndicator: Equatable, Sendable {
    /// How long an `active` notice lasts.
    static let activeMilliseconds: Int64 = 6000
    /// How often we tell others we are still typing.
    static let resendMilliseconds: Int64 = 3000

    /// Folded buffer name → nick → when its notice ends.
    private var typers: [String: [String: Int64]] = [:]

    mutating func update(buffer: String, nick: String, active: Bool, now: Int64, caseMapping: CaseMapping) {
        let key = caseMapping.fold(buffer)
        if active {
            typers[key, default: [:]][nick] = now + Self.activeMilliseconds
        } else {
            typers[key]?[nick] = nil
        }
    }

    /// Who types in `buffer` now, in the order of their names.
    func typing(in buffer: String, now: Int64, caseMapping: CaseMapping) -> [String] {
        (typers[caseMapping.fold(buffer)] ?? [:]).filter { $0.value > now }.keys.sorted()
    }

    /// The status line's words for who types, or nil.
    static func describe(_ nicks: [String]) -> String? {
        switch nicks.count {
        case 0: nil
        case 1: "\(nicks[0]) is typing…"
        case 2: "\(nicks[0]) and \(nicks[1]) are typing…"
        default: "\(nicks.count) people are typing…"
        }
    }
}
