import Glibc
import Testing
@testable import Relay
import TestSupport

/// Issue 4: "A stream from an unexpected source is not forwarded in the kernel", through the relay. The kernel key
/// holds the learned source, so a stranger's packet to an offloaded port misses it and reaches the relay's socket,
/// where the userspace rules drop it (`bleed` after learning, `strict_source` with strict source).
@Suite(.serialized, .enabled(if: LabRequirements.isEnabled))
struct KernelOffloadUnexpectedSourceTests {
    typealias Lab = KernelTestLab
    static let otherCallerAddress = "10.77.40.12"

    @Test func strangersToAnOffloadedPortAreNotForwardedAndUserspaceDropsThem() throws {
        let env = try KernelOffloadTestLab()
        try env.lab.addAddress("\(Self.otherCallerAddress)/24", to: "eth0", in: env.setup.caller)
        let relay = try env.startRelay(metrics: "\(Lab.relayAddress):9102")
        try #require(relay.isRunning, "\(relay.standardError())")
        let plain = try env.setUpCall(20)
        let strict = try env.setUpCall(21, offerFlags: ["strict source"])
        #expect(try env.flowUntilOffloaded([plain, strict]), "\(relay.standardError())")
        let bleedBefore = try env.drops("bleed")
        let strictBefore = try env.drops("strict_source")
        #expect(bleedBefore >= 0 && strictBefore >= 0)

        // Same caller namespace, another port; and another address.
        let otherPort = try env.lab.udpSocket(in: env.setup.caller, bind: Lab.callerAddress, port: 41950)
        let otherAddress = try env.lab.udpSocket(in: env.setup.caller, bind: Self.otherCallerAddress, port: 40040)
        let payload = [UInt8](repeating: 0x42, count: 172)

        // With the relay stopped only the kernel forwards: the real peers' packets arrive, the strangers' do not.
        relay.signal(SIGSTOP)
        var strangerDeliveries = 0
        var peerDeliveries = 0
        for _ in 0..<3 {
            for call in [plain, strict] {
                for stranger in [otherPort, otherAddress] {
                    try sendTolerantly(stranger, payload, to: Lab.relayAddress, port: call.callerTarget)
                }
                if ((try? call.callee.receive(timeout: .milliseconds(100))) ?? nil) != nil { strangerDeliveries += 1 }
            }
            peerDeliveries += env.pump([plain, strict])
        }
        relay.signal(SIGCONT)
        #expect(strangerDeliveries == 0)
        #expect(peerDeliveries == 12)

        // Running again, the relay reads the 12 queued strangers' packets and drops them; none reaches the callee.
        #expect(try RelayUnderTest.eventually(timeoutMs: 4000) {
            try env.drops("bleed") >= bleedBefore + 6 && env.drops("strict_source") >= strictBefore + 6
        })
        for call in [plain, strict] {
            #expect(((try? call.callee.receive(timeout: .milliseconds(200))) ?? nil) == nil)
        }
        // The streams were not stolen: still in the kernel, and the peers' media still flows.
        #expect(try env.rtpInKernel(plain.callID) == [true, true])
        #expect(try env.rtpInKernel(strict.callID) == [true, true])
        #expect(env.pump([plain, strict]) == 4)
        relay.terminate()
        _ = relay.wait(timeout: .seconds(5))
    }
}
