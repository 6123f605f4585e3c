import Testing
import Glibc
@testable import Relay

/// One-sided rtcp-mux: a muxed socket whose RTCP (RFC 5761 §4) leaves from a separate RTCP socket (`rtcpPeer`),
/// run against both engines over real loopback sockets.
@Suite struct DataPlaneRTCPDemuxTests {
    /// An RTCP sender report header (packet type 200) with a tag in the SSRC field.
    static func senderReport(_ tag: UInt8) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: 28)
        bytes[0] = 0x80
        bytes[1] = 200
        bytes[3] = 6
        bytes[7] = tag
        return bytes
    }

    /// Relay side: mux socket A (RTP+RTCP), B-RTP and B-RTCP sockets on one worker.
    struct Lab {
        let plane: DataPlane
        let clientA: DataPlaneTestClient
        let bRTP: DataPlaneTestClient
        let bRTCP: DataPlaneTestClient
        let mux: (id: StreamID, endpoint: SocketEndpoint)
        let legRTP: (id: StreamID, endpoint: SocketEndpoint)
        let legRTCP: (id: StreamID, endpoint: SocketEndpoint)

        init(_ engine: IOEngineKind) throws {
            plane = try DataPlaneHarness.makePlane(engine)
            clientA = try DataPlaneTestClient("127.0.0.2")
            bRTP = try DataPlaneTestClient("127.0.0.3")
            bRTCP = try DataPlaneTestClient("127.0.0.3")
            mux = try DataPlaneHarness.makeLeg(plane)
            legRTP = try DataPlaneHarness.makeLeg(plane, besides: mux.id)
            legRTCP = try DataPlaneHarness.makeLeg(plane, besides: mux.id)
        }

        func wire() throws -> Bool {
            try DataPlaneHarness.apply(plane, mux.id, Forwarding(peer: legRTP.id, advertised: clientA.endpoint,
                                                                 rtcpPeer: legRTCP.id))
                && DataPlaneHarness.apply(plane, legRTP.id, Forwarding(peer: mux.id, advertised: bRTP.endpoint))
                && DataPlaneHarness.apply(plane, legRTCP.id, Forwarding(peer: mux.id, advertised: bRTCP.endpoint))
        }
    }

    @Test(arguments: DataPlaneHarness.engines)
    func muxedRTCPLeavesFromTheRTCPSocket(engine: IOEngineKind) throws {
        let lab = try Lab(engine)
        defer { lab.plane.stop() }
        #expect(try lab.wire())

        lab.clientA.send(DataPlaneHarness.payload(0, 1), to: lab.mux.endpoint)
        let rtp = try #require(lab.bRTP.receive())
        #expect(rtp.payload == DataPlaneHarness.payload(0, 1) && rtp.from == lab.legRTP.endpoint)

        lab.clientA.send(Self.senderReport(7), to: lab.mux.endpoint)
        let rtcp = try #require(lab.bRTCP.receive())
        #expect(rtcp.payload == Self.senderReport(7) && rtcp.from == lab.legRTCP.endpoint)
        #expect(lab.bRTP.staysQuiet(milliseconds: 50))

        // RTP with the marker bit set (byte 1 = 0x80 | PT 0) is still RTP.
        lab.clientA.send(DataPlaneHarness.payload(0x80, 2), to: lab.mux.endpoint)
        let marked = try #require(lab.bRTP.receive())
        #expect(marked.from == lab.legRTP.endpoint)

        // The reverse direction is a plain peer: B's RTCP reaches A's mux endpoint from the mux socket.
        lab.bRTCP.send(Self.senderReport(9), to: lab.legRTCP.endpoint)
        let back = try #require(lab.clientA.receive())
        #expect(back.payload == Self.senderReport(9) && back.from == lab.mux.endpoint)
    }

    /// A burst mixing RTP and RTCP: the mmsg engine splits one receive batch into two sends.
    @Test(arguments: DataPlaneHarness.engines)
    func interleavedBurstIsSplitByKind(engine: IOEngineKind) throws {
        let lab = try Lab(engine)
        defer { lab.plane.stop() }
        #expect(try lab.wire())
        let count = 40
        for sequence in 0..<count {
            if sequence % 4 == 3 {
                lab.clientA.send(Self.senderReport(UInt8(sequence)), to: lab.mux.endpoint)
            } else {
                lab.clientA.send(DataPlaneHarness.payload(8, sequence), to: lab.mux.endpoint)
            }
        }
        let rtp = lab.bRTP.receive(count: 30)
        let rtcp = lab.bRTCP.receive(count: 10)
        #expect(rtp.count == 30 && rtp.allSatisfy { $0.from == lab.legRTP.endpoint && $0.payload[1] == 8 })
        #expect(rtcp.count == 10 && rtcp.allSatisfy { $0.from == lab.legRTCP.endpoint && $0.payload[1] == 200 })
        #expect(DataPlaneHarness.eventually { lab.plane.counters(of: lab.mux.id)?.packetsForwarded == UInt64(count) })
    }

    @Test(arguments: DataPlaneHarness.engines)
    func removedRTCPPeerDropsRTCPOnly(engine: IOEngineKind) throws {
        let lab = try Lab(engine)
        defer { lab.plane.stop() }
        #expect(try lab.wire())
        #expect(lab.plane.waitUntilApplied(try lab.plane.removeStream(lab.legRTCP.id)))
        lab.clientA.send(Self.senderReport(1), to: lab.mux.endpoint)
        lab.clientA.send(DataPlaneHarness.payload(0, 3), to: lab.mux.endpoint)
        let rtp = try #require(lab.bRTP.receive())
        #expect(rtp.payload == DataPlaneHarness.payload(0, 3))
        #expect(DataPlaneHarness.eventually { lab.plane.counters(of: lab.mux.id)?.drops(.noDestination) == 1 })
        #expect(lab.bRTCP.staysQuiet(milliseconds: 50))
    }

    @Test func rtcpPeerOnAnotherWorkerIsRejected() throws {
        let plane = try DataPlaneHarness.makePlane(.mmsg)
        defer { plane.stop() }
        let mux = try DataPlaneHarness.makeLeg(plane)
        let owner = try #require(plane.worker(of: mux.id))
        guard let any = SocketEndpoint(address: "127.0.0.1", port: 0) else { throw DataPlaneError.stopped }
        let far = try plane.addStream(fd: try UDPSocket.bind(any), worker: 1 - owner)
        #expect(throws: DataPlaneError.self) {
            try plane.updateForwarding(mux.id, Forwarding(rtcpPeer: far))
        }
    }

    @Test func rfc5761Classification() {
        func isRTCP(_ bytes: [UInt8]) -> Bool {
            bytes.withUnsafeBytes { MuxedRTCP.matches($0.baseAddress!, length: $0.count) }
        }
        #expect(isRTCP([0x80, 200]) && isRTCP([0x81, 201]) && isRTCP([0x80, 192]) && isRTCP([0x80, 223]))
        #expect(!isRTCP([0x80, 0]) && !isRTCP([0x80, 0x80]) && !isRTCP([0x80, 96]) && !isRTCP([0x80, 224]))
        #expect(!isRTCP([0x80, 191]) && !isRTCP([0x80]))
    }
}
