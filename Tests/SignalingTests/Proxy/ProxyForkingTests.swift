import Testing
@testable import Signaling

/// Forking (§16.6), best-response choice and challenge aggregation (§16.7), serial failover,
/// CANCEL (§16.10), ACK for non-2xx hop by hop.
@Suite struct ProxyForkingTests {
    typealias P = ProxyTestSupport

    /// Sends the standard INVITE and returns the branches sent downstream, by peer.
    static func start(_ proxy: inout SIPProxy, now: SIPInstant = .zero) throws -> [SIPPeer: SIPMessage] {
        let actions = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: now)
        var branches: [SIPPeer: SIPMessage] = [:]
        for sent in actions.requests(.invite) { branches[sent.peer] = sent.message }
        return branches
    }

    static func reply(_ proxy: inout SIPProxy, _ branches: [SIPPeer: SIPMessage], _ peer: SIPPeer, _ status: Int,
                      extra: [SIPHeaderLine] = [], at ms: Int64 = 10) throws -> [SIPProxyAction]
    {
        let branch = try #require(branches[peer])
        return proxy.receive(P.answer(branch, status, toTag: "t\(peer.host)", extra: extra), from: peer,
                             local: P.privateUDP.socket, now: .ms(ms))
    }

    static func parallelABC(_ r: SIPRoutingRequest) -> SIPRoutingDecision {
        .forward([P.target(P.farmA), P.target(P.farmB), P.target(P.farmC)], .parallel)
    }

    @Test func parallelBranchesHaveDistinctBranches() throws {
        var proxy = P.proxy(Self.parallelABC)
        let branches = try Self.start(&proxy)
        #expect(branches.count == 3)
        let ids = Set(try branches.values.map { try #require(try $0.topVia?.branch) })
        #expect(ids.count == 3)
    }

    @Test func lowestClassWinsAnd503IsNotTheAnswer() throws {
        var proxy = P.proxy(Self.parallelABC)
        let b = try Self.start(&proxy)
        #expect(try Self.reply(&proxy, b, P.farmC, 503).statuses.isEmpty)
        #expect(try Self.reply(&proxy, b, P.farmA, 486).statuses.isEmpty)
        let last = try Self.reply(&proxy, b, P.farmB, 404)
        #expect(last.statuses == [486])  // 4xx beats 5xx; first 4xx received
        #expect(last.sentTo(P.caller).count == 1)
    }

    @Test func only503sBecome500() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA), P.target(P.farmB)], .parallel) }
        let b = try Self.start(&proxy)
        _ = try Self.reply(&proxy, b, P.farmA, 503)
        let last = try Self.reply(&proxy, b, P.farmB, 503)
        #expect(last.statuses == [500])
    }

    @Test func sixHundredCancelsTheOtherBranches() throws {
        var proxy = P.proxy(Self.parallelABC)
        let b = try Self.start(&proxy)
        _ = try Self.reply(&proxy, b, P.farmA, 180)
        _ = try Self.reply(&proxy, b, P.farmB, 180)
        let decline = try Self.reply(&proxy, b, P.farmC, 603)
        #expect(Set(decline.requests(.cancel).map(\.peer)) == [P.farmA, P.farmB])
        #expect(decline.statuses.isEmpty)  // waits for the cancelled branches
        _ = try Self.reply(&proxy, b, P.farmA, 487)
        let done = try Self.reply(&proxy, b, P.farmB, 487)
        #expect(done.statuses.contains(603))
    }

    @Test func a2xxIsForwardedAtOnceAndCancelsTheRest() throws {
        var proxy = P.proxy(Self.parallelABC)
        let b = try Self.start(&proxy)
        _ = try Self.reply(&proxy, b, P.farmA, 183)
        let ok = try Self.reply(&proxy, b, P.farmB, 200)
        #expect(ok.statuses == [200])
        #expect(ok.requests(.cancel).map(\.peer) == [P.farmA])
        // Branch C had no provisional: its CANCEL waits for one (§9.1).
        let late = try Self.reply(&proxy, b, P.farmC, 180)
        #expect(late.requests(.cancel).map(\.peer) == [P.farmC] && late.statuses.isEmpty)
        // Another fork's 2xx still goes upstream.
        #expect(try Self.reply(&proxy, b, P.farmC, 200).statuses == [200])
    }

    @Test func challengesAreAggregated() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA), P.target(P.farmB)], .parallel) }
        let b = try Self.start(&proxy)
        _ = try Self.reply(&proxy, b, P.farmA, 401, extra: [SIPHeaderLine("WWW-Authenticate", "Digest realm=\"a\", nonce=\"1\"")])
        let last = try Self.reply(&proxy, b, P.farmB, 407,
                                  extra: [SIPHeaderLine("Proxy-Authenticate", "Digest realm=\"b\", nonce=\"2\"")])
        let final = try #require(last.sent.first { $0.peer == P.caller }?.message)
        #expect(final.statusCode == 401)
        #expect(final.values(.wwwAuthenticate) == ["Digest realm=\"a\", nonce=\"1\""])
        #expect(final.values(.proxyAuthenticate) == ["Digest realm=\"b\", nonce=\"2\""])
    }

    @Test func serialFailoverOn503() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA), P.target(P.farmB)], .sequential) }
        let b = try Self.start(&proxy)
        #expect(b.keys.sorted { $0.host < $1.host } == [P.farmA])
        let next = try Self.reply(&proxy, b, P.farmA, 503)
        let toB = try #require(next.requests(.invite).first)
        #expect(toB.peer == P.farmB && next.statuses.isEmpty)
        let ok = proxy.receive(P.answer(toB.message, 200), from: P.farmB, local: P.privateUDP.socket, now: .ms(20))
        #expect(ok.statuses == [200])
    }

    @Test func serialFailoverOnTimeout() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA, q: 1.0), P.target(P.farmB, q: 0.5)]) }
        let b = try Self.start(&proxy)
        #expect(Array(b.keys) == [P.farmA])
        let fired = proxy.advance(to: .ms(32_000))  // timer B of branch A
        // A's six retransmissions (timer A), then B once A's timer B fired.
        #expect(fired.requests(.invite).map(\.peer) == Array(repeating: P.farmA, count: 6) + [P.farmB])
        #expect(proxy.counters.clientTimeouts[.invite] == 1)
        let end = proxy.advance(to: .ms(64_000))
        #expect(end.statuses == [408])  // both timed out: 408 upstream
    }

    @Test func noFailoverOnBusy() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA), P.target(P.farmB)], .sequential) }
        let b = try Self.start(&proxy)
        let busy = try Self.reply(&proxy, b, P.farmA, 486)
        #expect(busy.requests(.invite).isEmpty && busy.statuses == [486])
    }

    @Test func qGroupsRunInParallelWithinAndSeriallyAcross() throws {
        var proxy = P.proxy { _ in
            .forward([P.target(P.farmC, q: 0.1), P.target(P.farmA, q: 0.9), P.target(P.farmB, q: 0.9)])
        }
        let b = try Self.start(&proxy)
        #expect(Set(b.keys) == [P.farmA, P.farmB])
        _ = try Self.reply(&proxy, b, P.farmA, 500)
        let next = try Self.reply(&proxy, b, P.farmB, 408)
        #expect(next.requests(.invite).map(\.peer) == [P.farmC])
    }

    @Test func cancelGets200ThenBranchesCancelledAnd487() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA)]) }
        let b = try Self.start(&proxy)
        _ = try Self.reply(&proxy, b, P.farmA, 180)
        let cancel = TransactionTestSupport.request("CANCEL", branch: "z9hG4bKuac1", viaHost: "192.168.1.10:5060;rport")
        let actions = proxy.receive(cancel.bytes, from: P.caller, local: P.publicUDP.socket, now: .ms(100))
        let ok = try #require(actions.sent.first { $0.message.statusCode == 200 })
        #expect(try ok.message.cseq.method == .cancel && ok.peer == P.caller)
        let down = try #require(actions.requests(.cancel).first)
        #expect(down.peer == P.farmA)
        #expect(try down.message.topVia?.branch == b[P.farmA]?.topVia?.branch)
        // The UAS answers the CANCEL (absorbed) and the INVITE with 487: our ACK goes down, 487 up.
        #expect(proxy.receive(P.answer(down.message, 200), from: P.farmA, local: P.privateUDP.socket, now: .ms(110)).isEmpty)
        let terminated = try Self.reply(&proxy, b, P.farmA, 487, at: 120)
        #expect(terminated.requests(.ack).map(\.peer) == [P.farmA])
        let up = try #require(terminated.sent.first { $0.peer == P.caller }?.message)
        #expect(try up.statusCode == 487 && up.cseq.method == .invite)
        // The caller's ACK for the 487 is absorbed by the INVITE server transaction.
        let ack = TransactionTestSupport.request("ACK", branch: "z9hG4bKuac1", viaHost: "192.168.1.10:5060;rport", toTag: "x")
        #expect(proxy.receive(ack.bytes, from: P.caller, local: P.publicUDP.socket, now: .ms(130)).isEmpty)
        #expect(proxy.counters.forwardedACKs == 0)
    }

    @Test func cancelBeforeAnyProvisionalWaitsThen487() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA)]) }
        let b = try Self.start(&proxy)
        let cancel = TransactionTestSupport.request("CANCEL", branch: "z9hG4bKuac1", viaHost: "192.168.1.10:5060;rport")
        let actions = proxy.receive(cancel.bytes, from: P.caller, local: P.publicUDP.socket, now: .ms(50))
        #expect(actions.statuses == [200] && actions.requests(.cancel).isEmpty)
        let ringing = try Self.reply(&proxy, b, P.farmA, 180, at: 60)
        #expect(ringing.requests(.cancel).count == 1 && ringing.statuses.isEmpty)
        let end = try Self.reply(&proxy, b, P.farmA, 487, at: 70)
        #expect(end.statuses.contains(487))
    }

    @Test func cancelForUnknownInviteGets481() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA)]) }
        let cancel = TransactionTestSupport.request("CANCEL", branch: "z9hG4bKnothing")
        #expect(proxy.receive(cancel.bytes, from: P.caller, local: P.publicUDP.socket, now: .zero).statuses == [481])
    }

    @Test func timerCCancelsARingingBranch() throws {
        var config = P.configuration()
        config.transactions.timers = SIPTimerSettings(timerC: 60_000)
        var proxy = SIPProxy(configuration: config, router: ProxyTestRouter { _ in .forward([P.target(P.farmA)]) })
        let b = try Self.start(&proxy)
        _ = try Self.reply(&proxy, b, P.farmA, 180)
        let fired = proxy.advance(to: .ms(60_010))
        #expect(fired.requests(.cancel).map(\.peer) == [P.farmA])
    }
}
