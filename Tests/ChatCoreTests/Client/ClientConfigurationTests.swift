import Testing
@testable import ChatCore

@Suite struct ClientConfigurationTests: ClientTestCase {
    @Test func defaults() {
        let configuration = ClientConfiguration(nick: "alice")
        #expect(configuration.userName == "alice")
        #expect(configuration.realName == "alice")
        #expect(configuration.password == nil)
        #expect(configuration.channels == ["#chatty"])
        #expect(configuration.requestedCapabilities == ["message-tags", "server-time", "echo-message", "multi-prefix", "batch", "labeled-response",
                                                        "draft/chathistory", "soju.im/search", "draft/read-marker", "away-notify",
                                                        "draft/message-redaction", "draft/multiline", "setname", "chghost",
                                                        "invite-notify", "extended-monitor", "cap-notify"])
        #expect(configuration.reconnectBase == .seconds(1))
        #expect(configuration.reconnectMax == .seconds(60))
        #expect(configuration.reconnectJitter == 0.2)
        #expect(configuration.requestedCapabilities.allSatisfy(ClientConfiguration.supportedCapabilities.contains))
    }
}
