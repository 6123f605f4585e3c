import Testing
@testable import Signaling

/// The ping token (tracking id + sequence in the 16 hex digits of Call-ID and branch) and how the
/// scheduler matches replies by decoding it: O(1), and anything forged, stale or truncated is ignored.
@Suite struct KeepalivePingTokenTests {
    typealias F = RegistrarFixture

    let builder = KeepalivePingBuilder(prefix: "kt", fromURI: "sip:keepalive@198.51.100.1:5060")

    @Test func tokenRoundTrips() {
        for (id, sequence) in [(0, UInt32(0)), (5, 7), (123_456, UInt32.max), (Int(UInt32.max), 1)] {
            let token = KeepalivePingToken(trackingID: id, sequence: sequence)
            #expect(token.trackingID == id)
            #expect(token.sequence == sequence)
            #expect(KeepalivePingToken(rawValue: token.rawValue) == token)
        }
        #expect(KeepalivePingToken(trackingID: 3, sequence: 2).rawValue == 0x0000_0002_0000_0003)
        // Out of range ids are truncated, never trapped on.
        #expect(KeepalivePingToken(trackingID: Int(UInt32.max) + 2, sequence: 0).trackingID == 1)
        #expect(KeepalivePingToken(trackingID: -1, sequence: 0).trackingID == Int(UInt32.max))
        // Any raw value decodes to a non-negative id.
        #expect(KeepalivePingToken(rawValue: UInt64.max).trackingID == Int(UInt32.max))
    }

    func scheduler(_ bindings: [RegistrarBinding]) -> KeepaliveScheduler {
        var config = KeepaliveConfiguration()
        config.viaSentBy = { _ in "198.51.100.1:5062" }
        var s = KeepaliveScheduler(configuration: config, start: F.t0, callIDPrefix: "kt")
        s.apply(bindings.map { .saved($0, created: true) })
        return s
    }

    /// All pings of one whole revolution.
    func revolution(_ s: inout KeepaliveScheduler, from start: RegistrarInstant) -> [(SIPMessage, RegistrarPeer, UInt64)] {
        var out: [(SIPMessage, RegistrarPeer, UInt64)] = []
        for k in 0..<s.slotCount {
            for case .sendPing(let bytes, let peer, _, let id) in s.tick(now: start.adding(milliseconds: 100 * Int64(k))) {
                if let message = try? SIPMessage.parse(bytes) { out.append((message, peer, id)) }
            }
        }
        return out
    }

    /// A reply to ping `id` as a phone writes it.
    func reply(_ id: UInt64, callIDDigits: String? = nil, branch: Bool = true) -> [UInt8] {
        let callID = callIDDigits.map { "kt-\($0)" } ?? builder.callID(id)
        let via = "Via: SIP/2.0/UDP 198.51.100.1:5062" + (branch ? ";branch=\(builder.branch(id))" : "") + "\r\n"
        return Array(("SIP/2.0 200 OK\r\n" + via + "From: <sip:keepalive@x>;tag=kt\r\nTo: <sip:u@y>\r\n"
            + "Call-ID: \(callID)\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").utf8)
    }

    func handle(_ s: inout KeepaliveScheduler, _ bytes: [UInt8], at now: RegistrarInstant = F.t0) -> Bool {
        bytes.withUnsafeBytes { s.handleReply($0, now: now) }
    }

    @Test func pingsCarryTheirBindingsTrackingID() throws {
        var s = scheduler((0..<40).map { KeepaliveSchedulerTests.natBinding($0) })
        var batch = KeepalivePingBatch()
        for k in 0..<s.slotCount {
            batch.removeAll()
            _ = s.tick(now: F.t0.adding(milliseconds: 100 * Int64(k)), udpPings: &batch)
            for ping in batch.pings {
                #expect(KeepalivePingToken(rawValue: ping.pingID).trackingID == ping.trackingID)
            }
        }
    }

    @Test func forgedStaleAndTruncatedTokensAreIgnored() throws {
        var s = scheduler([KeepaliveSchedulerTests.natBinding(0), KeepaliveSchedulerTests.natBinding(1)])
        let pings = revolution(&s, from: F.t0)
        #expect(pings.count == 2)
        let real = try #require(pings.first).2
        let token = KeepalivePingToken(rawValue: real)
        // Right tracking id, wrong sequence: ours by its prefix (dropped) but answers nothing.
        let wrongSequence = KeepalivePingToken(trackingID: token.trackingID, sequence: token.sequence &+ 1).rawValue
        #expect(handle(&s, reply(wrongSequence)))
        // Tracking ids past the end, including the largest.
        for id in [2, 1000, Int(UInt32.max)] {
            #expect(handle(&s, reply(KeepalivePingToken(trackingID: id, sequence: token.sequence).rawValue)))
        }
        #expect(handle(&s, reply(UInt64.max)))
        #expect(s.counters.pingsAnswered == 0)
        // Truncated or over-long tokens are not ours for the scan (the normal path sees them).
        #expect(!handle(&s, reply(real, callIDDigits: String(KeepalivePingTemplate.hex(real).dropLast()), branch: false)))
        #expect(!handle(&s, reply(real, callIDDigits: KeepalivePingTemplate.hex(real) + "0", branch: false)))
        // The slow path decodes a short id to some other token: it answers nothing either.
        let short = try SIPMessage.parse(reply(real, callIDDigits: String(KeepalivePingTemplate.hex(real).dropLast()),
                                               branch: false))
        _ = s.handleResponse(short, now: F.t0)
        #expect(s.counters.pingsAnswered == 0)
        // The real one still matches, once.
        #expect(handle(&s, reply(real), at: F.t0.adding(milliseconds: 9)))
        #expect(handle(&s, reply(real), at: F.t0.adding(milliseconds: 10)))
        #expect(s.counters.pingsAnswered == 1)
        #expect(s.status(of: KeepaliveSchedulerTests.natBinding(0).key)?.roundTripMilliseconds == 9)
    }

    @Test func aReusedTrackingIDDoesNotTakeTheOldPingsReply() throws {
        let first = KeepaliveSchedulerTests.natBinding(0)
        var s = scheduler([first])
        let old = try #require(revolution(&s, from: F.t0).first).2
        s.untrack(first.key)
        let second = KeepaliveSchedulerTests.natBinding(7)
        s.track(second)
        let new = try #require(revolution(&s, from: F.t0.adding(seconds: 20)).first).2
        #expect(KeepalivePingToken(rawValue: new).trackingID == KeepalivePingToken(rawValue: old).trackingID)
        #expect(handle(&s, reply(old)))
        #expect(s.counters.pingsAnswered == 0)
        #expect(handle(&s, reply(new)))
        #expect(s.counters.pingsAnswered == 1)
    }

    /// Bindings behind one address (one NAT pinhole) share a ring: a reply to any of their pings
    /// refreshes them all, as traffic from that address does.
    @Test func aReplyRefreshesEveryBindingBehindItsAddress() throws {
        let shared = RegistrarPeer(host: "203.0.113.9", port: 40000, transport: .udp)
        let bindings = (0..<3).map { F.binding("s\($0)", "sip:s\($0)@192.168.1.\($0 + 2):5060", source: shared) }
        let alone = KeepaliveSchedulerTests.natBinding(5)
        var s = scheduler(bindings + [alone])
        let pings = revolution(&s, from: F.t0)
        #expect(pings.count == 4)
        let toShared = try #require(pings.first { $0.1 == shared }).2
        #expect(handle(&s, reply(toShared), at: F.t0.adding(seconds: 1)))
        #expect(s.counters.pingsAnswered == 3)
        for b in bindings { #expect(s.status(of: b.key)?.lastReplyAt == F.t0.adding(seconds: 1)) }
        #expect(s.status(of: alone.key)?.lastReplyAt == nil)

        // Untrack the middle one, move another to a new address: the rings follow.
        s.untrack(bindings[1].key)
        var moved = bindings[2]
        moved.source = RegistrarPeer(host: "203.0.113.10", port: 40001, transport: .udp)
        s.track(moved)
        s.noteTraffic(from: shared, now: F.t0.adding(seconds: 2))
        #expect(s.status(of: bindings[0].key)?.lastReplyAt == F.t0.adding(seconds: 2))
        #expect(s.status(of: moved.key)?.lastReplyAt == F.t0.adding(seconds: 1))
        s.noteTraffic(from: moved.source, now: F.t0.adding(seconds: 3))
        #expect(s.status(of: moved.key)?.lastReplyAt == F.t0.adding(seconds: 3))
        #expect(s.status(of: bindings[0].key)?.lastReplyAt == F.t0.adding(seconds: 2))
        // The last one of the shared address goes: the address is forgotten.
        s.untrack(bindings[0].key)
        s.noteTraffic(from: shared, now: F.t0.adding(seconds: 4))
        #expect(s.trackedCount == 2)
        // Next revolution: everything still pinged and matched.
        let next = revolution(&s, from: F.t0.adding(seconds: 20))
        #expect(next.count == 2)
        for p in next { #expect(handle(&s, reply(p.2), at: F.t0.adding(seconds: 21))) }
        #expect(s.status(of: alone.key)?.lastReplyAt == F.t0.adding(seconds: 21))
        #expect(s.status(of: moved.key)?.lastReplyAt == F.t0.adding(seconds: 21))
    }

    /// The scan reads eight bytes at a time: line ends at every alignment, and a bare LF or a lone
    /// CR at every alignment, are found exactly as a byte loop would.
    @Test func scanFindsLineEndsAtEveryAlignment() {
        let id: UInt64 = 0x0000_0001_0000_0000
        let rest = Array(reply(id).dropFirst("SIP/2.0 200 OK\r\n".utf8.count))  // from "Via:"
        for pad in 0..<17 {
            let filler = String(repeating: "a", count: pad)
            let good = Array("SIP/2.0 200 OK\r\nX-Pad: \(filler)\r\n".utf8) + rest
            #expect(good.withUnsafeBytes { builder.pingID(inReply: $0) } == id)
            for bad in ["\n", "\r", "\rx"] {
                let broken = Array("SIP/2.0 200 OK\r\nX-Pad: \(filler)\(bad)b\r\n".utf8) + rest
                #expect(broken.withUnsafeBytes { builder.pingID(inReply: $0) } == nil)
            }
        }
    }
}
