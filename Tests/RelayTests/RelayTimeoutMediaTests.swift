import CShims
import Glibc
import Testing
@testable import Relay

/// `silent-timeout`, `final-timeout` and the default `delete-delay` with real RTP through the relay, on both
/// engines (the `timeout` case is `RelayMediaTests.quietCallTimesOutAndLeavesTheList`).
@Suite struct RelayTimeoutMediaTests {
    static let engines: [IOEngineKind] = [.uring, .mmsg]

    /// Sends from each of `senders` every ~100 ms (draining what reaches `receivers`) until the relay lists no
    /// call or `timeoutMs` passes; returns the milliseconds it took, nil if the call stayed.
    private static func keepSending(_ relay: RelayUnderTest, from senders: [(DataPlaneTestClient, SocketEndpoint)],
                                    draining receivers: [DataPlaneTestClient], timeoutMs: UInt64) throws -> UInt64? {
        let start = tdm_coarse_now_ns()
        var sequence = 0
        while tdm_coarse_now_ns() < start + timeoutMs * 1_000_000 {
            for (client, relayEndpoint) in senders { client.send(DataPlaneHarness.payload(1, sequence), to: relayEndpoint) }
            sequence += 1
            for client in receivers { while client.receive(timeoutMs: 0) != nil {} }
            if try relay.list().isEmpty { return (tdm_coarse_now_ns() - start) / 1_000_000 }
            usleep(100_000)
        }
        return nil
    }

    @Test(arguments: engines) func oneSilentSideEndsTheCallWithSilentTimeout(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine) {
            $0.timeout = 60
            $0.silentTimeout = 2
        }
        let call = try RelayCallUnderTest(relay, callID: "one-way")
        call.a.send(DataPlaneHarness.payload(1, 0), to: call.toRelayA)
        #expect(call.b.receive(count: 1).count == 1)
        // A keeps talking, B never sends: B is silent from the answer on.
        let took = try Self.keepSending(relay, from: [(call.a, call.toRelayA)], draining: [call.b], timeoutMs: 8000)
        #expect(took != nil)
        #expect((took ?? 0) >= 1000, "ended after \(took ?? 0) ms, before silent-timeout")
        let counted = RelayUnderTest.eventually(timeoutMs: 2000) {
            relay.server.currentMetrics().sessions?.endedCount(.silentTimeout) == 1
        }
        #expect(counted)
        let sessions = relay.server.currentMetrics().sessions
        #expect(sessions?.endedCount(.timeout) == 0)
        #expect(sessions?.ports.first?.used == 0)
        #expect(relay.server.currentMetrics().prometheusText().contains("reason=\"silent-timeout\"} 1"))
        // The ports are closed: A's media goes nowhere now.
        call.a.send(DataPlaneHarness.payload(1, 999), to: call.toRelayA)
        #expect(call.b.staysQuiet(milliseconds: 150))
    }

    @Test(arguments: engines) func finalTimeoutEndsACallWhoseMediaStillFlows(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine) {
            $0.timeout = 60
            $0.silentTimeout = 60
            $0.finalTimeout = 2
        }
        let call = try RelayCallUnderTest(relay, callID: "final")
        let took = try Self.keepSending(relay, from: [(call.a, call.toRelayA), (call.b, call.toRelayB)],
                                        draining: [call.a, call.b], timeoutMs: 8000)
        #expect(took != nil)
        #expect((took ?? 0) >= 1000, "ended after \(took ?? 0) ms, before final-timeout")
        let counted = RelayUnderTest.eventually(timeoutMs: 2000) {
            relay.server.currentMetrics().sessions?.endedCount(.finalTimeout) == 1
        }
        #expect(counted)
        #expect(relay.server.currentMetrics().sessions?.endedCount(.silentTimeout) == 0)
        #expect(relay.server.currentMetrics().sessions?.ports.first?.used == 0)
        call.b.send(DataPlaneHarness.payload(2, 999), to: call.toRelayB)
        #expect(call.a.staysQuiet(milliseconds: 150))
    }

    /// Issue 3: "Freed ports are reusable at once unless a delete delay is asked for." A range that holds one call
    /// (four ports, no rtcp-mux) is cycled with plain deletes; the ng `delete delay` key still holds the ports.
    @Test func defaultDeleteFreesThePortsAtOnce() throws {
        #expect(RelayOptions().deleteDelay == 0)
        let relay = try RelayUnderTest(ports: 4)
        var ports: Set<UInt16> = []
        for index in 0..<4 {
            let call = try RelayCallUnderTest(relay, callID: "cycle\(index)")
            ports.insert(call.toRelayA.port)
            ports.insert(call.toRelayB.port)
            let deleted = try relay.request(["command": .text("delete"), "call-id": .text("cycle\(index)")])
            #expect(deleted["result"]?.stringValue == "ok")
        }
        #expect(ports.count == 2)  // the same two RTP ports every time
        _ = try RelayCallUnderTest(relay, callID: "held")
        _ = try relay.request(["command": .text("delete"), "call-id": .text("held"), "delete delay": .int(5)])
        let refused = try relay.offer(callID: "next", fromTag: "f", sdp: RelaySDP.audio(port: 4000))
        #expect(refused["result"]?.stringValue == "error")
        #expect(refused["error-reason"]?.stringValue == "Ran out of ports")
    }
}
