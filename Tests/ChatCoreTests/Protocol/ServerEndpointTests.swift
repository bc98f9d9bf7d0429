import Testing
@testable import ChatCore

@Suite struct ServerEndpointTests {
    @Test func schemesChooseTLSAndTheDefaultPort() {
        #expect(ServerEndpoint.parse("ircs://irc.example.org") == ServerEndpoint(host: "irc.example.org", port: 6697, tls: true))
        #expect(ServerEndpoint.parse("ircs://irc.example.org:7000/") == ServerEndpoint(host: "irc.example.org", port: 7000, tls: true))
        #expect(ServerEndpoint.parse("IRCS://h:1") == ServerEndpoint(host: "h", port: 1, tls: true))
        #expect(ServerEndpoint.parse("irc://irc.example.org") == ServerEndpoint(host: "irc.example.org", port: 6667))
        #expect(ServerEndpoint.parse("127.0.0.1:6668") == ServerEndpoint(host: "127.0.0.1", port: 6668))
        #expect(ServerEndpoint.parse("localhost") == ServerEndpoint(host: "localhost", port: 6667))
        #expect(ServerEndpoint.parse("ircs://[::1]:6697") == ServerEndpoint(host: "::1", port: 6697, tls: true))
    }

    @Test func notAServer() {
        for text in ["", "ircs://", "http://example.org", "irc://host:port", "host:70000", "ircs://host/path", "host:0"] {
            #expect(ServerEndpoint.parse(text) == nil, "\(text)")
        }
    }

    @Test func addressIsTheKeyForPinsAndDescriptionShowsTLS() {
        #expect(ServerEndpoint(host: "::1", port: 6697, tls: true).address == "[::1]:6697")
        #expect(ServerEndpoint(host: "::1", port: 6697, tls: true).description == "ircs://[::1]:6697")
        #expect(ServerEndpoint(host: "h", port: 6667).description == "h:6667")
    }
}
