import CShims
import Glibc
import Testing
@testable import Relay
import TestSupport

/// `tandem relay --kernel require` with an IPv6 media interface: an ng offer/answer with `IN IP6` SDP ends up in
/// the `ip6` table, keeps flowing while the relay is stopped, and `delete` removes its elements.
@Suite(.serialized, .enabled(if: LabRequirements.isEnabled))
struct KernelOffloadRelayIPv6Tests {
    @Test func ipv6CallIsOffloadedFlowsWhileTheRelayIsStoppedAndDeleteRemovesIt() throws {
        let env = try KernelOffloadTestLab(ipv6: true)
        let relay = try env.startRelay()
        defer { relay.terminate() }
        try #require(relay.isRunning, "\(relay.standardError())")
        let call = try env.setUpCall(1)
        #expect(try env.flowUntilOffloaded([call]), "\(relay.standardError())")
        #expect(env.legElements() == 2)

        // A stopped relay cannot forward anything: what arrives now went through the kernel's ip6 table.
        let before = try env.rtpPackets(call.callID)
        relay.signal(SIGSTOP)
        var delivered = 0
        for _ in 0..<10 { delivered += env.pump([call]) }
        relay.signal(SIGCONT)
        #expect(delivered == 20)
        #expect(try RelayUnderTest.eventually(timeoutMs: 4000) { try env.rtpPackets(call.callID) >= before + 20 })

        _ = try env.delete(call.callID)
        #expect(env.legElements() == 0)
        #expect(env.pump([call]) == 0)
        relay.terminate()
        #expect(relay.wait(timeout: .seconds(5))?.succeeded == true, "\(relay.standardError())")
        #expect(env.tableListing().isEmpty)
    }
}
