import Testing

@testable import ChatTUI

@Suite struct MentionMatcherTests {
    @Test func aNickIsFoundAsAWholeWordInAnyCase() {
        let bob = MentionMatcher(["bob"])
        #expect(bob.matches("hello Bob!"))
        #expect(bob.matches("bob: hi"))
        #expect(bob.matches("ok BOB"))
        #expect(bob.matches("bobby and bob"), "a later whole-word occurrence after an embedded one")
        #expect(!bob.matches("bobby"))
        #expect(!bob.matches("kebob"))
        #expect(!bob.matches("[bob]"), "brackets are nick characters")
        #expect(!bob.matches("bob_") && !bob.matches("bob2") && !bob.matches("bo"))
        #expect(!bob.matches(""))
    }

    @Test func anyOfSeveralWordsMatches() {
        let matcher = MentionMatcher(["me", "deploy", ""])
        #expect(matcher.matches("the Deploy failed"))
        #expect(matcher.matches("ask me"))
        #expect(!matcher.matches("deployment of memes"))
        #expect(!MentionMatcher([""]).matches("anything"), "an empty word matches nothing")
        #expect(!MentionMatcher([]).matches("anything"))
    }

    @Test func textBeyondASCIIIsMatchedByScalars() {
        let bob = MentionMatcher(["bob"])
        #expect(bob.matches("héllo bob 👋"), "non-ASCII text around the word")
        #expect(!bob.matches("ébob"), "a letter of another script is part of the word")
        #expect(bob.matches("→bob←"), "arrows are not letters")
        let zoe = MentionMatcher(["Zoë"])
        #expect(zoe.matches("hi ZOË!"))
        #expect(!zoe.matches("zoëy"))
        #expect(!zoe.matches("zoe"))
        let greek = MentionMatcher(["Σοφία"])
        #expect(greek.matches("καλημέρα σοφία"))
    }
}
