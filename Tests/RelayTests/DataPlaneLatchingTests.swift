import Testing
@testable import Relay

/// Source latching, strict source, RTP-bleed protection and media handover, run against both engines.
@Suite struct DataPlaneLatchingTests {
    /// A leg pair where the caller side (A) learns its source; B's client is known from SDP.
    struct Pair {
        let plane: DataPlane
        let legA: (id: StreamID, endpoint: SocketEndpoint)
        let legB: (id: StreamID, endpoint: SocketEndpoint)
        let clientB: DataPlaneTestClient

        init(_ engine: IOEngineKind, flags: ForwardingFlags = [], window: LearningWindow = .standard) throws {
            plane = try DataPlaneHarness.makePlane(engine)
            clientB = try DataPlaneTestClient("127.0.0.3")
            legA = try DataPlaneHarness.makeLeg(plane)
            legB = try DataPlaneHarness.makeLeg(plane, besides: legA.id)
            _ = try DataPlaneHarness.apply(plane, legA.id, Forwarding(peer: legB.id, flags: flags, learningWindow: window))
            _ = try DataPlaneHarness.apply(plane, legB.id, Forwarding(peer: legA.id, advertised: clientB.endpoint))
        }

        /// Sends `count` packets from `client` to leg A and returns how many reached client B.
        func send(_ count: Int, from client: DataPlaneTestClient, tag: UInt8) -> Int {
            for sequence in 0..<count { client.send(DataPlaneHarness.payload(tag, sequence), to: legA.endpoint) }
            return clientB.receive(count: count, timeoutMs: 300).count
        }

        /// Where client B's packets to leg B end up: the client of `candidates` that receives it.
        func reverseReaches(_ client: DataPlaneTestClient) -> Bool {
            clientB.send(DataPlaneHarness.payload(9, 0), to: legB.endpoint)
            guard let datagram = client.receive(timeoutMs: 1000) else { return false }
            return datagram.from == legA.endpoint
        }
    }

    @Test(arguments: DataPlaneHarness.engines)
    func learnsTheRealSource(engine: IOEngineKind) throws {
        let pair = try Pair(engine)
        defer { pair.plane.stop() }
        let first = try DataPlaneTestClient("127.0.0.2")
        let second = try DataPlaneTestClient("127.0.0.4")
        #expect(pair.plane.snapshot(of: pair.legA.id)?.latch == .unlearned)
        #expect(pair.send(3, from: first, tag: 1) == 3)
        let learned = try #require(pair.plane.snapshot(of: pair.legA.id))
        #expect(learned.learnedSource == first.endpoint && learned.latch == .learning)
        #expect(pair.reverseReaches(first))
        // Inside the (3 s) learning window a new source re-learns.
        #expect(pair.send(2, from: second, tag: 2) == 2)
        let relearned = try #require(pair.plane.snapshot(of: pair.legA.id))
        #expect(relearned.learnedSource == second.endpoint && relearned.counters.sourceChanges == 1)
        #expect(pair.reverseReaches(second))
    }

    @Test(arguments: DataPlaneHarness.engines)
    func strictSourceDropsOtherSources(engine: IOEngineKind) throws {
        let pair = try Pair(engine, flags: .strictSource)
        defer { pair.plane.stop() }
        let real = try DataPlaneTestClient("127.0.0.2")
        let intruder = try DataPlaneTestClient("127.0.0.4")
        #expect(pair.send(3, from: real, tag: 1) == 3)
        #expect(pair.send(2, from: intruder, tag: 2) == 0)
        let snapshot = try #require(pair.plane.snapshot(of: pair.legA.id))
        #expect(snapshot.latch == .locked && snapshot.learnedSource == real.endpoint)
        #expect(snapshot.counters.drops(.strictSource) == 2 && snapshot.counters.packetsForwarded == 3)
        #expect(pair.reverseReaches(real))
    }

    @Test(arguments: DataPlaneHarness.engines, [false, true])
    func newSourceAfterWindowIsBleedUnlessHandover(engine: IOEngineKind, handover: Bool) throws {
        let pair = try Pair(engine, flags: handover ? .mediaHandover : [],
                            window: LearningWindow(packets: 2, nanoseconds: 0))
        defer { pair.plane.stop() }
        let real = try DataPlaneTestClient("127.0.0.2")
        let newcomer = try DataPlaneTestClient("127.0.0.4")
        #expect(pair.send(2, from: real, tag: 1) == 2)
        #expect(pair.plane.snapshot(of: pair.legA.id)?.latch == .locked)
        let delivered = pair.send(3, from: newcomer, tag: 2)
        let snapshot = try #require(pair.plane.snapshot(of: pair.legA.id))
        if handover {
            #expect(delivered == 3)
            #expect(snapshot.learnedSource == newcomer.endpoint && snapshot.counters.sourceChanges == 1)
            #expect(snapshot.counters.drops(.bleed) == 0)
            #expect(pair.reverseReaches(newcomer))
        } else {
            #expect(delivered == 0)
            #expect(snapshot.learnedSource == real.endpoint && snapshot.counters.drops(.bleed) == 3)
            #expect(pair.reverseReaches(real))
        }
    }

    @Test(arguments: DataPlaneHarness.engines)
    func asymmetricLegSendsToItsAdvertisedEndpoint(engine: IOEngineKind) throws {
        let pair = try Pair(engine)
        defer { pair.plane.stop() }
        let sender = try DataPlaneTestClient("127.0.0.2")
        let sdpTarget = try DataPlaneTestClient("127.0.0.5")
        _ = try DataPlaneHarness.apply(pair.plane, pair.legA.id,
                                       Forwarding(peer: pair.legB.id, advertised: sdpTarget.endpoint, flags: .asymmetric))
        #expect(pair.send(1, from: sender, tag: 1) == 1)
        #expect(pair.plane.snapshot(of: pair.legA.id)?.learnedSource == sender.endpoint)
        #expect(pair.reverseReaches(sdpTarget))
        #expect(sender.staysQuiet(milliseconds: 50))
    }
}
