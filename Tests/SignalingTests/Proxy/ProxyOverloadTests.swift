import Testing
@testable import Signaling

/// The overload gate counts work in progress, not completed transactions sitting out their
/// absorb timers. Regression for the benchmark bug where, after a REGISTER burst at 8,000/s, every
/// INVITE got "503 Service Unavailable": 50,000 answered REGISTERs waited out timer J (32 s) and
/// the gate counted them as load.
@Suite struct ProxyOverloadTests {
    typealias P = ProxyTestSupport
    typealias T = TransactionTestSupport

    /// REGISTERs go to the application (a local registrar), INVITEs to farm A.
    static func registrarAndFarm(_ r: SIPRoutingRequest) -> SIPRoutingDecision {
        r.method == .register ? .local : .forward([P.target(P.farmA)])
    }

    static func register(_ n: Int) -> SIPMessage {
        T.request("REGISTER", uri: "sip:example.com", branch: "z9hG4bKreg\(n)", viaHost: "192.0.2.10:5060",
                  callID: "reg-\(n)", extra: ["Contact: <sip:u\(n)@192.0.2.10:5060>"])
    }

    /// Answers `count` REGISTERs with 200 (what the registrar does), one per millisecond.
    static func answerRegisters(_ proxy: inout SIPProxy, count: Int) {
        for n in 0..<count {
            let now = SIPInstant.ms(Int64(n))
            for case .deliverLocal(_, let server?, _, _) in proxy.receive(register(n), from: T.client, local: P.publicUDP.socket, now: now) {
                _ = proxy.respond(to: server, status: 200, reason: "OK", now: now)
            }
        }
    }

    @Test func answeredRequestsWaitingOutTimerJDoNotCountAsLoad() throws {
        var proxy = P.proxy(Self.registrarAndFarm)
        proxy.configuration.maxPendingTransactions = 10
        Self.answerRegisters(&proxy, count: 100)
        #expect(proxy.transactions.liveTransactionCount == 100)  // all in Completed, timer J running
        #expect(proxy.transactions.pendingTransactionCount == 0)
        let actions = proxy.receive(P.invite(), from: P.caller, local: P.publicUDP.socket, now: .ms(200))
        #expect(actions.statuses == [100])
        #expect(actions.requests(.invite).count == 1)
        #expect(proxy.counters.overloadRejections == 0)
    }

    @Test func requestsInProgressStillTripTheGate() throws {
        var proxy = P.proxy(Self.registrarAndFarm)
        proxy.configuration.maxPendingTransactions = 4
        // Two unanswered INVITEs: server + client transaction each.
        _ = proxy.receive(P.invite(branch: "z9hG4bKa"), from: P.caller, local: P.publicUDP.socket, now: .zero)
        _ = proxy.receive(P.invite(branch: "z9hG4bKb"), from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(proxy.transactions.pendingTransactionCount == 4)
        let third = proxy.receive(P.invite(branch: "z9hG4bKc"), from: P.caller, local: P.publicUDP.socket, now: .ms(1))
        #expect(third.statuses == [503])
        #expect(proxy.counters.overloadRejections == 1)
    }

    @Test func theMemoryCapCountsEveryLiveTransaction() throws {
        var proxy = P.proxy(Self.registrarAndFarm)
        proxy.configuration.maxLiveTransactions = 50
        Self.answerRegisters(&proxy, count: 50)
        let actions = proxy.receive(P.invite(), from: P.caller, local: P.publicUDP.socket, now: .ms(100))
        #expect(actions.statuses == [503])
        // Timer J (64·T1) frees them: the gate opens again.
        _ = proxy.advance(to: .ms(50 + 32_000))
        #expect(proxy.transactions.liveTransactionCount == 0)
        let later = proxy.receive(P.invite(branch: "z9hG4bKlater"), from: P.caller, local: P.publicUDP.socket, now: .ms(32_100))
        #expect(later.requests(.invite).count == 1)
    }

    /// A whole call (INVITE, 180, 200, ACK, BYE, 200) leaves nothing pending at once, and nothing
    /// live (and no proxy context) once the absorb timers ran out: no leak through D/I/J/K/L/M.
    @Test func aCompletedCallLeavesNothingBehind() throws {
        var proxy = P.proxy(Self.registrarAndFarm)
        let invite = P.invite()
        let first = proxy.receive(invite, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(first.requests(.invite).first?.message)
        _ = proxy.receive(P.answer(forwarded, 180), from: P.farmA, local: P.privateUDP.socket, now: .ms(10))
        let ok = proxy.receive(P.answer(forwarded, 200), from: P.farmA, local: P.privateUDP.socket, now: .ms(20))
        #expect(ok.statuses == [200])
        #expect(proxy.transactions.pendingTransactionCount == 0)
        let bye = T.request("BYE", uri: "sip:bob@10.0.0.11:5060", branch: "z9hG4bKbye", viaHost: "192.168.1.10:5060;rport",
                            cseq: 2, toTag: "b1", extra: ["Route: <sip:10.0.0.11:5060;lr>"])
        let byeActions = proxy.receive(bye, from: P.caller, local: P.publicUDP.socket, now: .ms(1000))
        let forwardedBye = try #require(byeActions.requests(.bye).first?.message)
        #expect(proxy.transactions.pendingTransactionCount == 2)
        _ = proxy.receive(P.answer(forwardedBye, 200), from: P.farmA, local: P.privateUDP.socket, now: .ms(1010))
        #expect(proxy.transactions.pendingTransactionCount == 0)
        #expect(proxy.transactions.liveTransactionCount == 4)
        _ = proxy.advance(to: .ms(40_000))
        #expect(proxy.transactions.liveTransactionCount == 0)
        #expect(proxy.activeContextCount == 0)
    }

    @Test func timeoutsAndTransportFailuresReleaseTheirPendingCount() throws {
        var proxy = P.proxy(Self.registrarAndFarm)
        _ = proxy.receive(P.invite(), from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(proxy.transactions.pendingTransactionCount == 2)
        // Nobody answers: timer B ends the branch, the proxy answers 408 (server: Completed).
        let timedOut = proxy.advance(to: .ms(32_000))
        #expect(timedOut.statuses.contains(408))
        #expect(proxy.transactions.pendingTransactionCount == 0)
        let second = proxy.receive(P.invite(branch: "z9hG4bKtf"), from: P.caller, local: P.publicUDP.socket, now: .ms(33_000))
        let client = try #require(proxy.transactions.clients.keys.max())
        #expect(second.requests(.invite).count == 1)
        _ = proxy.transportFailed(client, now: .ms(33_001))
        #expect(proxy.transactions.pendingTransactionCount == 0)
    }
}
