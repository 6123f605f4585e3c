import Glibc
import Testing
@testable import Relay

/// Real RTP through the whole path: ng offer/answer → data plane → client sockets, on both engines.
@Suite struct RelayMediaTests {
    static let engines: [IOEngineKind] = [.uring, .mmsg]

    @Test(arguments: engines) func mediaFlowsBothWaysAndQueryShowsIt(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let call = try RelayCallUnderTest(relay, callID: "flow")
        for sequence in 0..<5 { call.a.send(DataPlaneHarness.payload(1, sequence), to: call.toRelayA) }
        let atB = call.b.receive(count: 5)
        #expect(atB.count == 5)
        #expect(atB.first?.from == call.toRelayB)
        for sequence in 0..<3 { call.b.send(DataPlaneHarness.payload(2, sequence), to: call.toRelayB) }
        let atA = call.a.receive(count: 3)
        #expect(atA.count == 3)
        #expect(atA.first?.from == call.toRelayA)

        let query = try relay.request(["command": .text("query"), "call-id": .text("flow")])
        #expect(query["result"]?.stringValue == "ok")
        #expect(query.value("totals", "RTP", "packets")?.integerValue == 8)
        let bytes: Int64? = query.value("totals", "RTP", "bytes")?.integerValue
        #expect(bytes == Int64(8 * 172))
        let callerStream = query.value("tags", "ft-flow")?.dictValue?["medias"]?.listValue?.first?
            .dictValue?["streams"]?.listValue?.first?.dictValue
        #expect(callerStream?["local port"]?.integerValue == Int64(call.toRelayA.port))
        #expect(callerStream?.value("endpoint", "port")?.integerValue == Int64(call.a.endpoint.port))
        #expect(callerStream?.value("advertised endpoint", "port")?.integerValue == Int64(call.a.endpoint.port))
        #expect(callerStream?.value("stats", "packets")?.integerValue == 5)
        #expect((callerStream?["last packet"]?.integerValue ?? 0) > 1_700_000_000)

        let deleted = try relay.request(["command": .text("delete"), "call-id": .text("flow"), "delete-delay": .int(0)])
        #expect(deleted.value("totals", "RTP", "packets")?.integerValue == 8)
        #expect(try relay.list().isEmpty)
        // Ports are closed: the relay no longer forwards.
        call.a.send(DataPlaneHarness.payload(1, 99), to: call.toRelayA)
        #expect(call.b.staysQuiet(milliseconds: 150))
    }

    @Test(arguments: engines) func strictSourceDropsOtherSources(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let call = try RelayCallUnderTest(relay, callID: "strict", offerFlags: ["strict source"])
        let intruder = try DataPlaneTestClient("127.0.0.1")
        call.a.send(DataPlaneHarness.payload(1, 0), to: call.toRelayA)
        #expect(call.b.receive(count: 1).count == 1)
        intruder.send(DataPlaneHarness.payload(9, 1), to: call.toRelayA)
        #expect(call.b.staysQuiet(milliseconds: 150))
        // Media for A still goes to the latched source, not the intruder.
        call.b.send(DataPlaneHarness.payload(2, 0), to: call.toRelayB)
        #expect(call.a.receive(count: 1).count == 1)
        #expect(intruder.staysQuiet(milliseconds: 100))
        let metrics = relay.server.currentMetrics()
        #expect(metrics.dataPlane.drops(.strictSource) == 1)
    }

    @Test(arguments: engines) func mediaHandoverMovesTheStream(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let call = try RelayCallUnderTest(relay, callID: "handover", offerFlags: ["media handover"])
        let moved = try DataPlaneTestClient("127.0.0.1")
        call.a.send(DataPlaneHarness.payload(1, 0), to: call.toRelayA)
        #expect(call.b.receive(count: 1).count == 1)
        moved.send(DataPlaneHarness.payload(1, 1), to: call.toRelayA)
        #expect(call.b.receive(count: 1).count == 1)
        call.b.send(DataPlaneHarness.payload(2, 0), to: call.toRelayB)
        #expect(moved.receive(count: 1).count == 1)
        let learned = try RelayUnderTest.eventually {
            let query = try relay.request(["command": .text("query"), "call-id": .text("handover")])
            let stream = query.value("tags", "ft-handover")?.dictValue?["medias"]?.listValue?.first?
                .dictValue?["streams"]?.listValue?.first?.dictValue
            return stream?.value("endpoint", "port")?.integerValue == Int64(moved.endpoint.port)
        }
        #expect(learned)
    }

    @Test(arguments: engines) func quietCallTimesOutAndLeavesTheList(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine) { $0.timeout = 1 }
        let call = try RelayCallUnderTest(relay, callID: "quiet")
        call.a.send(DataPlaneHarness.payload(1, 0), to: call.toRelayA)
        #expect(call.b.receive(count: 1).count == 1)
        #expect(try relay.list() == ["quiet"])
        let gone = try RelayUnderTest.eventually(timeoutMs: 6000) { try relay.list().isEmpty }
        #expect(gone)
        let ended = RelayUnderTest.eventually(timeoutMs: 2000) {
            relay.server.currentMetrics().sessions?.endedCount(.timeout) == 1
        }
        #expect(ended)
    }

    @Test(arguments: engines) func bleedIsDroppedAfterTheLearningWindow(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let call = try RelayCallUnderTest(relay, callID: "bleed")
        let intruder = try DataPlaneTestClient("127.0.0.1")
        call.a.send(DataPlaneHarness.payload(1, 0), to: call.toRelayA)
        #expect(call.b.receive(count: 1).count == 1)
        usleep(3_200_000) // the standard 3 s learning window
        call.a.send(DataPlaneHarness.payload(1, 1), to: call.toRelayA)
        #expect(call.b.receive(count: 1).count == 1)
        intruder.send(DataPlaneHarness.payload(9, 2), to: call.toRelayA)
        #expect(call.b.staysQuiet(milliseconds: 150))
        #expect(relay.server.currentMetrics().dataPlane.drops(.bleed) == 1)
    }

    @Test(arguments: engines) func occupiedPortIsSkippedBeforeReplying(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine, ports: 8)
        // Something else holds the first pair of the range.
        var squatters: [Int32] = []
        for port in relay.portMin...(relay.portMin + 1) {
            if let endpoint = SocketEndpoint(address: "127.0.0.1", port: UInt16(port)) {
                squatters.append(try UDPSocket.bind(endpoint))
            }
        }
        defer { for fd in squatters { close(fd) } }
        for index in 0..<2 {
            let reply = try relay.offer(callID: "squat\(index)", fromTag: "f", sdp: RelaySDP.audio(port: 4000))
            #expect(reply["result"]?.stringValue == "ok")
            let port = Int(RelaySDP.endpoint(in: reply)?.port ?? 0)
            #expect(port > relay.portMin + 1 && port <= relay.portMax)
            _ = try relay.request(["command": .text("delete"), "call-id": .text("squat\(index)"), "delete-delay": .int(0)])
        }
    }
}
