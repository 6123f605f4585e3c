import Testing
@testable import Signaling

/// With presence on, the edge's router is wrapped (`EdgePresenceRouter`); the wrapper must keep
/// the inner router's stateless REGISTERs (it once fell back to the protocol's default, false,
/// and every REGISTER got a 32 s server transaction again).
@Suite struct EdgePresenceRouterStatelessTests {
    static let phone = SIPPeer(host: "203.0.113.7", port: 40_123, transport: .udp)

    static func request(_ method: String, to: String = "<sip:alice@example.com>") throws -> SIPMessage {
        try SIPMessage.parse(
            "\(method) sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.20;branch=z9hG4bK1\r\n"
                + "To: \(to)\r\nFrom: <sip:alice@example.com>;tag=1\r\nCall-ID: r-1\r\nCSeq: 1 \(method)\r\n"
                + "Event: presence\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func wrapperForwardsStatelessREGISTERs() throws {
        var inner = EdgeRouter(isFarm: { _ in false }, dispatch: { _, _, _ in .respond(status: 500, reason: "x") },
                               lookup: { _ in .notFound }, bindingsByContact: { _ in [] })
        inner.registersLocally = { $0 == "example.com" }
        let wrapped = EdgePresenceRouter(inner: inner, isFarm: { _ in false })
        #expect(wrapped.answersStatelessly(try Self.request("REGISTER"), source: Self.phone))
        #expect(!wrapped.answersStatelessly(try Self.request("REGISTER", to: "<sip:bob@other.example>"), source: Self.phone))
        #expect(!wrapped.answersStatelessly(try Self.request("SUBSCRIBE"), source: Self.phone))
        #expect(!wrapped.answersStatelessly(try Self.request("PUBLISH"), source: Self.phone))
    }
}
