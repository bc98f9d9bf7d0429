/// What a server keeps of a channel across restarts (with a history store): its name, topic and
/// modes, and when it was created. Members are not kept; they come back by joining.
public struct ChannelSnapshot: Sendable, Hashable {
    public var name: String
    public var topic: String?
    public var topicSetter: String?
    public var topicTime: Timestamp?
    public var modes: ChannelState.Modes
    public var created: Timestamp

    public init(name: String, topic: String?, topicSetter: String?, topicTime: Timestamp?, modes: ChannelState.Modes,
                created: Timestamp) {
        self.name = name
        self.topic = topic
        self.topicSetter = topicSetter
        self.topicTime = topicTime
        self.modes = modes
        self.created = created
    }

    public init(_ channel: ChannelState) {
        self.init(name: channel.name, topic: channel.topic, topicSetter: channel.topicSetter, topicTime: channel.topicTime,
                  modes: channel.modes, created: channel.created)
    }

    /// An empty channel with this topic and these modes.
    public var channel: ChannelState {
        var channel = ChannelState(name: name, created: created)
        channel.topic = topic
        channel.topicSetter = topicSetter
        channel.topicTime = topicTime
        channel.modes = modes
        return channel
    }

    /// The flag letters of the boolean modes, e.g. `mnt` (key and limit are kept apart).
    public var flags: String {
        var flags = ""
        if modes.inviteOnly { flags += "i" }
        if modes.moderated { flags += "m" }
        if modes.noExternalMessages { flags += "n" }
        if modes.secret { flags += "s" }
        if modes.topicLocked { flags += "t" }
        return flags
    }

    /// Modes from ``flags``, a key and a limit.
    public static func modes(flags: String, key: String?, limit: Int?) -> ChannelState.Modes {
        var modes = ChannelState.Modes()
        modes.inviteOnly = flags.contains("i")
        modes.moderated = flags.contains("m")
        modes.noExternalMessages = flags.contains("n")
        modes.secret = flags.contains("s")
        modes.topicLocked = flags.contains("t")
        modes.key = key
        modes.limit = limit
        return modes
    }
}
