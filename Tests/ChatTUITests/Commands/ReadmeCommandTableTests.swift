import ChatCore
import ChattyTestSupport
import Testing

/// The README's command table lists exactly the commands of the one command table.
@Suite struct ReadmeCommandTableTests {
    @Test func readmeListsEveryCommandAndAlias() throws {
        let readme = try Readme.load()
        let section = readme.text.components(separatedBy: "### Commands")[1].components(separatedBy: "### Line mode")[0]
        for command in UserInput.commands {
            for name in [command.name] + command.aliases {
                #expect(section.contains("`/\(name)"), "README's command table lacks /\(name)")
            }
        }
        let documented = section.split(separator: "\n").filter { $0.hasPrefix("| `/") && !$0.hasPrefix("| `//") }.count
        #expect(documented == UserInput.commands.count, "one README row per command")
    }
}
