import Testing

@testable import ChatCore

@Suite struct CapabilityTrackerTests {
    @Test func newCapabilitiesWeWantAreRequestedOnce() {
        var tracker = CapabilityTracker(enabled: ["message-tags"], wanted: ["message-tags", "server-time", "echo-message"])
        #expect(tracker.capReceived(subcommand: "NEW", entries: ["server-time", "away-notify", "message-tags"])
            == .request(["server-time"]))
        #expect(tracker.capReceived(subcommand: "new", entries: ["sasl=PLAIN"]) == .none, "not wanted")
    }

    @Test func ackEnablesAndDisablesDelRemoves() {
        var tracker = CapabilityTracker(enabled: ["message-tags", "batch"], wanted: [])
        #expect(tracker.capReceived(subcommand: "ACK", entries: ["server-time", "-batch"]) == .none)
        #expect(tracker.enabled == ["message-tags", "server-time"])
        #expect(tracker.capReceived(subcommand: "DEL", entries: ["message-tags"]) == .none)
        #expect(tracker.enabled == ["server-time"])
        #expect(tracker.capReceived(subcommand: "LS", entries: ["echo-message"]) == .none)
        #expect(tracker.enabled == ["server-time"], "an LS reply changes nothing")
    }
}
