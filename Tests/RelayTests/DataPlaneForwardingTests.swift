import Testing
import Glibc
@testable import Relay

/// Forwarding between two legs, run against both engines.
@Suite struct DataPlaneForwardingTests {
    @Test(arguments: DataPlaneHarness.engines, ["127.0.0.1", "::1"])
    func twoLegsForwardBothWays(engine: IOEngineKind, relayAddress: String) throws {
        let plane = try DataPlaneHarness.makePlane(engine)
        defer { plane.stop() }
        let clientAddress = relayAddress == "::1" ? "::1" : "127.0.0.2"
        let clientA = try DataPlaneTestClient(clientAddress)
        let clientB = try DataPlaneTestClient(relayAddress == "::1" ? "::1" : "127.0.0.3")
        let legA = try DataPlaneHarness.makeLeg(plane, relayAddress)
        let legB = try DataPlaneHarness.makeLeg(plane, relayAddress, besides: legA.id)
        #expect(try DataPlaneHarness.apply(plane, legA.id, Forwarding(peer: legB.id, advertised: clientA.endpoint)))
        #expect(try DataPlaneHarness.apply(plane, legB.id, Forwarding(peer: legA.id, advertised: clientB.endpoint)))

        let count = 50
        for sequence in 0..<count { clientA.send(DataPlaneHarness.payload(1, sequence), to: legA.endpoint) }
        let atB = clientB.receive(count: count)
        #expect(atB.count == count)
        #expect(atB.allSatisfy { $0.from == legB.endpoint })
        #expect(Set(atB.map(\.payload)) == Set((0..<count).map { DataPlaneHarness.payload(1, $0) }))

        for sequence in 0..<count { clientB.send(DataPlaneHarness.payload(2, sequence, size: 60), to: legB.endpoint) }
        let atA = clientA.receive(count: count)
        #expect(atA.count == count)
        #expect(atA.allSatisfy { $0.from == legA.endpoint })
        #expect(Set(atA.map(\.payload)) == Set((0..<count).map { DataPlaneHarness.payload(2, $0, size: 60) }))

        #expect(DataPlaneHarness.eventually {
            plane.counters(of: legA.id)?.packetsForwarded == UInt64(count)
                && plane.counters(of: legB.id)?.packetsForwarded == UInt64(count)
        })
        let a = try #require(plane.counters(of: legA.id))
        let b = try #require(plane.counters(of: legB.id))
        #expect(a.packetsReceived == UInt64(count) && a.bytesReceived == UInt64(count * 172))
        #expect(a.bytesForwarded == UInt64(count * 172) && a.totalDrops == 0 && a.errors == 0)
        #expect(b.packetsReceived == UInt64(count) && b.bytesForwarded == UInt64(count * 60))
        #expect(a.lastPacketNanoseconds > 0)
        let totals = plane.totals()
        #expect(totals.packetsReceived == UInt64(2 * count) && totals.packetsForwarded == UInt64(2 * count))
        #expect(totals.commands >= 4)
    }

    @Test(arguments: DataPlaneHarness.engines)
    func noDestinationIsDroppedAndCounted(engine: IOEngineKind) throws {
        let plane = try DataPlaneHarness.makePlane(engine)
        defer { plane.stop() }
        let client = try DataPlaneTestClient("127.0.0.2")
        let receiver = try DataPlaneTestClient("127.0.0.3")
        let lonely = try DataPlaneHarness.makeLeg(plane)
        let legA = try DataPlaneHarness.makeLeg(plane)
        let legB = try DataPlaneHarness.makeLeg(plane, besides: legA.id)
        // legA forwards through legB, but legB has neither learned nor been told where its client is.
        #expect(try DataPlaneHarness.apply(plane, legA.id, Forwarding(peer: legB.id)))
        for sequence in 0..<5 {
            client.send(DataPlaneHarness.payload(3, sequence), to: lonely.endpoint)
            client.send(DataPlaneHarness.payload(4, sequence), to: legA.endpoint)
        }
        #expect(DataPlaneHarness.eventually {
            plane.counters(of: lonely.id)?.drops(.noDestination) == 5
                && plane.counters(of: legA.id)?.drops(.noDestination) == 5
        })
        #expect(plane.totals().drops(.noDestination) == 10)
        #expect(receiver.staysQuiet())

        // Once legB has an advertised endpoint, legA's packets flow.
        #expect(try DataPlaneHarness.apply(plane, legB.id, Forwarding(peer: legA.id, advertised: receiver.endpoint)))
        client.send(DataPlaneHarness.payload(4, 99), to: legA.endpoint)
        let datagram = try #require(receiver.receive())
        #expect(datagram.payload == DataPlaneHarness.payload(4, 99) && datagram.from == legB.endpoint)
    }

    @Test(arguments: DataPlaneHarness.engines)
    func removedStreamClosesItsSocket(engine: IOEngineKind) throws {
        let plane = try DataPlaneHarness.makePlane(engine)
        defer { plane.stop() }
        let client = try DataPlaneTestClient("127.0.0.2")
        let receiver = try DataPlaneTestClient("127.0.0.3")
        let legA = try DataPlaneHarness.makeLeg(plane)
        let legB = try DataPlaneHarness.makeLeg(plane, besides: legA.id)
        #expect(try DataPlaneHarness.apply(plane, legA.id, Forwarding(peer: legB.id)))
        #expect(try DataPlaneHarness.apply(plane, legB.id, Forwarding(peer: legA.id, advertised: receiver.endpoint)))
        client.send(DataPlaneHarness.payload(5, 0), to: legA.endpoint)
        #expect(receiver.receive() != nil)

        try plane.removeStream(legB.id)
        #expect(plane.waitUntilRemoved(legB.id))
        #expect(plane.counters(of: legB.id) == nil)
        #expect(throws: DataPlaneError.unknownStream(legB.id)) { try plane.updateForwarding(legB.id, Forwarding()) }
        // The port is free again.
        let rebound = try UDPSocket.bind(legB.endpoint)
        close(rebound)
        // legA lost its peer: its packets now count as having no destination.
        client.send(DataPlaneHarness.payload(5, 1), to: legA.endpoint)
        #expect(DataPlaneHarness.eventually { plane.counters(of: legA.id)?.drops(.noDestination) == 1 })

        // The slot is reused under a new generation, and legA's entry (still naming the old generation: removals
        // do not walk the other streams) does not reach the new stream.
        let legC = try DataPlaneHarness.makeLeg(plane)
        #expect(legC.id != legB.id && legC.id.slot == legB.id.slot)
        #expect(try DataPlaneHarness.apply(plane, legC.id, Forwarding(advertised: receiver.endpoint)))
        client.send(DataPlaneHarness.payload(5, 2), to: legA.endpoint)
        #expect(DataPlaneHarness.eventually { plane.counters(of: legA.id)?.drops(.noDestination) == 2 })
        #expect(receiver.receive(timeoutMs: 100) == nil)
        try plane.removeStream(legA.id)
        try plane.removeStream(legC.id)
        #expect(plane.waitUntilRemoved(legA.id) && plane.waitUntilRemoved(legC.id))
        close(try UDPSocket.bind(legA.endpoint))
    }

    @Test(arguments: DataPlaneHarness.engines)
    func peerMustShareTheWorker(engine: IOEngineKind) throws {
        let plane = try DataPlaneHarness.makePlane(engine)
        defer { plane.stop() }
        let legA = try DataPlaneHarness.makeLeg(plane)
        let fd = try UDPSocket.bind(SocketEndpoint.ipv4(127, 0, 0, 1, port: 0))
        let other = (plane.worker(of: legA.id)! + 1) % plane.workerCount
        let legB = try plane.addStream(fd: fd, worker: other)
        #expect(throws: DataPlaneError.peerOnOtherWorker(stream: legA.id, peer: legB)) {
            try plane.updateForwarding(legA.id, Forwarding(peer: legB))
        }
    }
}
