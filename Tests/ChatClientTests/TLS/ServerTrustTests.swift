import ChatCore
import Testing
@testable import ChatClient

@Suite struct ServerTrustTests {
    let one = CertificateFingerprint(sha256Digest: Array(repeating: 1, count: 32))!
    let two = CertificateFingerprint(sha256Digest: Array(repeating: 2, count: 32))!

    func decide(pinned: CertificateFingerprint?, chain: ServerTrust.ChainCheck,
                validity: ServerTrust.Validity = .current) -> ServerTrust.Decision {
        ServerTrust.decide(host: "h:6697", presented: one, pinned: pinned, chain: chain, validity: validity)
    }

    @Test func anAuthoritysCertificateForTheHostIsAccepted() {
        #expect(decide(pinned: nil, chain: .trusted) == .accept)
        #expect(decide(pinned: two, chain: .trusted) == .accept, "an authority's certificate needs no pin")
    }

    @Test func expiredOrNotYetValidIsRefusedEvenWhenPinned() {
        guard case .refuse(let text) = decide(pinned: one, chain: .unknownIssuer, validity: .expired(since: "2020-01-01")) else {
            Issue.record("not refused")
            return
        }
        #expect(text.contains("expired"))
        guard case .refuse(let early) = decide(pinned: nil, chain: .trusted, validity: .notYetValid(until: "2099-01-01")) else {
            Issue.record("not refused")
            return
        }
        #expect(early.contains("clock"))
    }

    @Test func anotherNameIsRefused() {
        guard case .refuse(let text) = decide(pinned: nil, chain: .otherName) else {
            Issue.record("not refused")
            return
        }
        #expect(text.contains("another name"))
    }

    @Test func aSelfSignedCertificateIsAskedAboutThenTheMatchingPinAcceptsIt() {
        guard case .ask(let reason) = decide(pinned: nil, chain: .unknownIssuer) else {
            Issue.record("not asked")
            return
        }
        #expect(reason.contains("self-signed"))
        #expect(decide(pinned: one, chain: .unknownIssuer) == .accept)
        #expect(decide(pinned: one, chain: .otherName) == .accept, "a pin identifies the server, whatever names it holds")
    }

    @Test func aChangedCertificateIsRefusedLoudly() {
        guard case .refuse(let text) = decide(pinned: two, chain: .unknownIssuer) else {
            Issue.record("not refused")
            return
        }
        #expect(text.contains("CHANGED") && text.contains(two.description) && text.contains(one.description))
    }
}
