/// The channels we are in and their members, kept from JOIN/PART/KICK/QUIT/NICK/MODE and NAMES replies.
struct ChannelRoster: Sendable, Hashable {
    struct Channel: Sendable, Hashable {
        /// The name as the server spelled it in our JOIN.
        var name: String
        /// Members by folded nick.
        var members: [String: ChannelMember] = [:]
        var topic: String?
    }

    /// Joined channels by folded name.
    private(set) var channels: [String: Channel] = [:]
    /// Folded names in join order.
    private(set) var order: [String] = []
    /// `353` lines collected until `366`, by folded channel name (also for channels we are not in).
    private var pendingNames: [String: [ChannelMember]] = [:]
    /// Folded nicks marked away (`AWAY` with `away-notify`, `G` in our own `WHO` of a channel).
    private(set) var away: Set<String> = []

    var channelNames: [String] { order.compactMap { channels[$0]?.name } }

    func contains(_ channel: String, _ support: ServerSupport) -> Bool {
        channels[support.caseMapping.fold(channel)] != nil
    }

    func members(of channel: String, _ support: ServerSupport) -> [ChannelMember] {
        guard let state = channels[support.caseMapping.fold(channel)] else { return [] }
        // Sorted by the folded keys already in the dictionary: no folding during the sort.
        func rank(_ member: ChannelMember) -> Int {
            member.prefixes.first.flatMap { support.rank(ofSymbol: $0) } ?? Int.max
        }
        return state.members.map { (rank: rank($0.value), key: $0.key, member: $0.value) }
            .sorted { ($0.rank, $0.key, $0.member.nick) < ($1.rank, $1.key, $1.member.nick) }
            .map { entry in
                var member = entry.member
                member.isAway = away.contains(entry.key)
                return member
            }
    }

    /// Ranked by highest prefix, then by nick (case-insensitively).
    static func sorted(_ members: [ChannelMember], _ support: ServerSupport) -> [ChannelMember] {
        func rank(_ member: ChannelMember) -> Int {
            member.prefixes.first.flatMap { support.rank(ofSymbol: $0) } ?? Int.max
        }
        return members.sorted { lhs, rhs in
            let (l, r) = (rank(lhs), rank(rhs))
            if l != r { return l < r }
            let (lf, rf) = (support.caseMapping.fold(lhs.nick), support.caseMapping.fold(rhs.nick))
            return lf != rf ? lf < rf : lhs.nick < rhs.nick
        }
    }

    mutating func selfJoined(_ channel: String, nick: String, _ support: ServerSupport) {
        let key = support.caseMapping.fold(channel)
        if channels[key] == nil {
            order.append(key)
        }
        var state = Channel(name: channel)
        state.members[support.caseMapping.fold(nick)] = ChannelMember(nick: nick)
        channels[key] = state
    }

    mutating func selfLeft(_ channel: String, _ support: ServerSupport) {
        let key = support.caseMapping.fold(channel)
        channels[key] = nil
        order.removeAll { $0 == key }
    }

    mutating func memberJoined(_ channel: String, nick: String, _ support: ServerSupport) {
        let key = support.caseMapping.fold(channel)
        // Whether they are away is news to us now: with away-notify the server follows the JOIN
        // with their AWAY if they are.
        away.remove(support.caseMapping.fold(nick))
        channels[key]?.members[support.caseMapping.fold(nick)] = ChannelMember(nick: nick)
    }

    mutating func memberLeft(_ channel: String, nick: String, _ support: ServerSupport) {
        let key = support.caseMapping.fold(channel)
        channels[key]?.members[support.caseMapping.fold(nick)] = nil
    }

    /// The channels (join order) `nick` is in with us.
    func channels(of nick: String, _ support: ServerSupport) -> [String] {
        let folded = support.caseMapping.fold(nick)
        return order.filter { channels[$0]?.members[folded] != nil }.compactMap { channels[$0]?.name }
    }

    /// Marks `nick` away or back; returns the channels it is in (join order) when that changed anything.
    mutating func setAway(_ nick: String, _ isAway: Bool, _ support: ServerSupport) -> [String] {
        let folded = support.caseMapping.fold(nick)
        let changed = isAway ? away.insert(folded).inserted : away.remove(folded) != nil
        guard changed else { return [] }
        return order.filter { channels[$0]?.members[folded] != nil }.compactMap { channels[$0]?.name }
    }

    /// Removes `nick` everywhere; returns the channels it was in (join order).
    mutating func memberQuit(nick: String, _ support: ServerSupport) -> [String] {
        let folded = support.caseMapping.fold(nick)
        away.remove(folded)
        var affected: [String] = []
        for key in order where channels[key]?.members[folded] != nil {
            channels[key]?.members[folded] = nil
            affected.append(channels[key]!.name)
        }
        return affected
    }

    /// Renames `old` to `new` everywhere; returns the channels it was in (join order).
    mutating func rename(_ old: String, to new: String, _ support: ServerSupport) -> [String] {
        let (oldKey, newKey) = (support.caseMapping.fold(old), support.caseMapping.fold(new))
        if away.remove(oldKey) != nil { away.insert(newKey) }
        var affected: [String] = []
        for key in order {
            guard var member = channels[key]?.members[oldKey] else { continue }
            member.nick = new
            channels[key]?.members[oldKey] = nil
            channels[key]?.members[newKey] = member
            affected.append(channels[key]!.name)
        }
        return affected
    }

    mutating func setTopic(_ channel: String, _ topic: String?, _ support: ServerSupport) {
        channels[support.caseMapping.fold(channel)]?.topic = topic
    }

    mutating func namesReceived(_ channel: String, entries: String, _ support: ServerSupport) {
        let key = support.caseMapping.fold(channel)
        let members = entries.split(separator: " ").map { support.splitPrefixes(String($0)) }
        pendingNames[key, default: []].append(contentsOf: members)
    }

    /// Finishes a NAMES reply: replaces the member list of a joined channel and returns the sorted list.
    mutating func namesEnded(_ channel: String, _ support: ServerSupport) -> [ChannelMember] {
        let key = support.caseMapping.fold(channel)
        let members = pendingNames.removeValue(forKey: key) ?? []
        if channels[key] != nil {
            var byNick: [String: ChannelMember] = [:]
            for member in members { byNick[support.caseMapping.fold(member.nick)] = member }
            channels[key]?.members = byNick
        }
        return Self.sorted(members, support)
    }

    /// Applies prefix modes (`+o alice`, `-v bob`) of a channel `MODE` to the member list.
    mutating func applyMode(_ channel: String, modes: String, parameters: [String], _ support: ServerSupport) {
        let key = support.caseMapping.fold(channel)
        guard channels[key] != nil else { return }
        var adding = true
        var parameterIndex = 0
        for mode in modes {
            if mode == "+" || mode == "-" {
                adding = mode == "+"
                continue
            }
            guard support.modeTakesParameter(mode, adding: adding) else { continue }
            guard parameterIndex < parameters.count else { return }
            let parameter = parameters[parameterIndex]
            parameterIndex += 1
            guard let rank = support.prefixModes.firstIndex(of: mode) else { continue }
            let symbol = support.prefixSymbols[rank]
            let nickKey = support.caseMapping.fold(parameter)
            guard var member = channels[key]?.members[nickKey] else { continue }
            var symbols = Set(member.prefixes)
            if adding { symbols.insert(symbol) } else { symbols.remove(symbol) }
            member.prefixes = String(support.prefixSymbols.filter { symbols.contains($0) })
            channels[key]?.members[nickKey] = member
        }
    }
}
