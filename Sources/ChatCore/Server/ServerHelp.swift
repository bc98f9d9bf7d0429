/// The text `HELP` (and `HELPOP`) answers with: an index, and a few lines per command.
enum ServerHelp {
    /// Help topics by upper-cased name; `""` is the index.
    static func topic(_ subject: String) -> [String]? {
        let key = subject.uppercased()
        if key.isEmpty || key == "INDEX" {
            return ["Chatty IRC server. HELP <command> explains one of:"]
                + stride(from: 0, to: commands.count, by: 8).map { start in
                    commands.keys.sorted()[start..<min(start + 8, commands.count)].joined(separator: " ")
                }
        }
        return commands[key]
    }

    static let commands: [String: [String]] = [
        "AWAY": ["AWAY [:<message>]", "Marks you away with a message, or back without one."],
        "CAP": ["CAP LS 302 | REQ :<caps> | LIST | END", "Negotiates IRCv3 capabilities."],
        "CHATHISTORY": ["CHATHISTORY LATEST|BEFORE|AFTER|AROUND|BETWEEN|TARGETS <target> <reference> <limit>",
                        "Reads the history of a channel or conversation you may read."],
        "HELP": ["HELP [<command>]", "Shows this index, or help on one command."],
        "INFO": ["INFO", "Tells about this server software."],
        "INVITE": ["INVITE <nick> <#channel>", "Invites someone into a channel (operators, for +i channels)."],
        "ISON": ["ISON <nick> …", "Tells which of the nicks are online."],
        "JOIN": ["JOIN <#channel>[,<#channel>…] [<key>…]", "Joins channels; JOIN 0 leaves all."],
        "KICK": ["KICK <#channel> <nick> [:<reason>]", "Removes someone from a channel (channel operators)."],
        "KILL": ["KILL <nick> :<reason>", "Disconnects a user (server operators)."],
        "LINKS": ["LINKS", "Lists the servers of the network."],
        "LIST": ["LIST [<#channel|mask>{,…}]", "Lists channels with their member counts and topics; a mask with * and ? picks matching names."],
        "LUSERS": ["LUSERS", "Counts users, operators and channels."],
        "MARKREAD": ["MARKREAD <target> [timestamp=<time>]", "Reads or moves your read marker."],
        "MODE": ["MODE <nick> [+|-iw]", "MODE <#channel> [+|-imnstklovbeI [<parameters>]]",
                 "Shows or changes user and channel modes; MODE <#channel> b|e|I lists bans and exceptions."],
        "MOTD": ["MOTD", "Shows the message of the day."],
        "NAMES": ["NAMES <#channel>", "Lists a channel's members."],
        "NICK": ["NICK <nick>", "Changes your nick."],
        "NOTICE": ["NOTICE <target> :<text>", "Sends a notice (never answered automatically)."],
        "OPER": ["OPER <name> <password>", "Makes you a server operator."],
        "PART": ["PART <#channel>[,<#channel>…] [:<reason>]", "Leaves channels."],
        "PING": ["PING <token>", "Asks the server for a PONG."],
        "PRIVMSG": ["PRIVMSG <target>[,<target>…] :<text>", "Sends a message to channels or nicks."],
        "QUIT": ["QUIT [:<reason>]", "Disconnects."],
        "REGISTER": ["REGISTER * <email|*> <password>", "Creates an account for your nick."],
        "SEARCH": ["SEARCH in=<target>;text=<words>;from=<nick>;after=<time>;before=<time>;limit=<n>",
                   "Searches the history you may read."],
        "TAGMSG": ["TAGMSG <target>", "Sends only tags (typing notifications, reactions)."],
        "TIME": ["TIME", "Tells the server's time."],
        "TOPIC": ["TOPIC <#channel> [:<topic>]", "Shows or sets a channel's topic."],
        "USERHOST": ["USERHOST <nick> …", "Tells the user@host of up to five nicks."],
        "VERSION": ["VERSION", "Tells the server's version."],
        "WALLOPS": ["WALLOPS :<text>", "Sends a message to every user with mode +w (server operators)."],
        "WHO": ["WHO <#channel|nick|mask> [o|%<fields>[,<token>]]", "Lists users; masks use * and ?."],
        "WHOIS": ["WHOIS <nick>", "Tells about a user."],
        "WHOWAS": ["WHOWAS <nick> [<count>]", "Tells who used a nick before."],
    ]
}
