import Testing
@testable import Signaling

/// Server transactions (RFC 3261 §17.2): 100 Trying, retransmission absorption, timers G, H, I, J, L,
/// ACK handling, response addressing.
@Suite struct TransactionServerTests {
    typealias T = TransactionTestSupport
    static let tcpClient = SIPPeer(host: "192.0.2.10", port: 40_001, transport: .tcp)

    static func newInvite(_ layer: inout SIPTransactionLayer, _ invite: SIPMessage = T.request("INVITE"),
                          from source: SIPPeer = T.client) throws -> (SIPTransactionID, [SIPTransactionEvent])
    {
        let events = layer.receive(invite, from: source, local: T.socket, now: .zero)
        return (try #require(events.compactMap(\.serverID).first), events)
    }

    @Test func inviteGetsTryingAndRetransmissionsAreAbsorbed() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE")
        let (id, events) = try Self.newInvite(&layer, invite)
        #expect(events.sentStatuses == [100])
        #expect(events.compactMap(\.deliveredRequest).count == 1)
        // Retransmission: the 100 again, nothing for the TU.
        let again = layer.receive(invite, from: T.client, local: T.socket, now: .ms(500))
        #expect(again.sentStatuses == [100] && again.compactMap(\.deliveredRequest).isEmpty)
        _ = layer.sendResponse(T.response(to: invite, 180), on: id, now: .ms(600))
        #expect(layer.receive(invite, from: T.client, local: T.socket, now: .ms(1000)).sentStatuses == [180])
        #expect(layer.liveTransactionCount == 1)
    }

    @Test func inviteNon2xxTimerGDoublesToT2AndTimerHTimesOut() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE")
        let (id, _) = try Self.newInvite(&layer, invite)
        #expect(layer.sendResponse(T.response(to: invite, 486), on: id, now: .zero).sentStatuses == [486])
        #expect(layer.serverState(id) == .completed)
        var sends: [Int64] = []
        var timeoutAt: Int64?
        while let next = layer.nextDeadline, next.milliseconds <= 40_000 {
            let events = layer.advance(to: next)
            sends += events.sent.map { _ in next.milliseconds }
            if events.timeouts == [.h] { timeoutAt = next.milliseconds }
        }
        #expect(sends == [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
        #expect(timeoutAt == 32_000)
        #expect(layer.serverState(id) == nil)
    }

    @Test func ackForNon2xxIsAbsorbedThenTimerI() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE", branch: "z9hG4bKack")
        let (id, _) = try Self.newInvite(&layer, invite)
        _ = layer.sendResponse(T.response(to: invite, 404), on: id, now: .zero)
        // A retransmitted INVITE gets the final response again.
        #expect(layer.receive(invite, from: T.client, local: T.socket, now: .ms(100)).sentStatuses == [404])
        let ack = T.request("ACK", branch: "z9hG4bKack", toTag: "b1")
        #expect(layer.receive(ack, from: T.client, local: T.socket, now: .ms(200)).isEmpty)  // absorbed
        #expect(layer.serverState(id) == .confirmed)
        #expect(layer.receive(ack, from: T.client, local: T.socket, now: .ms(300)).isEmpty)
        #expect(layer.advance(to: .ms(1000)).sent.isEmpty)  // G stopped
        #expect(!layer.advance(to: .ms(5199)).terminated)
        #expect(layer.advance(to: .ms(5200)).terminated)  // I = T4
    }

    @Test func inviteOverTCPHasNoTimerGAndZeroTimerI() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE", transport: "TCP")
        let (id, _) = try Self.newInvite(&layer, invite, from: Self.tcpClient)
        _ = layer.sendResponse(T.response(to: invite, 486), on: id, now: .zero)
        #expect(layer.advance(to: .ms(10_000)).sent.isEmpty)
        let events = layer.receive(T.request("ACK", transport: "TCP", toTag: "b1"), from: Self.tcpClient, local: T.socket,
                                   now: .ms(10_001))
        #expect(events.terminated)
    }

    @Test func invite2xxAcceptedAbsorbsRetransmissionsAndPassesACK() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE")
        let (id, _) = try Self.newInvite(&layer, invite)
        #expect(layer.sendResponse(T.response(to: invite, 200), on: id, now: .zero).sentStatuses == [200])
        #expect(layer.serverState(id) == .accepted)
        #expect(layer.sendResponse(T.response(to: invite, 200, toTag: "fork2"), on: id, now: .ms(1)).sentStatuses == [200])
        #expect(layer.sendResponse(T.response(to: invite, 486), on: id, now: .ms(2)).isEmpty)
        #expect(layer.receive(invite, from: T.client, local: T.socket, now: .ms(500)).isEmpty)
        // The ACK for a 2xx has its own branch: it matches nothing and goes to the TU as a bare ACK.
        let ack = layer.receive(T.request("ACK", branch: "z9hG4bKnew", toTag: "b1"), from: T.client, local: T.socket,
                                now: .ms(600))
        #expect(ack.contains { if case .ack = $0 { return true } else { return false } })
        #expect(layer.advance(to: .ms(32_000)).terminated)  // L = 64*T1
    }

    @Test func nonInviteAbsorbsRetransmissionsAndTimerJ() throws {
        var layer = SIPTransactionLayer()
        let options = T.request("OPTIONS")
        let events = layer.receive(options, from: T.client, local: T.socket, now: .zero)
        #expect(events.sent.isEmpty)  // no automatic 100 for non-INVITE
        let id = try #require(events.compactMap(\.serverID).first)
        #expect(layer.receive(options, from: T.client, local: T.socket, now: .ms(500)).isEmpty)  // Trying: silent
        _ = layer.sendResponse(T.response(to: options, 200), on: id, now: .ms(600))
        #expect(layer.receive(options, from: T.client, local: T.socket, now: .ms(700)).sentStatuses == [200])
        #expect(layer.advance(to: .ms(600 + 32_000 - 1)).isEmpty)
        #expect(layer.advance(to: .ms(600 + 32_000)).terminated)  // J = 64*T1
    }

    @Test func nonInviteOverTCPTerminatesWhenAnswered() throws {
        var layer = SIPTransactionLayer()
        let options = T.request("OPTIONS", transport: "TCP")
        let id = try #require(layer.receive(options, from: Self.tcpClient, local: T.socket, now: .zero).compactMap(\.serverID).first)
        #expect(layer.sendResponse(T.response(to: options, 200), on: id, now: .zero).terminated)
    }

    @Test func cancelFindsItsInviteByBranch() throws {
        var layer = SIPTransactionLayer()
        let invite = T.request("INVITE", branch: "z9hG4bKcx")
        let (inviteID, _) = try Self.newInvite(&layer, invite)
        let cancel = T.request("CANCEL", branch: "z9hG4bKcx")
        let events = layer.receive(cancel, from: T.client, local: T.socket, now: .ms(10))
        let cancelID = try #require(events.compactMap(\.serverID).first)
        #expect(cancelID != inviteID)
        #expect(layer.inviteTransaction(matchingCancel: cancel) == inviteID)
        #expect(layer.inviteTransaction(matchingCancel: T.request("CANCEL", branch: "z9hG4bKzz")) == nil)
    }

    @Test func responsesFollowRportReceivedOrSentBy() throws {
        let natted = SIPPeer(host: "203.0.113.7", port: 61_000, transport: .udp)
        func via(_ text: String) throws -> SIPVia { try SIPVia(text) }
        #expect(SIPResponseAddressing.destination(topVia: try via("SIP/2.0/UDP 10.0.0.2:5062;rport;branch=z9hG4bKx"),
                                                  source: natted) == natted)
        #expect(SIPResponseAddressing.destination(topVia: try via("SIP/2.0/UDP 10.0.0.2:5062;received=203.0.113.7;branch=z9hG4bKx"),
                                                  source: natted) == SIPPeer(host: "203.0.113.7", port: 5062, transport: .udp))
        #expect(SIPResponseAddressing.destination(topVia: try via("SIP/2.0/UDP host.example.com;branch=z9hG4bKx"),
                                                  source: natted) == SIPPeer(host: "host.example.com", port: 5060, transport: .udp))
        let tcp = SIPPeer(host: "203.0.113.7", port: 61_000, transport: .tcp)
        #expect(SIPResponseAddressing.destination(topVia: try via("SIP/2.0/TCP 10.0.0.2;branch=z9hG4bKx"), source: tcp) == tcp)
    }

    @Test func rfc2543BranchStillAbsorbsRetransmissions() throws {
        // RFC 4475 §3.2.1 badbranch: the branch is only the cookie; matching falls back to the RFC 2543 key.
        let message = try SIPMessage.parse(try RFC4475Fixtures.bytes("badbranch"))
        var layer = SIPTransactionLayer()
        let first = layer.receive(message, from: T.client, local: T.socket, now: .zero)
        #expect(first.compactMap(\.deliveredRequest).count == 1)
        #expect(layer.receive(message, from: T.client, local: T.socket, now: .ms(500)).compactMap(\.deliveredRequest).isEmpty)
    }
}
