/// How far one user has read one conversation (IRCv3 `draft/read-marker`): the time of the last
/// message they saw. Kept per nick (folded) and target (folded) while accounts do not exist.
public struct ReadMarker: Sendable, Hashable {
    public var owner: String
    public var target: String
    public var time: Timestamp

    public init(owner: String, target: String, time: Timestamp) {
        self.owner = owner
        self.target = target
        self.time = time
    }
}
