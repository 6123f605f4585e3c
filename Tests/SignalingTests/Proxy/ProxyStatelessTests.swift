import Testing
@testable import Signaling

/// Requests the application answers without a server transaction (a local registrar's REGISTERs).
@Suite struct ProxyStatelessTests {
    typealias P = ProxyTestSupport
    typealias T = TransactionTestSupport

    static func proxy() -> SIPProxy {
        var router = ProxyTestRouter(decide: { _ in .forward([P.target(P.farmA)]) })
        router.stateless = { $0.method == .register }
        return SIPProxy(configuration: P.configuration(), router: router)
    }

    static func register(maxForwards: Int = 70) -> SIPMessage {
        T.request("REGISTER", uri: "sip:example.com", branch: "z9hG4bKsl1", viaHost: "192.168.1.10:5060;rport",
                  maxForwards: maxForwards, extra: ["Contact: <sip:alice@192.168.1.10:5060>"])
    }

    @Test func registerIsDeliveredWithoutATransactionAndAnsweredToTheSource() throws {
        var proxy = Self.proxy()
        let actions = proxy.receive(Self.register(), from: P.caller, local: P.publicUDP.socket, now: .zero)
        guard case .deliverLocal(let delivered, let server, let source, let local)? = actions.first else {
            Issue.record("expected a local delivery, got \(actions)")
            return
        }
        #expect(server == nil && source == P.caller && local == P.publicUDP.socket)
        #expect(proxy.transactions.liveTransactionCount == 0)
        #expect(try delivered.maxForwards == 70)  // not forwarded: left alone
        #expect(try delivered.topVia?.received == "203.0.113.5")  // rport / received filled
        let ok = T.response(to: delivered, 200, "OK")
        let sent = proxy.sendStatelessResponse(ok, to: delivered, source: source, local: local).sent
        #expect(sent.count == 1 && sent[0].peer == P.caller && sent[0].local == P.publicUDP.socket)
        #expect(proxy.counters.finalResponses(.register, statusClass: 2) == 1)
        #expect(proxy.counters.statelessDeliveries == 1)
        // Nothing is left to time out.
        #expect(proxy.nextDeadline == nil)
    }

    @Test func validationFailuresAreAnsweredStatelessly() throws {
        var proxy = Self.proxy()
        let actions = proxy.receive(Self.register(maxForwards: 0), from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.statuses == [483])
        #expect(proxy.transactions.liveTransactionCount == 0)
        #expect(proxy.counters.finalResponses(.register, statusClass: 4) == 1)
    }

    @Test func otherRequestsKeepTheirTransactions() throws {
        var proxy = Self.proxy()
        let actions = proxy.receive(P.invite(), from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.statuses == [100])
        #expect(proxy.transactions.liveTransactionCount == 2)
    }
}
