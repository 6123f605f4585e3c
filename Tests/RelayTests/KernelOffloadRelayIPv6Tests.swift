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

    /// `kill -9` leaves IPv6 calls forwarding in the ip6 table; the restarted relay re-adopts them from the journal
    /// (which records IPv6 endpoints) and the table.
    @Test func killedRelayLeavesIPv6CallsForwardingAndARestartReadoptsThem() throws {
        let env = try KernelOffloadTestLab(ipv6: true)
        let relay = try env.startRelay()
        defer { relay.terminate() }
        try #require(relay.isRunning, "\(relay.standardError())")
        let calls = try (0..<3).map { try env.setUpCall($0) }
        #expect(try env.flowUntilOffloaded(calls), "\(relay.standardError())")
        #expect(env.legElements() == 6)
        relay.kill()
        #expect(relay.wait(timeout: .seconds(5)) != nil)
        #expect(env.pump(calls) == 6)

        let restarted = try env.startRelay()
        defer { restarted.terminate() }
        try #require(restarted.isRunning, "\(restarted.standardError())")
        #expect(restarted.standardError().contains("re-adopted"))
        #expect(Set(try env.list()) == Set(calls.map(\.callID)))
        for call in calls { #expect(try env.rtpInKernel(call.callID) == [true, true]) }
        #expect(env.pump(calls) == 6)
        for call in calls { _ = try env.delete(call.callID) }
        #expect(env.legElements() == 0)
        restarted.terminate()
        #expect(restarted.wait(timeout: .seconds(5))?.succeeded == true)
        #expect(env.tableListing().isEmpty)
    }

    /// One leg IPv4, the other IPv6 (ng `direction` across two interfaces): a rewrite in one family's table cannot
    /// turn an IPv4 packet into an IPv6 one, so the call is relayed in userspace and never reaches the kernel.
    @Test func mixedFamilyCallStaysInUserspace() throws {
        typealias Lab = KernelTestLab
        let env = try KernelOffloadTestLab(ipv6: true)
        let relay = try env.startRelay(interfaces: ["int4/\(Lab.relayAddress)", "int6/\(Lab.relayAddress6)"])
        defer { relay.terminate() }
        try #require(relay.isRunning, "\(relay.standardError())")
        let caller = try env.lab.udpSocket(in: env.setup.caller, bind: Lab.callerAddress, port: 40100)
        let callee = try env.lab.udpSocket(in: env.setup.callee, bind: Lab.calleeAddress6, port: 44100)
        let offer = try env.request([
            "command": .text("offer"), "call-id": .text("mixed"), "from-tag": .text("fm"),
            "direction": .list([.text("int4"), .text("int6")]),
            "sdp": .text(KernelOffloadTestLab.sdp(Lab.callerAddress, port: caller.localPort)),
        ])
        let answer = try env.request([
            "command": .text("answer"), "call-id": .text("mixed"), "from-tag": .text("fm"), "to-tag": .text("tm"),
            "sdp": .text(KernelOffloadTestLab.sdp(Lab.calleeAddress6, port: callee.localPort)),
        ])
        let toCallee = try #require(RelaySDP.endpoint(in: offer), "\(offer)")
        let toCaller = try #require(RelaySDP.endpoint(in: answer), "\(answer)")
        #expect(toCallee.family == AF_INET6 && toCaller.family == AF_INET)
        let call = OffloadCall(callID: "mixed", index: 0, caller: caller, callee: callee, callerTarget: toCaller.port,
                               calleeTarget: toCallee.port)
        let payload = [UInt8](repeating: 0x46, count: 100)
        var toCalleeCount = 0, toCallerCount = 0
        // Long enough for several offload checks (every 50 ms after a latch locks, and the 1 s clock).
        let deadline = tdm_coarse_now_ns() + 1_500_000_000
        while tdm_coarse_now_ns() < deadline {
            try sendTolerantly(caller, payload, to: Lab.relayAddress, port: toCaller.port)
            try sendTolerantly(callee, payload, to: Lab.relayAddress6, port: toCallee.port)
            if try callee.receive(timeout: .milliseconds(100)) != nil { toCalleeCount += 1 }
            if try caller.receive(timeout: .milliseconds(100)) != nil { toCallerCount += 1 }
        }
        call.drain()
        #expect(toCalleeCount >= 10 && toCallerCount >= 10, "relayed in userspace: \(toCalleeCount)/\(toCallerCount)")
        #expect(try env.rtpInKernel("mixed") == [false, false])
        let v4Elements = try env.lab.run(env.setup.relay, ["nft", "list", "map", "ip", "tandem", "leg_mark"]).stdout
        #expect(!v4Elements.contains("elements"))
        #expect(env.legElements() == 0)
        // Filtered before `install` (which would refuse it and count an install error).
        let statistics = try env.request(["command": .text("statistics")])
        #expect(statistics.value("kernel", "installerrors")?.integerValue == 0, "\(statistics)")
        #expect(statistics.value("kernel", "active")?.integerValue == 1)
    }
}
