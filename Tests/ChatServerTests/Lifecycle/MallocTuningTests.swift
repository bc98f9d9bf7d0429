import Testing

@testable import ChatServer

@Suite struct MallocTuningTests {
    /// On glibc (every machine this runs on) the settings are found and accepted.
    @Test func glibcAcceptsTheSettings() {
        #expect(MallocTuning.applyForServer())
    }
}
