import CShims
import Glibc
import Testing
@testable import Relay
import TestSupport

/// `tandem relay --kernel …` end to end: the real binary in a relay namespace, ng from the caller namespace, media
/// between caller and callee namespaces through the relay (a hairpin on one switch).
@Suite(.serialized, .enabled(if: LabRequirements.isEnabled))
struct KernelOffloadRelayTests {
    typealias Lab = KernelTestLab

    @Test func offloadedCallFlowsWhileTheRelayIsStoppedAndDeleteRemovesIt() throws {
        let env = try KernelOffloadTestLab()
        let relay = try env.startRelay()
        try #require(relay.isRunning, "\(relay.standardError())")
        let call = try env.setUpCall(1)
        #expect(try env.flowUntilOffloaded([call]), "\(relay.standardError())")
        #expect(env.legElements() == 2)

        // A stopped relay cannot forward anything: what arrives now went through the kernel.
        let before = try env.rtpPackets(call.callID)
        relay.signal(SIGSTOP)
        var delivered = 0
        for _ in 0..<10 { delivered += env.pump([call]) }
        relay.signal(SIGCONT)
        #expect(delivered == 20)

        // The kernel's counters reach `query` and `statistics` (read once a second).
        #expect(try RelayUnderTest.eventually(timeoutMs: 4000) { try env.rtpPackets(call.callID) >= before + 20 })
        #expect(try RelayUnderTest.eventually(timeoutMs: 4000) {
            let statistics = try env.request(["command": .text("statistics")])
            return statistics.value("kernel", "offloadedstreams")?.integerValue == 2
                && statistics.value("kernel", "active")?.integerValue == 1
                && (statistics.value("kernel", "packets")?.integerValue ?? 0) >= 20
        })
        _ = try env.delete(call.callID)
        #expect(env.legElements() == 0)
        #expect(env.pump([call]) == 0)

        relay.terminate()
        let exit = relay.wait(timeout: .seconds(5))
        #expect(exit?.succeeded == true, "\(relay.standardError())")
        #expect(env.tableListing().isEmpty)
        #expect(relay.standardError().contains("kernel table removed"))
    }

    @Test func killedRelayLeavesCallsForwardingAndARestartReadoptsThem() throws {
        let env = try KernelOffloadTestLab()
        let relay = try env.startRelay()
        try #require(relay.isRunning, "\(relay.standardError())")
        let calls = try (0..<100).map { try env.setUpCall($0) }  // issue 4: kill -9 with 100 offloaded calls
        #expect(try env.flowUntilOffloaded(calls, seconds: 25), "\(relay.standardError())")
        #expect(env.legElements() == 200)

        relay.kill()
        #expect(relay.wait(timeout: .seconds(5)) != nil)
        // Nobody is bound on the relay ports now: every delivery is the kernel's.
        #expect(env.pump(calls) == 200)
        #expect(env.pump(calls) == 200)

        let restarted = try env.startRelay()
        try #require(restarted.isRunning, "\(restarted.standardError())")
        #expect(restarted.standardError().contains("re-adopted"))
        #expect(Set(try env.list()) == Set(calls.map(\.callID)))
        #expect(env.pump(calls) == 200)
        // Every call's kernel counters reach `query`: at least the 3 rounds since the kill, both ways. Once the last
        // call shows them, one more counter read (every second at 200 directions) covers them all; then one pass.
        #expect(try RelayUnderTest.eventually(timeoutMs: 4000) { try env.rtpPackets(calls[99].callID) >= 6 })
        usleep(1_200_000)
        var short: [String] = []
        for call in calls {
            let state = try env.rtpState(call.callID)
            if state.inKernel != [true, true] || state.packets < 6 { short.append("\(call.callID): \(state)") }
        }
        #expect(short.isEmpty, "\(short)")
        for call in calls { _ = try env.delete(call.callID) }
        #expect(env.legElements() == 0)
        #expect(try env.list().isEmpty)
        restarted.terminate()
        #expect(restarted.wait(timeout: .seconds(5))?.succeeded == true)
        #expect(env.tableListing().isEmpty)
    }

    @Test func reofferWithANewCalleePortMovesTheStream() throws {
        let env = try KernelOffloadTestLab()
        let relay = try env.startRelay()
        try #require(relay.isRunning, "\(relay.standardError())")
        var call = try env.setUpCall(2)
        #expect(try env.flowUntilOffloaded([call]))
        let oldCallee = call.callee
        try env.moveCallee(&call, to: 46000)
        // Taken back at once: the old elements are gone before the reply.
        #expect(env.legElements() == 0)
        #expect(try env.rtpInKernel(call.callID) == [false, false])
        #expect(try env.flowUntilOffloaded([call]), "\(relay.standardError())")
        let listing = env.tableListing()
        #expect(listing.contains("46000"))
        #expect(!listing.contains("44004"))
        // The caller's media reaches the new callee socket, the old one gets nothing.
        oldCallee.close()
        #expect(env.pump([call]) == 2)
        relay.terminate()
        _ = relay.wait(timeout: .seconds(5))
    }

    @Test func strictSourceIsOffloadedButMediaHandoverStaysInUserspace() throws {
        let env = try KernelOffloadTestLab()
        let relay = try env.startRelay()
        try #require(relay.isRunning, "\(relay.standardError())")
        let strict = try env.setUpCall(5, offerFlags: ["strict source"])
        let handover = try env.setUpCall(6, offerFlags: ["media handover"])
        #expect(try env.flowUntilOffloaded([strict, handover], seconds: 7) == false)
        #expect(try env.rtpInKernel(strict.callID) == [true, true])
        #expect(try env.rtpInKernel(handover.callID) == [false, false])
        #expect(env.pump([strict, handover]) == 4)
        relay.terminate()
        _ = relay.wait(timeout: .seconds(5))
    }

    @Test func rtcpStreamsAreOffloadedToo() throws {
        let env = try KernelOffloadTestLab()
        let relay = try env.startRelay()
        try #require(relay.isRunning, "\(relay.standardError())")
        let call = try env.setUpCall(7)
        // RTCP on RTP port + 1 on both sides (no a=rtcp, no rtcp-mux).
        let callerRTCP = try env.lab.udpSocket(in: env.setup.caller, bind: Lab.callerAddress, port: call.caller.localPort + 1)
        let calleeRTCP = try env.lab.udpSocket(in: env.setup.callee, bind: Lab.calleeAddress, port: call.callee.localPort + 1)
        let rtcp = OffloadCall(callID: call.callID, index: call.index, caller: callerRTCP, callee: calleeRTCP,
                               callerTarget: call.callerTarget + 1, calleeTarget: call.calleeTarget + 1)
        let deadline = tdm_coarse_now_ns() + 12_000_000_000
        var offloaded = false
        while tdm_coarse_now_ns() < deadline, !offloaded {
            for _ in 0..<5 { env.pump([call, rtcp], wait: .milliseconds(30)) }
            offloaded = try env.rtpInKernel(call.callID, kind: "RTCP") == [true, true]
        }
        #expect(offloaded)
        #expect(try env.rtpInKernel(call.callID) == [true, true])
        #expect(env.legElements() == 4)
        relay.signal(SIGSTOP)
        let delivered = env.pump([rtcp])
        relay.signal(SIGCONT)
        #expect(delivered == 2)
        relay.terminate()
        _ = relay.wait(timeout: .seconds(5))
    }

    @Test func aTableThatCannotBeAdoptedIsReplaced() throws {
        let env = try KernelOffloadTestLab()
        // Legs with marks outside the relay's mask: not the relay's own leftovers.
        let foreign = try env.setup.makeForwarder(KernelForwarderConfiguration(markMask: 0x0000_ff00))
        try foreign.createTable()
        try foreign.install(Lab.callEntries)
        #expect(env.legElements() == 2)
        let relay = try env.startRelay()
        try #require(relay.isRunning, "\(relay.standardError())")
        #expect(relay.standardError().contains("could not be adopted and was replaced"))
        #expect(env.legElements() == 0)
        relay.terminate()
        #expect(relay.wait(timeout: .seconds(5))?.succeeded == true)
        #expect(env.tableListing().isEmpty)
    }

    @Test func missingSysctlsAreLoggedOneLineEach() throws {
        let env = try KernelOffloadTestLab()
        try env.lab.setSysctl(env.setup.relay, "net.ipv4.ip_forward", "0")
        try env.lab.setSysctl(env.setup.relay, "net.ipv4.conf.all.send_redirects", "1")
        let relay = try env.startRelay()
        try #require(relay.isRunning, "\(relay.standardError())")
        let log = relay.standardError()
        #expect(log.components(separatedBy: "kernel offload sysctl: net.ipv4.ip_forward is 0").count == 2)
        #expect(log.contains("kernel offload sysctl: net.ipv4.conf.all.send_redirects is 1"))
        #expect(!log.contains("kernel offload sysctl: net.ipv4.conf.eth0"))
        relay.terminate()
        _ = relay.wait(timeout: .seconds(5))
    }

    @Test func idleOffloadedStreamStillTimesOut() throws {
        let env = try KernelOffloadTestLab()
        let relay = try env.startRelay(extra: ["--timeout", "4"])
        try #require(relay.isRunning, "\(relay.standardError())")
        let call = try env.setUpCall(3)
        #expect(try env.flowUntilOffloaded([call]))
        // Media only in the kernel for longer than the timeout: the kernel counters keep the call alive.
        for _ in 0..<30 {
            env.pump([call], wait: .milliseconds(50))
            usleep(150_000)
        }
        #expect(try env.list() == [call.callID])
        // Silence: the call times out and its elements go.
        #expect(try RelayUnderTest.eventually(timeoutMs: 9000) { try env.list().isEmpty })
        #expect(env.legElements() == 0)
        #expect(relay.standardError().contains("call timed out"))
        relay.terminate()
        _ = relay.wait(timeout: .seconds(5))
    }

    /// One-sided silence while the kernel forwards: the sending side's kernel counters keep moving, the silent
    /// side's do not, and the same session rule ends the call with `silent-timeout` (not `timeout`).
    @Test func offloadedCallWithOneSilentSideEndsWithSilentTimeout() throws {
        let env = try KernelOffloadTestLab()
        let relay = try env.startRelay(extra: ["--timeout", "30", "--silent-timeout", "4"])
        try #require(relay.isRunning, "\(relay.standardError())")
        let call = try env.setUpCall(5)
        #expect(try env.flowUntilOffloaded([call]))
        let payload = [UInt8](repeating: 0x42, count: 172)
        var delivered = 0
        var gone = false
        let deadline = tdm_coarse_now_ns() + 12_000_000_000
        while tdm_coarse_now_ns() < deadline {
            try? sendTolerantly(call.caller, payload, to: call.relayAddress, port: call.callerTarget)
            if ((try? call.callee.receive(timeout: .milliseconds(150))) ?? nil) != nil { delivered += 1 }
            if try env.list().isEmpty {
                gone = true
                break
            }
        }
        #expect(gone, "\(relay.standardError())")
        #expect(delivered >= 10)
        #expect(env.legElements() == 0)
        let log = relay.standardError()
        #expect(log.contains("call timed out") && log.contains("silent-timeout"))
        relay.terminate()
        _ = relay.wait(timeout: .seconds(5))
    }

    @Test func withoutNetAdminAutoFallsBackAndRequireRefusesToStart() throws {
        let env = try KernelOffloadTestLab()
        let drop = ["setpriv", "--inh-caps=-net_admin", "--bounding-set=-net_admin", "--"]
        let relay = try env.startRelay(kernel: "auto", prefix: drop)
        try #require(relay.isRunning, "\(relay.standardError())")
        #expect(relay.standardError().contains("kernel offload unavailable"))
        let call = try env.setUpCall(4)
        #expect(env.pump([call]) == 2)
        #expect(try env.rtpInKernel(call.callID) == [false, false])
        #expect(env.tableListing().isEmpty)
        relay.terminate()
        _ = relay.wait(timeout: .seconds(5))

        let strict = try env.lab.spawn(env.setup.relay, drop + [
            KernelOffloadTestLab.binary, "relay", "--interface", Lab.relayAddress,
            "--listen-ng", "\(Lab.relayAddress):2224", "--kernel", "require", "--listen-metrics", "",
            "--data-dir", env.dataDirectory,
        ])
        let exit = strict.wait(timeout: .seconds(10))
        #expect(exit != nil && exit?.succeeded == false)
        #expect(strict.standardError().contains("kernel offload required (--kernel require) but unavailable"))
    }
}
