import CShims
import Testing
@testable import Relay

/// Many streams at once: 100 stream sockets (50 leg pairs), 100 packets into each, all must arrive intact.
@Suite struct DataPlaneBurstTests {
    /// With 16 buffers per worker the io_uring engine runs out of provided buffers all the time: multishot
    /// receives terminate with ENOBUFS and must be re-armed without losing datagrams (they wait in the socket).
    /// Its ring then has only 16 submission entries (`ring-entries: 16`), fewer than the sends one reap queues,
    /// so a full submission queue is flushed mid-batch.
    @Test(arguments: DataPlaneHarness.engines, [1024, 16])
    func tenThousandPacketsOverHundredStreams(engine: IOEngineKind, buffers: Int) throws {
        let plane = try DataPlane(configuration: DataPlaneConfiguration(
            engine: engine, workerCount: 2, maxStreams: 512, buffersPerWorker: buffers, batchSize: buffers,
            ringEntries: buffers == 16 ? 16 : 0))
        defer { plane.stop() }
        let pairs = 50
        let packetsPerStream = 100
        var relayLegs: [(id: StreamID, endpoint: SocketEndpoint)] = []
        var clients: [DataPlaneTestClient] = []
        // Stream 2k and 2k+1 form a pair; client i talks to relay leg i and hears its partner's media.
        for pair in 0..<pairs {
            let a = try DataPlaneHarness.makeLeg(plane)
            let b = try DataPlaneHarness.makeLeg(plane, besides: a.id)
            let clientA = try DataPlaneTestClient("127.0.0.\(2 + pair % 100)")
            let clientB = try DataPlaneTestClient("127.0.1.\(2 + pair % 100)")
            #expect(try DataPlaneHarness.apply(plane, a.id, Forwarding(peer: b.id, advertised: clientA.endpoint)))
            #expect(try DataPlaneHarness.apply(plane, b.id, Forwarding(peer: a.id, advertised: clientB.endpoint)))
            relayLegs += [a, b]
            clients += [clientA, clientB]
        }
        var received = Array(repeating: Set<Int>(), count: clients.count)
        var corrupt = 0
        func drain() -> Int {
            var got = 0
            for (index, client) in clients.enumerated() {
                var bound = 0
                while bound < 1000, let datagram = client.receiveNow() {
                    bound += 1
                    got += 1
                    let payload = datagram.payload
                    let sequence = payload.count >= 4 ? Int(payload[2]) << 8 | Int(payload[3]) : -1
                    let sender = index ^ 1
                    if payload != DataPlaneHarness.payload(UInt8(sender & 0xFF), sequence)
                        || datagram.from != relayLegs[index].endpoint {
                        corrupt += 1
                    } else {
                        received[index].insert(sequence)
                    }
                }
            }
            return got
        }
        // Send in rounds of 10 packets per stream, draining in between, so socket buffers never overflow.
        for round in 0..<(packetsPerStream / 10) {
            for (index, client) in clients.enumerated() {
                for offset in 0..<10 {
                    client.send(DataPlaneHarness.payload(UInt8(index & 0xFF), round * 10 + offset),
                                to: relayLegs[index].endpoint)
                }
            }
            _ = drain()
        }
        let total = clients.count * packetsPerStream
        let deadline = tdm_coarse_now_ns() + 5_000_000_000
        while received.reduce(0, { $0 + $1.count }) < total && tdm_coarse_now_ns() < deadline {
            if drain() == 0 { usleep(1000) }
        }
        #expect(corrupt == 0)
        #expect(received.reduce(0, { $0 + $1.count }) == total)
        #expect(received.allSatisfy { $0.count == packetsPerStream })
        #expect(DataPlaneHarness.eventually { plane.totals().packetsForwarded == UInt64(total) })
        let totals = plane.totals()
        #expect(totals.packetsReceived == UInt64(total) && totals.drops.allSatisfy { $0 == 0 })
        // How many packets share a batch depends on scheduling (a loaded machine may wake per packet), so only
        // the bound is checked here; batching efficiency is a benchmark figure, not a test.
        #expect(totals.batches > 0)
        // With 16 buffers the worker usually runs short (ENOBUFS ends the multishot receive) and must re-arm.
        // Whether it does in a given run depends on scheduling: a worker on a free core that keeps up with the
        // sender never holds 16 datagrams at once (seen once in CI). The guarantee checked above holds either
        // way: nothing lost, nothing corrupted; when a shortage happened, the receive was re-armed.
        if engine == .uring && buffers == 16 && totals.bufferShortages > 0 { #expect(totals.rearms > 0) }
    }
}
