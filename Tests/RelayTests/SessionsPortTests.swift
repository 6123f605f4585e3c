import Testing
@testable import Relay

@Suite struct SessionsPortTests {
    typealias F = SessionsFixtures

    @Test func allocatorHandsOutEvenOddPairsRotatingFromOffset() {
        var allocator = PortAllocator(portMin: 30001, portMax: 30010, startOffset: 2)
        #expect(allocator.base == 30002)
        #expect(allocator.capacity == 8)  // 30002...30009; 30010 has no odd partner in range
        #expect(allocator.allocatePair()! == (30006, 30007))
        #expect(allocator.allocatePair()! == (30008, 30009))
        #expect(allocator.allocatePair()! == (30002, 30003))
        allocator.release(30006)
        allocator.release(30007)
        #expect(allocator.allocatePair()! == (30004, 30005))  // freed pair goes to the back
        #expect(allocator.allocatePair()! == (30006, 30007))
        #expect(allocator.allocatePair() == nil)
        #expect(allocator.freeCount == 0)
    }

    @Test func singlesUseHalfPairsAndRecombine() {
        var allocator = PortAllocator(portMin: 100, portMax: 103, startOffset: 0)
        #expect(allocator.allocateSingle() == 100)
        #expect(allocator.allocateSingle() == 101)  // the half pair left over
        #expect(allocator.allocateSingle() == 102)
        #expect(allocator.allocatePair() == nil)
        allocator.release(100)
        allocator.release(101)
        #expect(allocator.allocatePair()! == (100, 101))
        let first = allocator.release(100)
        let second = allocator.release(100)
        #expect(first)
        #expect(!second)  // double release is refused
        #expect(allocator.freeCount == 2)
    }

    @Test func unbindablePortsAreSkipped() {
        var allocator = PortAllocator(portMin: 100, portMax: 105, startOffset: 0)
        allocator.markUnbindable(100)
        #expect(allocator.allocatePair()! == (102, 103))
        #expect(allocator.allocateSingle() == 101)
        let pair = allocator.allocatePair()!
        allocator.markUnbindable(pair.rtcp)
        allocator.release(pair.rtp)
        allocator.release(pair.rtcp)
        #expect(allocator.unbindableCount == 2)
        #expect(allocator.allocatePair() == nil)
        #expect(allocator.allocateSingle() == pair.rtp)
    }

    @Test func runningOutOfPortsLeaksNothing() throws {
        // 2 pairs on pub: one call takes both; a second offer needs two more.
        let tiny = RelayInterface(name: "pub", address: F.address("203.0.113.10"), portMin: 30000, portMax: 30003)
        var table = F.table(interfaces: [tiny, F.privateInterface])
        _ = try F.establishedCall(&table)
        #expect(throws: SessionError.ranOutOfPorts(interface: "pub")) {
            try table.offer(callID: "c2", fromTag: "X", media: [F.audio("10.9.9.9", 5000)],
                            options: OfferAnswerOptions(senderInterface: "priv", recipientInterface: "pub"), at: F.at(1))
        }
        #expect(table.allocator(forInterface: "priv")?.usedCount == 0)  // the priv pair was rolled back
        #expect(table.callCount == 1)
        #expect(table.statistics().ranOutOfPorts == 1)
        // A failing re-offer (adding video) leaves the existing call untouched.
        let video = SessionMediaDescription(index: 2, mediaType: "video", address: F.address("10.1.1.1"), port: 5002)
        let before = try table.query(callID: "call-1")
        #expect(throws: SessionError.ranOutOfPorts(interface: "pub")) {
            try table.offer(callID: "call-1", fromTag: "A", toTag: "B",
                            media: [F.audio("10.1.1.50", 5000), video], at: F.at(2))
        }
        #expect(try table.query(callID: "call-1") == before)
        _ = try table.delete(callID: "call-1", at: F.at(3))
        #expect(table.allocator(forInterface: "pub")?.freeCount == 4)
    }

    @Test func unbindablePortMovesTheStream() throws {
        var table = F.table()
        let offer = try table.offer(callID: "b", fromTag: "A", media: [F.audio("10.1.1.1", 5000)],
                                    options: OfferAnswerOptions(senderInterface: "priv", recipientInterface: "pub"), at: F.at(0))
        let bad = try #require(F.opened(offer.actions).first { $0.port == 30000 })
        let moved = try table.portUnbindable(bad)
        #expect(F.opened(moved.actions).map(\.port) == [30002, 30003])
        #expect(Set(F.closed(moved.actions).map(\.port)) == [30000, 30001])
        #expect(F.updated(moved.actions).first { $0.kind == .rtp }?.b.local.port == 30002)
        // Re-running the same offer yields the new rewrite and no further actions.
        let rerun = try table.offer(callID: "b", fromTag: "A", media: [F.audio("10.1.1.1", 5000)],
                                    options: OfferAnswerOptions(senderInterface: "priv", recipientInterface: "pub"), at: F.at(0))
        #expect(rerun.media[0].rtpPort == 30002)
        #expect(rerun.actions.isEmpty)
        let pub = try #require(table.allocator(forInterface: "pub"))
        #expect(pub.unbindableCount == 1)
        #expect(pub.usedCount == 2)
    }
}
