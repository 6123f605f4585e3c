import Testing
@testable import Signaling

/// The keepalive wheel: even spread, same socket, fresh ids, any response alive, removal after
/// losses, RTT, CRLF for streams, and bounded work at 100k bindings.
@Suite struct KeepaliveSchedulerTests {
    typealias F = RegistrarFixture

    static func natBinding(_ i: Int, transport: RegistrarTransport = .udp) -> RegistrarBinding {
        F.binding("u\(i)", "sip:u\(i)@192.168.\(i / 250 % 250).\(i % 250):5060",
                  source: RegistrarPeer(host: "203.0.\(i / 60000).\(i % 250)", port: 1024 + i % 60000, transport: transport))
    }

    func scheduler(_ count: Int, transport: RegistrarTransport = .udp) -> KeepaliveScheduler {
        var config = KeepaliveConfiguration()
        config.viaSentBy = { "198.51.100.1:\(5060 + Int($0.rawValue))" }
        var s = KeepaliveScheduler(configuration: config, start: F.t0, callIDPrefix: "kt")
        s.apply((0..<count).map { .saved(Self.natBinding($0, transport: transport), created: true) })
        return s
    }

    func pings(_ actions: [KeepaliveAction]) -> [(SIPMessage, RegistrarPeer, LocalSocketRef, UInt64)] {
        actions.compactMap {
            guard case .sendPing(let bytes, let p, let s, let id) = $0, let m = try? SIPMessage.parse(bytes) else { return nil }
            return (m, p, s, id)
        }
    }

    @Test func pingsSpreadEvenlyOverTheInterval() {
        var s = scheduler(1000)
        #expect(s.slotCount == 200)
        let bound = (1000 + s.slotCount - 1) / s.slotCount
        var perBinding: [RegistrarPeer: Int] = [:]
        var now = F.t0
        for _ in 0..<s.slotCount {
            let sent = pings(s.tick(now: now))
            #expect(sent.count <= bound)
            for p in sent { perBinding[p.1, default: 0] += 1 }
            now = now.adding(milliseconds: 100)
        }
        #expect(perBinding.count == 1000 && perBinding.values.allSatisfy { $0 == 1 })
        #expect(s.counters.pingsSent == 1000)
        // Removing and adding keeps the slots balanced.
        for i in 0..<300 { s.untrack(Self.natBinding(i).key) }
        s.apply((5000..<5300).map { .saved(Self.natBinding($0), created: true) })
        #expect((s.slotLoads.max() ?? 0) - (s.slotLoads.min() ?? 0) <= 1)
    }

    @Test func sameSocketFreshIdsAndWellFormedOptions() throws {
        var s = scheduler(1)
        let firstSent = pings(s.tick(now: F.t0))
        let first = try #require(firstSent.first)
        #expect(first.2 == F.socket)
        #expect(first.1 == Self.natBinding(0).source)
        #expect(first.0.method == .options)
        #expect(first.0.requestURIText == "sip:u0@192.168.0.0:5060")
        #expect(try first.0.topVia?.host.text == "198.51.100.1")
        #expect(try first.0.topVia?.port == 5063)
        _ = s.handleResponse(try SIPMessage.response(to: first.0, status: 200, reason: "OK"), now: F.t0)
        let secondSent = pings(s.tick(now: F.t0.adding(seconds: 20)))
        let second = try #require(secondSent.first)
        #expect(try first.0.callID != second.0.callID)
        #expect(try first.0.topVia?.branch != second.0.topVia?.branch)
        #expect(first.3 != second.3)
    }

    @Test func anyResponseCountsAndRTTIsKept() throws {
        var s = scheduler(1)
        let key = Self.natBinding(0).key
        let pingSent = pings(s.tick(now: F.t0))
        let ping = try #require(pingSent.first)
        let reply = try SIPMessage.response(to: ping.0, status: 404, reason: "Not Found")
        let matched = s.handleResponse(reply, now: F.t0.adding(milliseconds: 42))
        #expect(matched)
        let status = try #require(s.status(of: key))
        #expect(status.roundTripMilliseconds == 42)
        #expect(status.lastReplyAt == F.t0.adding(milliseconds: 42))
        #expect(status.lostInARow == 0)
        #expect(s.counters.pingsAnswered == 1)
        // A reply with a foreign branch or Call-ID is not ours.
        let other = try SIPMessage.response(to: F.register(callID: "x"), status: 200, reason: "OK")
        let foreign = s.handleResponse(other, now: F.t0)
        #expect(!foreign)
        for status in [405, 501] {
            let pSent = pings(s.tick(now: F.t0.adding(seconds: 20 * (status == 405 ? 1 : 2))))
            let p = try #require(pSent.first)
            let answered = s.handleResponse(try SIPMessage.response(to: p.0, status: status, reason: "X"), now: F.t0.adding(seconds: 41))
            #expect(answered)
        }
        #expect(s.counters.pingsAnswered == 3 && s.counters.pingsLost == 0)
    }

    @Test func removedAfterThreeLostPings() throws {
        var s = scheduler(1)
        let key = Self.natBinding(0).key
        var events: [KeepaliveAction] = []
        for round in 0...3 { events += s.tick(now: F.t0.adding(seconds: 20 * round)) }
        #expect(pings(events).count == 3)
        let removed = events.compactMap { if case .bindingUnreachable(let k, let n) = $0 { return (k, n) }; return nil }
        #expect(removed.count == 1 && removed.first?.0 == key && removed.first?.1 == 3)
        #expect(s.trackedCount == 0 && s.counters.pingsLost == 3 && s.counters.bindingsRemoved == 1)
        // The daemon removes it from the registrar.
        var r = Registrar()
        _ = r.load([Self.natBinding(0)], now: F.t0)
        let change = r.removeBinding(key, reason: .keepaliveTimeout)
        #expect(change != nil && r.counters.count(.keepaliveTimeout) == 1)
    }

    @Test func oneAnswerResetsTheLossCount() throws {
        var s = scheduler(1)
        _ = s.tick(now: F.t0)
        let secondSent = pings(s.tick(now: F.t0.adding(seconds: 20)))
        let second = try #require(secondSent.first)
        #expect(s.status(of: Self.natBinding(0).key)?.lostInARow == 1)
        _ = s.handleResponse(try SIPMessage.response(to: second.0, status: 200, reason: "OK"), now: F.t0.adding(seconds: 21))
        #expect(s.status(of: Self.natBinding(0).key)?.lostInARow == 0)
    }

    @Test func tcpUsesCRLFAndTrafficCountsAsAlive() {
        var s = scheduler(1, transport: .tcp)
        let peer = Self.natBinding(0, transport: .tcp).source
        let actions = s.tick(now: F.t0)
        guard case .sendCRLFPing(let to, let socket)? = actions.first else { Issue.record("no CRLF ping"); return }
        #expect(to == peer && socket == F.socket)
        s.noteTraffic(from: peer, now: F.t0.adding(milliseconds: 7))
        #expect(s.status(of: Self.natBinding(0).key)?.roundTripMilliseconds == 7)
        var later: [KeepaliveAction] = []
        for round in 1...4 { later += s.tick(now: F.t0.adding(seconds: 20 * round)) }
        #expect(later.contains { if case .bindingUnreachable = $0 { return true }; return false })
        #expect(s.counters.crlfPingsSent == 4)
    }

    @Test func onlyNATedUDPIsTrackedAndRemovalUntracks() {
        var s = KeepaliveScheduler(start: F.t0, callIDPrefix: "kt")
        let open = F.binding("pub", "sip:pub@198.51.100.5", nat: [])
        let natted = Self.natBinding(1)
        s.apply([.saved(open, created: true), .saved(natted, created: true)])
        #expect(s.trackedCount == 1)
        s.apply([.removed(natted, reason: .unregistered)])
        #expect(s.trackedCount == 0)
    }

    @Test func hundredThousandBindingsOverOneInterval() {
        let n = 100_000
        var s = scheduler(n)
        let bound = (n + s.slotCount - 1) / s.slotCount
        var total = 0
        var busiest = 0
        var now = F.t0
        for _ in 0..<s.slotCount {
            let sent = s.tick(now: now).count
            busiest = max(busiest, sent)
            total += sent
            now = now.adding(milliseconds: 100)
        }
        #expect(total == n)
        #expect(busiest <= bound)
        #expect(s.counters.pingsSent == n)
    }
}
