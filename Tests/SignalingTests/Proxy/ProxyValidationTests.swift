import Testing
@testable import Signaling

/// §16.3 request validation, stateless 400 / 503, rport and received.
@Suite struct ProxyValidationTests {
    typealias P = ProxyTestSupport

    static func forwardToA(_ r: SIPRoutingRequest) -> SIPRoutingDecision { .forward([P.target(P.farmA)]) }

    @Test func maxForwardsZeroGets483() {
        var proxy = P.proxy(Self.forwardToA)
        let actions = proxy.receive(P.invite(maxForwards: 0).bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.statuses == [100, 483])
        #expect(actions.requests(.invite).isEmpty)
        #expect(proxy.counters.finalResponses(.invite, statusClass: 4) == 1)
    }

    @Test func optionsWithMaxForwardsZeroToUsIsAnswered() {
        var proxy = P.proxy(Self.forwardToA)
        let options = TransactionTestSupport.request("OPTIONS", uri: "sip:198.51.100.1", maxForwards: 0)
        let actions = proxy.receive(options.bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.statuses == [200])
        #expect(actions.sent.first?.message.values(.allow).contains("INVITE") == true)
    }

    @Test func maxForwardsIsDecrementedOrAdded() throws {
        var proxy = P.proxy(Self.forwardToA)
        let a = proxy.receive(P.invite(maxForwards: 10).bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(try a.requests(.invite).first?.message.maxForwards == 9)
        let b = proxy.receive(P.invite(branch: "z9hG4bKnomf", maxForwards: nil).bytes, from: P.caller,
                              local: P.publicUDP.socket, now: .zero)
        #expect(try b.requests(.invite).first?.message.maxForwards == 70)
    }

    @Test func loopIsDetected() throws {
        // The farm sends the request straight back to us with the same Request-URI: a loop.
        var proxy = P.proxy { _ in .forward([SIPTarget(uri: try! SIPURI("sip:bob@example.com"), nextHop: P.farmA)]) }
        let first = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(first.requests(.invite).first?.message)
        let looped = proxy.receive(forwarded.bytes, from: P.farmA, local: P.privateUDP.socket, now: .ms(10))
        #expect(looped.statuses == [100, 482])
    }

    @Test func spiralIsNotALoop() throws {
        // Retargeted to another URI and back through us: the Request-URI changed, so it is a spiral.
        var proxy = P.proxy { r in
            r.message.requestURIText == "sip:bob@example.com"
                ? .forward([SIPTarget(uri: try! SIPURI("sip:bob@example.com;spiral"), nextHop: P.farmA)])
                : .forward([P.target(P.farmB)])
        }
        let first = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(first.requests(.invite).first?.message)
        let spiral = proxy.receive(forwarded.bytes, from: P.farmA, local: P.privateUDP.socket, now: .ms(10))
        #expect(spiral.requests(.invite).count == 1)
        #expect(!spiral.statuses.contains(482))
    }

    @Test func proxyRequireGets420WithUnsupported() throws {
        var proxy = P.proxy(Self.forwardToA)
        let actions = proxy.receive(P.invite(extra: ["Proxy-Require: foo, bar"]).bytes, from: P.caller,
                                    local: P.publicUDP.socket, now: .zero)
        #expect(actions.statuses == [100, 420])
        #expect(actions.sent.last?.message.values(.unsupported) == ["foo", "bar"])
    }

    @Test func unknownSchemeGets416() throws {
        var proxy = P.proxy(Self.forwardToA)
        let actions = proxy.receive(try RFC4475Fixtures.bytes("unkscm"), from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.statuses.last == 416)
    }

    /// The second line are requests only `SIPRawErrorResponse` can answer (their start line, Via, From or CSeq do
    /// not parse): RFC 4475 asks for a 400 for each.
    @Test(arguments: ["clerr", "ncl", "mcl01", "mismatch01", "mismatch02", "escruri", "regbadct",
                      "badinv01", "scalar02", "quotbal", "ltgtruri", "lwsruri", "lwsstart", "trws", "badaspec", "baddn", "multi01"])
    func brokenRequestsGetStateless400(_ name: String) throws {
        var proxy = P.proxy(Self.forwardToA)
        let actions = proxy.receive(try RFC4475Fixtures.bytes(name), from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.statuses == [400])
        #expect(proxy.counters.badRequestReplies == 1 && proxy.counters.parseErrors == 1)
        #expect(proxy.transactions.liveTransactionCount == 0)
    }

    @Test(arguments: ["insuf", "bigcode"])
    func hopelessMessagesAreDroppedAndCounted(_ name: String) throws {
        var proxy = P.proxy(Self.forwardToA)
        let actions = proxy.receive(try RFC4475Fixtures.bytes(name), from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.isEmpty)
        #expect(proxy.counters.drops(.unanswerable) + proxy.counters.drops(.unparseable) == 1)
    }

    /// RFC 4475 `ncl` names Via 192.0.2.53 (no rport): the 400 goes to the packet's source address at the Via's port
    /// (the implicit `received` of §18.2.1), not to the host the message claims (the wire test found it aimed there).
    @Test func badVersionGets505() throws {
        var proxy = P.proxy(Self.forwardToA)
        let actions = proxy.receive(try RFC4475Fixtures.bytes("badvers"), from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.statuses == [505])
    }

    @Test func statelessBadRequestGoesToTheSourceAddress() throws {
        var proxy = P.proxy(Self.forwardToA)
        let actions = proxy.receive(try RFC4475Fixtures.bytes("ncl"), from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.statuses == [400])
        #expect(actions.sent.first?.peer == SIPPeer(host: P.caller.host, port: 5060, transport: .udp))
    }

    @Test func overloadGetsStateless503WithRetryAfter() throws {
        var proxy = P.proxy(maxLive: 2, Self.forwardToA)
        let first = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(first.requests(.invite).count == 1)  // one server + one client transaction: at the limit
        let second = proxy.receive(P.invite(branch: "z9hG4bKuac2").bytes, from: P.caller, local: P.publicUDP.socket, now: .ms(1))
        #expect(second.statuses == [503])
        #expect(second.sent.first?.message.values(.retryAfter) == ["5"])
        #expect(proxy.counters.overloadRejections == 1)
        // A retransmission of the first INVITE is still absorbed by its transaction, not rejected.
        let retransmission = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .ms(2))
        #expect(retransmission.statuses == [100])
    }

    @Test func rportAndReceivedAreFilled() throws {
        var proxy = P.proxy(Self.forwardToA)
        let actions = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let trying = try #require(actions.sent.first)
        #expect(trying.message.statusCode == 100 && trying.peer == P.caller)  // symmetric response
        let forwarded = try #require(actions.requests(.invite).first?.message)
        let vias = try forwarded.via
        #expect(vias.count == 2)
        #expect(vias[1].received == "203.0.113.5" && vias[1].rport == .value(40_000))
        #expect(try trying.message.topVia?.rport == .value(40_000))
    }

    @Test func receivedWithoutRportWhenHostDiffers() throws {
        var proxy = P.proxy(Self.forwardToA)
        let actions = proxy.receive(P.invite(viaHost: "192.168.1.10:5062").bytes, from: P.caller,
                                    local: P.publicUDP.socket, now: .zero)
        let vias = try #require(try actions.requests(.invite).first?.message.via)
        #expect(vias[1].received == "203.0.113.5" && vias[1].rport == .absent)
        // Without rport the 100 goes to received:sent-by-port (RFC 3261 §18.2.2).
        #expect(actions.sent.first?.peer == SIPPeer(host: "203.0.113.5", port: 5062, transport: .udp))
        var same = P.proxy(Self.forwardToA)
        let direct = same.receive(P.invite(viaHost: "203.0.113.5:40000").bytes, from: P.caller,
                                  local: P.publicUDP.socket, now: .zero)
        #expect(try direct.requests(.invite).first?.message.via[1].received == nil)
    }
}
