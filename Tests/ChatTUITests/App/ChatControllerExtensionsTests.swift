import Foundation
import ChatClient
import ChatCore
import Testing

@testable import ChatTUI

/// What the client shows of the IRCv3 extensions: away members, who is typing, reactions,
/// replies, deleted messages, and MONITOR for private conversations.
@Suite struct ChatControllerExtensionsTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    static func channel() -> ChatController {
        var controller = ChatController(server: "srv", nick: "me")
        controller.apply(.stateChanged(.registered(nick: "me")), now: now)
        controller.apply(.joined(channel: "#c", nick: "me", isOwn: true), now: now)
        controller.apply(.members(channel: "#c", members: [ChannelMember(nick: "me", prefixes: "@"), ChannelMember(nick: "bob"),
                                                           ChannelMember(nick: "zed", isAway: true)]), now: now)
        return controller
    }

    static func message(_ text: String, from nick: String = "bob", msgid: String, replyTo: String? = nil) -> ClientEvent {
        .message(ChatMessage(conversation: .channel("#c"), sender: nick, text: text, time: now, msgid: msgid, replyTo: replyTo))
    }

    @Test func awayMembersAreGreyedInTheSidebar() throws {
        var controller = Self.channel()
        let screen = controller.view.render(width: 100, height: 30)
        let row = try #require((0..<30).first { screen.text(row: $0).hasSuffix("│ zed             ") })
        let span = try #require(screen.rows[row].first { $0.text.contains("zed") })
        #expect(span.style.dim)
        let bob = try #require((0..<30).flatMap { screen.rows[$0] }.first { $0.text.contains("bob") })
        #expect(!bob.style.dim)
    }

    @Test func whoIsTypingShowsInTheStatusLineUntilItEnds() {
        var controller = Self.channel()
        controller.apply(.typing(conversation: .channel("#c"), nick: "bob", active: true), now: Self.now)
        func status(at time: Timestamp) -> String {
            controller.view.currentTimeMilliseconds = time.millisecondsSinceEpoch
            let screen = controller.view.render(width: 100, height: 30)
            return screen.text(row: 28)
        }
        #expect(status(at: Self.now).contains("bob is typing…"))
        #expect(!status(at: Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch + 7000)).contains("typing"))
        controller.apply(.typing(conversation: .channel("#c"), nick: "bob", active: true), now: Self.now)
        controller.apply(Self.message("done typing", msgid: "m1"), now: Self.now)
        #expect(!status(at: Self.now).contains("typing"))
    }

    @Test func reactionsRepliesAndDeletionsChangeWhatIsShown() {
        var controller = Self.channel()
        controller.apply(Self.message("shall we ship it today?", msgid: "m1"), now: Self.now)
        controller.apply(Self.message("yes", from: "zed", msgid: "m2", replyTo: "m1"), now: Self.now)
        controller.apply(.reaction(conversation: .channel("#c"), msgid: "m1", nick: "zed", reaction: "👍"), now: Self.now)
        var lines = controller.view.render(width: 100, height: 30).lines.joined(separator: "\n")
        #expect(lines.contains("shall we ship it today?  [👍 zed]"))
        #expect(lines.contains("↪ bob: shall we ship it today? yes"))
        controller.apply(.redacted(conversation: .channel("#c"), msgid: "m1", by: "bob"), now: Self.now)
        lines = controller.view.render(width: 100, height: 30).lines.joined(separator: "\n")
        #expect(lines.contains("(message deleted)"))
        #expect(!lines.contains("shall we ship it today?  ["))
        // A reaction to a message no longer shown changes nothing.
        #expect(!controller.view.updateMessage(msgid: "gone", in: "#c") { $0.reactions.append("x") })
    }

    @Test func typingIsAnnouncedAtMostEveryThreeSecondsAndEndsWhenTheLineIsEmptied() {
        var controller = Self.channel()
        var sent: [ClientRequest] = []
        sent += controller.handle(.character("h"), now: Self.now)
        sent += controller.handle(.character("i"), now: Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch + 1000))
        #expect(sent == [.typing(target: "#c", state: "active")])
        sent = controller.handle(.character("!"), now: Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch + 3500))
        #expect(sent == [.typing(target: "#c", state: "active")])
        sent = []
        for _ in 0..<3 { sent += controller.handle(.backspace, now: Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch + 4000)) }
        #expect(sent == [.typing(target: "#c", state: "done")])
        sent = controller.handle(.character("/"), now: Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch + 9000))
        #expect(sent.isEmpty, "a command is not typing to anyone")
    }

    @Test func realNameHostInviteAwayAndBotChangesAreShown() {
        var controller = Self.channel()
        controller.apply(.realNameChanged(nick: "bob", realName: "Robert B", channels: ["#c"]), now: Self.now)
        #expect(controller.view.buffer(named: "#c")?.lines.last?.text == "bob changed their real name to: Robert B")
        controller.apply(.hostChanged(nick: "bob", user: "rob", host: "staff.example", channels: ["#c"]), now: Self.now)
        #expect(controller.view.buffer(named: "#c")?.lines.last?.text == "bob is now bob!rob@staff.example")
        controller.apply(.invitedOther(channel: "#c", nick: "dave", by: "bob"), now: Self.now)
        #expect(controller.view.buffer(named: "#c")?.lines.last?.text == "bob invited dave to #c")
        controller.view.openBuffer("zed", kind: .query)
        controller.apply(.awayChanged(nick: "zed", message: "lunch"), now: Self.now)
        #expect(controller.view.buffer(named: "zed")?.lines.last?.text == "zed is away: lunch")
        var message = ChatMessage(conversation: .channel("#c"), sender: "helper", text: "beep", time: Self.now, msgid: "b1")
        message.isBot = true
        controller.apply(.message(message), now: Self.now)
        #expect(controller.view.render(width: 100, height: 30).lines.joined().contains("[bot] beep"))
    }

    @Test func aQueryIsMonitoredWhileItIsOpen() {
        var controller = Self.channel()
        for character in "/query dave" { _ = controller.handle(.character(character), now: Self.now) }
        let opened = controller.handle(.enter, now: Self.now)
        #expect(opened.contains(.monitor(nick: "dave", watch: true)))
        controller.apply(.presence(nick: "dave", online: false), now: Self.now)
        #expect(controller.view.buffer(named: "dave")?.lines.last?.text == "dave is offline")
        // Out of view, a presence line is no activity (each open conversation gets one at every start).
        controller.view.openBuffer("erin", kind: .query)
        controller.apply(.presence(nick: "erin", online: true), now: Self.now)
        #expect(controller.view.buffer(named: "erin")?.lines.last?.text == "erin is online")
        #expect(controller.view.buffer(named: "erin")?.activity == ChatBuffer.Activity.none)
        let closed = controller.handle(.ctrl("x"), now: Self.now)
        #expect(closed == [.monitor(nick: "dave", watch: false)])
    }
}

/// `/ignore` hides what someone says, and `/unignore` shows it again.
@Suite struct ChatControllerIgnoreTests {
    @Test func ignoredNicksAreHidden() {
        var controller = ChatControllerExtensionsTests.channel()
        let now = ChatControllerExtensionsTests.now
        func type(_ line: String) {
            for character in line { _ = controller.handle(.character(character), now: now) }
            _ = controller.handle(.enter, now: now)
        }
        type("/ignore tro*")
        controller.apply(ChatControllerExtensionsTests.message("spam", from: "troll", msgid: "s1"), now: now)
        controller.apply(.typing(conversation: .channel("#c"), nick: "troll", active: true), now: now)
        controller.apply(ChatControllerExtensionsTests.message("hello", from: "bob", msgid: "h1"), now: now)
        let lines = controller.view.buffer(named: "#c")!.lines.elements.map(\.text)
        #expect(!lines.contains("spam") && lines.contains("hello"))
        #expect(controller.view.typing.typing(in: "#c", now: now.millisecondsSinceEpoch, caseMapping: .rfc1459).isEmpty)
        type("/ignore")
        #expect(controller.view.buffer(named: "#c")!.lines.last?.text == "Ignored: tro*")
        type("/unignore TRO*")
        controller.apply(ChatControllerExtensionsTests.message("back", from: "troll", msgid: "s2"), now: now)
        #expect(controller.view.buffer(named: "#c")!.lines.last?.text == "back")
    }
}

extension ChatControllerIgnoreTests {
    /// Ignores are kept in client.conf (`ignore NICK`), as irssi and WeeChat keep theirs.
    @Test func ignoresAreSavedForTheNextStart() throws {
        let directory = NSTemporaryDirectory() + "chatty-ignore-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var controller = ChatControllerExtensionsTests.channel()
        controller.settingsPath = directory + "/client.conf"
        let now = ChatControllerExtensionsTests.now
        func type(_ line: String) -> String? {
            for character in line { _ = controller.handle(.character(character), now: now) }
            _ = controller.handle(.enter, now: now)
            return controller.view.activeBuffer.lines.last?.text
        }
        #expect(type("/ignore troll") == "Ignoring troll: their messages are hidden (/unignore troll to see them again) (saved)")
        #expect(type("/ignore spam*") != nil)
        #expect(try String(contentsOfFile: directory + "/client.conf", encoding: .utf8) == "ignore troll\nignore spam*\n")
        #expect(type("/unignore TROLL") == "No longer ignoring TROLL (saved)")
        #expect(try String(contentsOfFile: directory + "/client.conf", encoding: .utf8) == "ignore spam*\n")
        #expect(type("/set ignore x") == "/set: ignore is changed with /ignore")
        // One from this run's command line (--ignore) is gone for this run only.
        controller.ignored.append("pest")
        #expect(type("/unignore pest") == "No longer ignoring pest (for this run: --ignore gave it)")
        #expect(controller.ignored == ["spam*"])
    }
}

/// Replies to what the user asked land where the user looks.
@Suite struct ChatControllerReplyPlacementTests {
    @Test func whoisWhoAndListGoToTheBufferInViewAndAwayRepliesToTheQuery() {
        var controller = ChatControllerExtensionsTests.channel()
        let now = ChatControllerExtensionsTests.now
        controller.apply(.serverInfo(code: 311, text: "[bob] (b@h): Bob"), now: now)
        controller.apply(.serverInfo(code: 322, text: "#c                            3  the topic"), now: now)
        #expect(controller.view.buffer(named: "#c")?.lines.elements.suffix(2).map(\.text)
                == ["[bob] (b@h): Bob", "#c                            3  the topic"])
        controller.view.openBuffer("bob", kind: .query)
        controller.apply(.serverInfo(code: 301, text: "[bob] is away: lunch"), now: now)
        #expect(controller.view.buffer(named: "bob")?.lines.last?.text == "[bob] is away: lunch")
        controller.apply(.serverInfo(code: 306, text: "You have been marked as being away"), now: now)
        #expect(controller.view.buffer(named: "#c")?.lines.last?.text == "You have been marked as being away", "the buffer in view")
        controller.apply(.serverInfo(code: 375, text: "- motd -"), now: now)
        #expect(controller.view.buffers[0].lines.last?.text == "- motd -")
    }

    @Test func beingAwayShowsInTheStatusLineUntilBackOrReconnected() {
        var controller = ChatControllerExtensionsTests.channel()
        let now = ChatControllerExtensionsTests.now
        controller.apply(.serverInfo(code: 306, text: "You have been marked as being away"), now: now)
        #expect(controller.view.status.isAway)
        controller.apply(.serverInfo(code: 305, text: "You are no longer marked as being away"), now: now)
        #expect(!controller.view.status.isAway)
        controller.apply(.serverInfo(code: 306, text: "You have been marked as being away"), now: now)
        controller.apply(.stateChanged(.registered(nick: "me")), now: now)
        #expect(!controller.view.status.isAway, "a new connection starts present")
    }

    @Test func yourNoticeToSomeoneIsEchoedWhereYouTypedIt() {
        var controller = ChatControllerExtensionsTests.channel()
        let now = ChatControllerExtensionsTests.now
        let notice = ChatMessage(conversation: .privateChat("bob"), sender: "me", text: "the build is green", time: now, isOwn: true)
        controller.apply(.notice(notice), now: now)
        #expect(controller.view.buffer(named: "#c")?.lines.last?.text == "-> -bob- the build is green")
        #expect(controller.view.buffer(named: "bob")?.lines.last?.text == "the build is green")
        var fromBob = notice
        fromBob.isOwn = false
        fromBob.sender = "bob"
        fromBob.text = "thanks"
        controller.apply(.notice(fromBob), now: now)
        #expect(controller.view.buffer(named: "#c")?.lines.last?.text == "-> -bob- the build is green", "only your own")
    }

    @Test func theTopicSaysWhoSetItAndWhen() {
        var controller = ChatControllerExtensionsTests.channel()
        let now = ChatControllerExtensionsTests.now
        controller.apply(.topicSetBy(channel: "#c", setBy: "alice", at: Timestamp(millisecondsSinceEpoch: 1_796_585_881_000)), now: now)
        #expect(controller.view.buffer(named: "#c")?.lines.last?.text == "Topic set by alice on 2026-12-06 19:38")
        controller.apply(.topicSetBy(channel: "#c", setBy: "bob", at: nil), now: now)
        #expect(controller.view.buffer(named: "#c")?.lines.last?.text == "Topic set by bob")
    }

    @Test func channelModesAndBanListsGoToTheirChannel() {
        var controller = ChatControllerExtensionsTests.channel()
        let now = ChatControllerExtensionsTests.now
        controller.view.openBuffer("bob", kind: .query, activate: true)
        controller.apply(.serverInfo(code: 324, text: "#c modes: +mnt"), now: now)
        controller.apply(.serverInfo(code: 367, text: "#C ban: bob!*@* set by alice"), now: now)
        controller.apply(.serverInfo(code: 368, text: "#c: End of channel ban list"), now: now)
        #expect(controller.view.buffer(named: "#c")?.lines.elements.suffix(3).map(\.text)
                == ["#c modes: +mnt", "#C ban: bob!*@* set by alice", "#c: End of channel ban list"])
        controller.apply(.serverInfo(code: 324, text: "#elsewhere modes: +n"), now: now)
        #expect(controller.view.buffer(named: "bob")?.lines.last?.text == "#elsewhere modes: +n", "no buffer: the one in view")
        #expect(controller.view.buffers[0].lines.elements.allSatisfy { !$0.text.contains("modes:") }, "never the server buffer")
    }
}

/// While the connection is down the screen says so: channels are not joined, and the status line
/// counts down to the next attempt.
@Suite struct ChatControllerReconnectTests {
    @Test func channelsShowNotJoinedAndTheCountdownCounts() {
        var controller = ChatControllerExtensionsTests.channel()
        let now = ChatControllerExtensionsTests.now.millisecondsSinceEpoch
        controller.apply(.connectionLost(reason: "connection reset by 127.0.0.1:6667"), now: Timestamp(millisecondsSinceEpoch: now))
        controller.apply(.stateChanged(.reconnecting(at: Timestamp(millisecondsSinceEpoch: now + 4000))),
                         now: Timestamp(millisecondsSinceEpoch: now))
        var screen = controller.view.render(width: 100, height: 30)
        #expect(screen.text(row: 0).contains("#c (not joined)"))
        #expect(screen.text(row: 28).contains("reconnecting in 4s"))
        controller.view.currentTimeMilliseconds = now + 2100
        screen = controller.view.render(width: 100, height: 30)
        #expect(screen.text(row: 28).contains("reconnecting in 2s"))
        controller.apply(.stateChanged(.registered(nick: "me")), now: Timestamp(millisecondsSinceEpoch: now + 4000))
        controller.apply(.joined(channel: "#c", nick: "me", isOwn: true), now: Timestamp(millisecondsSinceEpoch: now + 4000))
        screen = controller.view.render(width: 100, height: 30)
        #expect(!screen.text(row: 0).contains("not joined"))
        #expect(!screen.text(row: 28).contains("reconnecting"))
    }
}

/// Nick changes: a private conversation follows and says so; your own change raises no activity.
@Suite struct ChatControllerNickChangeTests {
    @Test func aQueryFollowsTheNickAndOwnChangesAreQuiet() {
        var controller = ChatControllerExtensionsTests.channel()
        let now = ChatControllerExtensionsTests.now
        controller.view.openBuffer("bob", kind: .query)
        controller.apply(.nickChanged(old: "bob", new: "robert", isOwn: false, channels: ["#c"]), now: now)
        #expect(controller.view.buffer(named: "robert")?.lines.last?.text == "bob is now known as robert")
        controller.view.switchTo(index: 0)
        let before = controller.view.buffers.map(\.activity)
        controller.apply(.nickChanged(old: "me", new: "me2", isOwn: true, channels: ["#c"]), now: now)
        #expect(controller.view.buffer(named: "#c")?.lines.last?.text == "You are now known as me2")
        #expect(controller.view.buffers.map(\.activity) == before, "no buffer became active")
    }
}

/// Typing notices go only where they can arrive.
@Suite struct ChatControllerTypingTargetTests {
    @Test func noTypingToAnOfflineQueryPartner() {
        var controller = ChatControllerExtensionsTests.channel()
        let now = ChatControllerExtensionsTests.now
        controller.view.openBuffer("dave", kind: .query, activate: true)
        controller.apply(.presence(nick: "dave", online: false), now: now)
        #expect(controller.handle(.character("h"), now: now).isEmpty)
        controller.apply(.presence(nick: "dave", online: true), now: now)
        #expect(controller.handle(.character("i"), now: Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 4000))
                == [.typing(target: "dave", state: "active")])
    }
}
