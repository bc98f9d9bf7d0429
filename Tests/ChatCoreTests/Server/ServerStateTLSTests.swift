import Testing
@testable import ChatCore

/// TLS as the protocol core sees it: the `sts` policy in `CAP LS`, and WHOIS `671`.
@Suite struct ServerStateTLSTests {
    func harness(sts: STSPolicy?) -> ServerHarness {
        var configuration = ServerConfiguration(motd: ["hello"])
        configuration.strictTransportSecurity = sts
        return ServerHarness(configuration: configuration)
    }

    @Test func plaintextClientsAreToldTheTLSPortAndTLSClientsTheDuration() throws {
        var server = harness(sts: STSPolicy(port: 0, duration: 86_400))
        server.state.tlsListenerBound(port: 6697)
        let plain = server.connect()
        server.send(plain, "CAP LS 302")
        let plainList = try #require(server.take(plain).first)
        #expect(plainList.contains(" sts=port=6697 "), "\(plainList)")
        let secure = server.state.clientConnected(host: "127.0.0.1", secure: true, now: server.now)
        server.send(secure, "CAP LS 302")
        let secureList = try #require(server.take(secure).first)
        #expect(secureList.contains(" sts=duration=86400 "), "\(secureList)")
        // Before CAP 302 no values: only the name.
        let old = server.connect()
        server.send(old, "CAP LS")
        let oldList = try #require(server.take(old).first)
        #expect(oldList.contains(" sts ") && !oldList.contains("sts="), "\(oldList)")
    }

    @Test func stsCannotBeRequestedAndIsNotOfferedWithoutAPolicy() throws {
        var server = harness(sts: STSPolicy(port: 6697, duration: 60))
        let client = server.connect()
        server.send(client, "CAP REQ :sts")
        #expect(server.take(client) == [":chatty.local CAP * NAK :sts"])
        var without = harness(sts: nil)
        let other = without.connect()
        without.send(other, "CAP LS 302")
        #expect(try #require(without.take(other).first).contains("sts") == false)
    }

    @Test func whoisShowsWhoIsOnTLS() {
        var server = harness(sts: nil)
        let secure = server.state.clientConnected(host: "127.0.0.1", secure: true, now: server.now)
        server.send(secure, "NICK sam")
        server.send(secure, "USER sam 0 * :Sam")
        _ = server.take(secure)
        let plain = server.register("pia")
        server.send(plain, "WHOIS sam")
        #expect(server.take(plain).contains(":chatty.local 671 pia sam :is using a secure connection"))
        server.send(plain, "WHOIS pia")
        #expect(!server.take(plain).contains { $0.contains(" 671 ") })
    }
}
