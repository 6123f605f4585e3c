import Glibc
import Testing
@testable import Relay

/// `learning-window` / `learning-packets` (tandem's own options): parsing, validation, and real packets on both
/// engines — a new source steals the stream inside the window and is dropped as RTP bleed after it.
@Suite struct RelayLearningWindowTests {
    static let engines: [IOEngineKind] = [.uring, .mmsg]

    @Test func fileKeysReachTheDataPlaneWindow() throws {
        let yaml = "learning-window: 1.5\nlearning-packets: 10\n"
        let options = try RelayConfigurationFile.apply(yaml: yaml, file: "relay.yaml", over: RelayOptions())
        #expect(try options.learningWindowLimits() == LearningWindow(packets: 10, nanoseconds: 1_500_000_000))
        #expect(try RelayOptions().learningWindowLimits() == .standard)
        var neither = RelayOptions()
        neither.learningWindow = 0
        #expect(throws: RelayOptionError.self) { try neither.learningWindowLimits() }
        neither.learningPackets = 4
        #expect(try neither.learningWindowLimits() == LearningWindow(packets: 4, nanoseconds: 0))
    }

    @Test(arguments: [("learning-window: soon\n", "number"), ("port-min: 30000\nlearning-window: -1\n", "number"),
                      ("learning-window: 7200\n", "3600"), ("learning-packets: -3\n", "0...1000000")])
    func badValuesNameFileLineAndKey(yaml: String, says: String) {
        let line = yaml.hasPrefix("port-min") ? 2 : 1
        let key = yaml.contains("learning-window") ? "learning-window" : "learning-packets"
        #expect {
            _ = try RelayConfigurationFile.apply(yaml: yaml, file: "relay.yaml", over: RelayOptions())
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("relay.yaml:\(line):") && text.contains("key '\(key)'") && text.contains(says)
        }
    }

    /// A call whose caller sends from a port other than the one its SDP names (a NATed phone), so its stream
    /// really learns (a source equal to the SDP endpoint locks at once).
    private struct NATedCall {
        let caller: DataPlaneTestClient
        let callee: DataPlaneTestClient
        let toRelayCaller: SocketEndpoint
        let toRelayCallee: SocketEndpoint

        init(_ relay: RelayUnderTest, callID: String) throws {
            caller = try DataPlaneTestClient("127.0.0.1")
            callee = try DataPlaneTestClient("127.0.0.1")
            let natted = caller.endpoint.port == 65535 ? caller.endpoint.port - 1 : caller.endpoint.port + 1
            let offer = try relay.offer(callID: callID, fromTag: "ft", sdp: RelaySDP.audio(port: natted))
            let answer = try relay.answer(callID: callID, fromTag: "ft", toTag: "tt",
                                          sdp: RelaySDP.audio(port: callee.endpoint.port))
            guard let offered = RelaySDP.endpoint(in: offer) else { throw RelayTestError.badReply(offer) }
            guard let answered = RelaySDP.endpoint(in: answer) else { throw RelayTestError.badReply(answer) }
            toRelayCallee = offered
            toRelayCaller = answered
        }
    }

    /// The caller's first packet reaches the callee; then two other sources on the caller's side: one that will
    /// move the stream (inside the window) and one that must not (after it).
    private static func firstPacketAndTwoStrangers(_ call: NATedCall) throws -> (DataPlaneTestClient, DataPlaneTestClient) {
        let moved = try DataPlaneTestClient("127.0.0.1")
        let bleeder = try DataPlaneTestClient("127.0.0.1")
        call.caller.send(DataPlaneHarness.payload(1, 0), to: call.toRelayCaller)
        #expect(call.callee.receive(count: 1).count == 1)
        return (moved, bleeder)
    }

    @Test(arguments: engines) func oneSecondWindowLetsANewSourceInThenLocks(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine) { $0.learningWindow = 1 }
        let call = try NATedCall(relay, callID: "window")
        let (moved, bleeder) = try Self.firstPacketAndTwoStrangers(call)
        // Inside the window a new source takes the stream over: the callee's media now goes there.
        moved.send(DataPlaneHarness.payload(1, 1), to: call.toRelayCaller)
        #expect(call.callee.receive(count: 1).count == 1)
        call.callee.send(DataPlaneHarness.payload(2, 0), to: call.toRelayCallee)
        #expect(moved.receive(count: 1).count == 1)
        #expect(call.caller.staysQuiet(milliseconds: 50))
        usleep(1_200_000)  // past the 1 s window (measured from the stream's first packet), well inside 3 s
        bleeder.send(DataPlaneHarness.payload(9, 2), to: call.toRelayCaller)
        #expect(call.callee.staysQuiet(milliseconds: 150))
        #expect(relay.server.currentMetrics().dataPlane.drops(.bleed) == 1)
        call.callee.send(DataPlaneHarness.payload(2, 1), to: call.toRelayCallee)
        #expect(moved.receive(count: 1).count == 1)
        #expect(bleeder.staysQuiet(milliseconds: 50))
    }

    @Test(arguments: engines) func packetLimitEndsTheWindowFirst(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine) {
            $0.learningWindow = 3600
            $0.learningPackets = 2
        }
        let call = try NATedCall(relay, callID: "packets")
        let (moved, bleeder) = try Self.firstPacketAndTwoStrangers(call)
        // The second packet still may move the stream, and ends the window.
        moved.send(DataPlaneHarness.payload(1, 1), to: call.toRelayCaller)
        #expect(call.callee.receive(count: 1).count == 1)
        bleeder.send(DataPlaneHarness.payload(9, 2), to: call.toRelayCaller)
        #expect(call.callee.staysQuiet(milliseconds: 150))
        #expect(relay.server.currentMetrics().dataPlane.drops(.bleed) == 1)
        moved.send(DataPlaneHarness.payload(1, 3), to: call.toRelayCaller)
        #expect(call.callee.receive(count: 1).count == 1)
    }
}
