import Testing
@testable import Relay

@Suite struct DataPlaneEngineSelectionTests {
    /// This machine has io_uring enabled (kernel.io_uring_disabled = 0), so auto must pick it.
    @Test func autoPicksURingHere() throws {
        let selection = IOEngineProbe.select(.auto)
        #expect(selection.kind == .uring, "\(selection.reason)")
        #expect(IOEngineProbe.uringUnavailableReason() == nil)
        let plane = try DataPlaneHarness.makePlane(.auto)
        defer { plane.stop() }
        #expect(plane.engine.kind == .uring && !plane.engine.reason.isEmpty)
    }

    @Test func forcingMmsgWorks() throws {
        let plane = try DataPlaneHarness.makePlane(.mmsg)
        defer { plane.stop() }
        #expect(plane.engine.kind == .mmsg && plane.engine.reason.contains("forced"))
        let client = try DataPlaneTestClient("127.0.0.2")
        let receiver = try DataPlaneTestClient("127.0.0.3")
        let legA = try DataPlaneHarness.makeLeg(plane)
        let legB = try DataPlaneHarness.makeLeg(plane, besides: legA.id)
        #expect(try DataPlaneHarness.apply(plane, legA.id, Forwarding(peer: legB.id)))
        #expect(try DataPlaneHarness.apply(plane, legB.id, Forwarding(peer: legA.id, advertised: receiver.endpoint)))
        client.send([1, 2, 3], to: legA.endpoint)
        #expect(receiver.receive()?.payload == [1, 2, 3])
    }

    @Test func stopIsIdempotentAndRejectsCommands() throws {
        let plane = try DataPlaneHarness.makePlane(.auto)
        let leg = try DataPlaneHarness.makeLeg(plane)
        plane.stop()
        plane.stop()
        #expect(throws: DataPlaneError.stopped) { try plane.updateForwarding(leg.id, Forwarding()) }
        // Stop closed the socket: the port can be bound again.
        let fd = try UDPSocket.bind(leg.endpoint)
        #expect(fd >= 0)
        _ = DataPlaneTestClient.close(fd)
    }

    @Test func fileDescriptorLimitNeverShrinks() {
        let (old, new) = FileDescriptorLimit.raise()
        #expect(new >= old && old > 0)
    }
}
