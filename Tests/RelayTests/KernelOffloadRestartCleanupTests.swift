import Foundation
import Glibc
import Testing
@testable import Relay
import TestSupport

/// Restart after `kill -9` when the table holds elements the journal has no record for: those of calls whose
/// record never reached the disk, and a leg pair someone else put into the relay's maps. The relay re-adopts what
/// it knows and removes the rest.
@Suite(.serialized, .enabled(if: LabRequirements.isEnabled))
struct KernelOffloadRestartCleanupTests {
    typealias Lab = KernelTestLab

    /// Two relay ports outside the relay's range (30000–30999): the relay never binds them.
    static let strangerPorts: (UInt16, UInt16) = (31500, 31502)
    static let strangerCallerPort: UInt16 = 41900
    static let strangerCalleePort: UInt16 = 45900

    @Test func restartReadoptsRecordedCallsAndRemovesElementsWithoutARecord() throws {
        let env = try KernelOffloadTestLab()
        let relay = try env.startRelay()
        try #require(relay.isRunning, "\(relay.standardError())")
        let calls = try (10..<16).map { try env.setUpCall($0) }
        #expect(try env.flowUntilOffloaded(calls), "\(relay.standardError())")
        #expect(env.legElements() == 12)

        relay.kill()
        #expect(relay.wait(timeout: .seconds(5)) != nil)
        let kept = Array(calls.prefix(4))
        let unrecorded = Array(calls.suffix(2))
        try env.dropJournalRecords(unrecorded.map(\.callID))
        let stranger = try injectLegPair(env)
        #expect(env.legElements() == 14)
        // While nobody runs, the kernel forwards all of them, the injected pair too.
        #expect(env.pump(calls + [stranger]) == 14)

        let restarted = try env.startRelay()
        try #require(restarted.isRunning, "\(restarted.standardError())")
        #expect(restarted.standardError().contains("re-adopted"))
        #expect(env.legElements() == 8, "\(env.tableListing())")
        #expect(Set(try env.list()) == Set(kept.map(\.callID)))
        for call in kept { #expect(try env.rtpInKernel(call.callID) == [true, true]) }
        // Nothing left in the rewrite maps for the removed legs either.
        let listing = env.tableListing()
        #expect(!listing.contains("31500") && !listing.contains("31502"))
        #expect(!listing.contains("0x0fa00000") && !listing.contains("0x0fa10000"))
        #expect(env.pump(kept) == 8)
        #expect(env.pump(unrecorded + [stranger]) == 0)

        for call in kept { _ = try env.delete(call.callID) }
        #expect(env.legElements() == 0)
        restarted.terminate()
        #expect(restarted.wait(timeout: .seconds(5))?.succeeded == true)
        #expect(env.tableListing().isEmpty)
    }

    /// Adds a complete leg pair with `nft` (marks inside the relay's mask, unused by it): caller:41900 ⇄
    /// relay:31500 | relay:31502 ⇄ callee:45900. Returns it as a call of the lab.
    private func injectLegPair(_ env: KernelOffloadTestLab) throws -> OffloadCall {
        let (portA, portB) = Self.strangerPorts
        let caller = Lab.callerAddress, callee = Lab.calleeAddress, relay = Lab.relayAddress
        let markA = "0x0fa00000", markB = "0x0fa10000"
        let commands = [
            "add element ip tandem leg_mark { \(caller) . \(Self.strangerCallerPort) . \(relay) . \(portA) : \(markA), "
                + "\(callee) . \(Self.strangerCalleePort) . \(relay) . \(portB) : \(markB) }",
            "add element ip tandem out_daddr { \(markA) : \(callee), \(markB) : \(caller) }",
            "add element ip tandem out_dport { \(markA) : \(Self.strangerCalleePort), \(markB) : \(Self.strangerCallerPort) }",
            "add element ip tandem out_saddr { \(markA) : \(relay), \(markB) : \(relay) }",
            "add element ip tandem out_sport { \(markA) : \(portB), \(markB) : \(portA) }",
        ]
        for command in commands {
            _ = try env.setup.nft(command.split(separator: " ").map(String.init))
        }
        let callerSocket = try env.lab.udpSocket(in: env.setup.caller, bind: caller, port: Self.strangerCallerPort)
        let calleeSocket = try env.lab.udpSocket(in: env.setup.callee, bind: callee, port: Self.strangerCalleePort)
        return OffloadCall(callID: "not-recorded", index: 99, caller: callerSocket, callee: calleeSocket,
                           callerTarget: portA, calleeTarget: portB)
    }
}
