import Testing
@testable import Signaling

/// The batched tick (`tick(now:udpPings:)`): the same pings as the action form, back to back in
/// one buffer, with tracking ids that stay put while a binding is tracked.
@Suite struct KeepalivePingBatchTests {
    typealias F = RegistrarFixture

    func scheduler(_ count: Int) -> KeepaliveScheduler {
        var config = KeepaliveConfiguration()
        config.viaSentBy = { "198.51.100.1:\(5060 + Int($0.rawValue))" }
        var s = KeepaliveScheduler(configuration: config, start: F.t0, callIDPrefix: "kt")
        s.apply((0..<count).map { .saved(KeepaliveSchedulerTests.natBinding($0), created: true) })
        return s
    }

    @Test func batchHoldsTheSameDatagramsAsTheActions() throws {
        var plain = scheduler(500)
        var batched = scheduler(500)
        var batch = KeepalivePingBatch()
        var now = F.t0
        for _ in 0..<plain.slotCount {
            batch.removeAll()
            let actions = plain.tick(now: now)
            let others = batched.tick(now: now, udpPings: &batch)
            #expect(others.isEmpty)
            var expected: [([UInt8], RegistrarPeer, LocalSocketRef, UInt64)] = []
            for case .sendPing(let bytes, let peer, let socket, let id) in actions { expected.append((bytes, peer, socket, id)) }
            #expect(batch.pings.count == expected.count)
            for (ping, e) in zip(batch.pings, expected) {
                #expect(Array(batch.datagram(ping)) == e.0)
                #expect(ping.peer == e.1 && ping.socket == e.2 && ping.pingID == e.3)
                #expect(try SIPMessage.parse(Array(batch.datagram(ping))).method == .options)
            }
            now = now.adding(milliseconds: 100)
        }
        #expect(batched.counters == plain.counters)
    }

    @Test func trackingIDsAreStableAndRepliesMatch() throws {
        var s = scheduler(300)
        var batch = KeepalivePingBatch()
        var firstRound: [RegistrarPeer: Int] = [:]
        var now = F.t0
        for round in 0..<2 {
            for _ in 0..<s.slotCount {
                batch.removeAll()
                _ = s.tick(now: now, udpPings: &batch)
                for ping in batch.pings {
                    if round == 0 { firstRound[ping.peer] = ping.trackingID } else { #expect(firstRound[ping.peer] == ping.trackingID) }
                    // Answer it: the reply path finds the ping again.
                    let request = try SIPMessage.parse(Array(batch.datagram(ping)))
                    let reply = try SIPMessage.response(to: request, status: 200, reason: "OK")
                    #expect(reply.bytes.withUnsafeBytes { s.handleReply(UnsafeRawBufferPointer($0), now: now) })
                }
                now = now.adding(milliseconds: 100)
            }
        }
        #expect(Set(firstRound.values).count == 300)
        #expect(s.counters.pingsLost == 0)
        #expect(s.counters.pingsAnswered == 600)
    }
}
