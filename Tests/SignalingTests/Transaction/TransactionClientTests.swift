import Testing
@testable import Signaling

/// Client transactions (RFC 3261 §17.1): timers A, B, C, D, E, F, K, M; reliability; ACK for non-2xx.
@Suite struct TransactionClientTests {
    typealias T = TransactionTestSupport
    static let server = SIPPeer(host: "192.0.2.20", port: 5060, transport: .udp)
    static let serverTCP = SIPPeer(host: "192.0.2.20", port: 5060, transport: .tcp)

    /// Advances millisecond by millisecond-ish (at each candidate instant) and records when the request went out again.
    static func retransmissionTimes(_ layer: inout SIPTransactionLayer, until end: Int64) -> (sends: [Int64], timeoutAt: Int64?) {
        var sends: [Int64] = []
        var timeoutAt: Int64?
        while let next = layer.nextDeadline, next.milliseconds <= end {
            let events = layer.advance(to: next)
            sends += events.sent.map { _ in next.milliseconds }
            if !events.timeouts.isEmpty { timeoutAt = next.milliseconds }
        }
        return (sends, timeoutAt)
    }

    @Test func inviteTimerADoublesUntilTimerBOverUDP() throws {
        var layer = SIPTransactionLayer()
        let (id, events) = try layer.sendRequest(T.request("INVITE", branch: "z9hG4bKa"), to: Self.server, now: .zero)
        #expect(events.sent.count == 1)
        #expect(layer.advance(to: .ms(499)).isEmpty)
        let (sends, timeout) = Self.retransmissionTimes(&layer, until: 40_000)
        #expect(sends == [500, 1500, 3500, 7500, 15500, 31500])  // A: T1, doubling without cap
        #expect(timeout == 32_000)  // B = 64*T1
        #expect(layer.clientState(id) == nil)
    }

    @Test func inviteOverTCPHasNoRetransmissions() throws {
        var layer = SIPTransactionLayer()
        _ = try layer.sendRequest(T.request("INVITE", transport: "TCP"), to: Self.serverTCP, now: .zero)
        let (sends, timeout) = Self.retransmissionTimes(&layer, until: 40_000)
        #expect(sends.isEmpty)
        #expect(timeout == 32_000)
    }

    @Test func nonInviteTimerECapsAtT2ThenTimerF() throws {
        var layer = SIPTransactionLayer()
        _ = try layer.sendRequest(T.request("OPTIONS"), to: Self.server, now: .zero)
        let (sends, timeout) = Self.retransmissionTimes(&layer, until: 40_000)
        #expect(sends == [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
        #expect(timeout == 32_000)
    }

    @Test func nonInviteProceedingRetransmitsEveryT2() throws {
        var layer = SIPTransactionLayer()
        let request = T.request("OPTIONS")
        let (id, _) = try layer.sendRequest(request, to: Self.server, now: .zero)
        _ = layer.advance(to: .ms(500))  // first retransmission; next at 1500
        let events = layer.receive(T.response(to: request, 180), from: Self.server, local: T.socket, now: .ms(600))
        #expect(events.compactMap(\.deliveredResponse).count == 1)
        #expect(layer.clientState(id) == .proceeding)
        let (sends, timeout) = Self.retransmissionTimes(&layer, until: 40_000)
        #expect(sends == [1500, 5500, 9500, 13500, 17500, 21500, 25500, 29500])
        #expect(timeout == 32_000)
    }

    @Test func nonInviteFinalThenTimerK() throws {
        var layer = SIPTransactionLayer()
        let request = T.request("REGISTER")
        let (id, _) = try layer.sendRequest(request, to: Self.server, now: .zero)
        let ok = T.response(to: request, 200)
        #expect(layer.receive(ok, from: Self.server, local: T.socket, now: .ms(100)).compactMap(\.deliveredResponse).count == 1)
        #expect(layer.clientState(id) == .completed)
        // Retransmitted 200 absorbed.
        #expect(layer.receive(ok, from: Self.server, local: T.socket, now: .ms(200)).isEmpty)
        #expect(!layer.advance(to: .ms(5099)).terminated)
        #expect(layer.advance(to: .ms(5100)).terminated)  // K = T4
    }

    @Test func nonInviteFinalOverTCPTerminatesAtOnce() throws {
        var layer = SIPTransactionLayer()
        let request = T.request("REGISTER", transport: "TCP")
        _ = try layer.sendRequest(request, to: Self.serverTCP, now: .zero)
        let events = layer.receive(T.response(to: request, 200), from: Self.serverTCP, local: T.socket, now: .ms(10))
        #expect(events.terminated)
        #expect(layer.liveTransactionCount == 0)
    }

    @Test func inviteNon2xxSendsACKAndAbsorbsRetransmissionsUntilTimerD() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE", branch: "z9hG4bKd", extra: ["Route: <sip:p1.example.com;lr>"])
        let (id, _) = try layer.sendRequest(invite, to: Self.server, now: .zero)
        let busy = T.response(to: invite, 486, "Busy Here")
        let events = layer.receive(busy, from: Self.server, local: T.socket, now: .ms(100))
        let ack = try #require(events.sent.first)
        #expect(ack.method == .ack)
        #expect(try ack.topVia?.branch == "z9hG4bKd")
        #expect(try ack.cseq == SIPCSeq(sequence: 1, method: .ack))
        #expect(try ack.to.tag == "b1")
        #expect(ack.values(.route) == ["<sip:p1.example.com;lr>"])
        #expect(ack.requestURIText == "sip:bob@example.com")
        #expect(events.compactMap(\.deliveredResponse).map(\.statusCode) == [486])
        #expect(layer.clientState(id) == .completed)
        // Retransmitted 486: the ACK again, nothing to the TU.
        let again = layer.receive(busy, from: Self.server, local: T.socket, now: .ms(700))
        #expect(again.sentMethods == [.ack] && again.compactMap(\.deliveredResponse).isEmpty)
        #expect(layer.advance(to: .ms(700)).isEmpty)  // A stopped
        #expect(!layer.advance(to: .ms(32_099)).terminated)
        #expect(layer.advance(to: .ms(32_100)).terminated)  // D = 32 s
    }

    @Test func inviteNon2xxOverTCPHasZeroTimerD() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE", transport: "TCP")
        _ = try layer.sendRequest(invite, to: Self.serverTCP, now: .zero)
        let events = layer.receive(T.response(to: invite, 404), from: Self.serverTCP, local: T.socket, now: .ms(5))
        #expect(events.sentMethods == [.ack] && events.terminated)
    }

    @Test func invite2xxEntersAcceptedPassesForked2xxUntilTimerM() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE")
        let (id, _) = try layer.sendRequest(invite, to: Self.server, now: .zero)
        #expect(layer.receive(T.response(to: invite, 180), from: Self.server, local: T.socket, now: .ms(100))
            .compactMap(\.deliveredResponse).count == 1)
        #expect(layer.advance(to: .ms(10_000)).isEmpty)  // A and B stopped in Proceeding
        _ = layer.receive(T.response(to: invite, 200, toTag: "x"), from: Self.server, local: T.socket, now: .ms(11_000))
        #expect(layer.clientState(id) == .accepted)
        let second = layer.receive(T.response(to: invite, 200, toTag: "y"), from: Self.server, local: T.socket, now: .ms(11_100))
        #expect(second.compactMap(\.deliveredResponse).count == 1)  // another fork's 2xx reaches the TU
        #expect(second.sent.isEmpty)  // no ACK for 2xx from the transaction
        #expect(layer.advance(to: .ms(11_000 + 32_000)).terminated)  // M = 64*T1
    }

    @Test func timerCFiresAndIsResetByProvisionals() throws {
        var layer = SIPTransactionLayer(settings: .init(timers: SIPTimerSettings(timerC: 20_000)))
        let invite = T.request("INVITE")
        let (id, _) = try layer.sendRequest(invite, to: Self.server, timerC: true, now: .zero)
        _ = layer.receive(T.response(to: invite, 180), from: Self.server, local: T.socket, now: .ms(5_000))
        #expect(layer.hasReceivedProvisional(id))
        #expect(!layer.advance(to: .ms(24_999)).contains { if case .timerC = $0 { return true } else { return false } })
        let fired = layer.advance(to: .ms(25_000))
        #expect(fired.contains { if case .timerC(let x) = $0 { return x == id } else { return false } })
        #expect(layer.clientState(id) == .proceeding)
    }

    @Test func responsesMatchByBranchAndMethod() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE", branch: "z9hG4bKm")
        let (inviteID, _) = try layer.sendRequest(invite, to: Self.server, now: .zero)
        let cancel = try invite.cancelRequest()
        let (cancelID, _) = try layer.sendRequest(cancel, to: Self.server, now: .ms(1))
        let okCancel = layer.receive(T.response(to: cancel, 200), from: Self.server, local: T.socket, now: .ms(2))
        #expect(okCancel.contains { if case .response(_, let c) = $0 { return c == cancelID } else { return false } })
        #expect(layer.clientState(inviteID) == .calling)
        let stray = layer.receive(T.response(to: T.request("INVITE", branch: "z9hG4bKother"), 200), from: Self.server,
                                  local: T.socket, now: .ms(3))
        #expect(stray.contains { if case .strayResponse = $0 { return true } else { return false } })
        #expect(throws: SIPTransactionLayer.SendError.duplicateBranch) {
            try layer.sendRequest(invite, to: Self.server, now: .ms(4))
        }
        #expect(throws: SIPTransactionLayer.SendError.ackHasNoTransaction) {
            try layer.sendRequest(T.request("ACK"), to: Self.server, now: .ms(4))
        }
    }

    @Test func transportErrorEndsTheTransaction() throws {
        var layer = SIPTransactionLayer()
        let (id, _) = try layer.sendRequest(T.request("OPTIONS"), to: Self.server, now: .zero)
        let events = layer.transportFailed(id)
        #expect(events.contains { if case .transportError(let x) = $0 { return x == id } else { return false } })
        #expect(events.terminated && layer.liveTransactionCount == 0)
    }
}
