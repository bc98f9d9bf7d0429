import ChatCore
import Testing

@testable import ChatTUI

/// Mentions, highlight words and private messages seen elsewhere ring the terminal; what reaches it
/// from the network cannot smuggle escape sequences.
@Suite struct TerminalAlertTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_795_000_000_000)

    static func message(_ text: String, from nick: String = "bob", in conversation: Conversation = .channel("#c")) -> ClientEvent {
        .message(ChatMessage(conversation: conversation, sender: nick, text: text, time: now))
    }

    @Test func mentionsAndPrivateMessagesElsewhereAlertButNotInTheBufferInView() {
        var controller = ChatControllerExtensionsTests.channel()
        controller.highlightWords = ["deploy"]
        controller.view.openBuffer("#other", kind: .channel)
        controller.apply(Self.message("me: look"), now: Self.now)
        #expect(controller.takeAlerts().isEmpty, "#c is in view")
        controller.apply(Self.message("hey me, over here", in: .channel("#other")), now: Self.now)
        controller.apply(Self.message("the DEPLOY is done", in: .channel("#other")), now: Self.now)
        controller.apply(Self.message("nothing for you", in: .channel("#other")), now: Self.now)
        controller.apply(Self.message("psst", from: "zed", in: .privateChat("zed")), now: Self.now)
        #expect(controller.takeAlerts() == [
            TerminalAlert(title: "bob in #other", body: "hey me, over here"),
            TerminalAlert(title: "bob in #other", body: "the DEPLOY is done"),
            TerminalAlert(title: "zed", body: "psst"),
        ])
        #expect(controller.takeAlerts().isEmpty, "taken once")
    }

    @Test func theSequencesCarryNoControlCharactersFromTheNetwork() {
        let alert = TerminalAlert(title: "evil\u{1B}]0;pwned\u{07}", body: "a;b\u{1B}[2Jc")
        #expect(alert.escapeSequence(style: .bell) == "\u{07}")
        #expect(alert.escapeSequence(style: .off).isEmpty)
        let osc = alert.escapeSequence(style: .osc777)
        #expect(osc.hasPrefix("\u{07}\u{1B}]777;notify;"))
        #expect(osc.hasSuffix("\u{1B}\\"))
        let inner = osc.dropFirst(2).dropLast(2)
        #expect(!inner.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F })
        #expect(inner.split(separator: ";").count == 4, "777;notify;title;body")
        #expect(alert.escapeSequence(style: .osc9).hasPrefix("\u{07}\u{1B}]9;"))
    }
}
