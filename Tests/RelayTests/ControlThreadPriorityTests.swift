import Testing
@testable import Relay

/// With the kernel path on, the control thread runs at full priority only while streams may be waiting for
/// offload, and yields to the kernel's forwarding otherwise.
@Suite struct ControlThreadPriorityTests {
    @Test func fullPriorityOnlyWhileRulesAreRecentlyPending() {
        let window = RelayServer.offloadRecentMilliseconds
        #expect(RelayServer.controlThreadNice(latestPendingChange: 0, now: 5_000) == RelayServer.controlThreadNice)
        #expect(RelayServer.controlThreadNice(latestPendingChange: 1_000, now: 1_000) == 0)
        #expect(RelayServer.controlThreadNice(latestPendingChange: 1_000, now: 1_000 + window - 1) == 0)
        #expect(RelayServer.controlThreadNice(latestPendingChange: 1_000, now: 1_000 + window)
                == RelayServer.controlThreadNice)
    }
}

/// The offload checks run only when a latch locked or a rule changed since their last run.
@Suite struct OffloadCheckGateTests {
    @Test func runsOnNewLocksOrARecheckOnly() {
        var gate = OffloadCheckGate()
        var runs: [Bool] = []
        runs.append(gate.shouldRun(latchLocks: 0))
        runs.append(gate.shouldRun(latchLocks: 3))
        runs.append(gate.shouldRun(latchLocks: 3))
        gate.recheck()
        runs.append(gate.shouldRun(latchLocks: 3))
        runs.append(gate.shouldRun(latchLocks: 3))
        #expect(runs == [false, true, false, true, false])
    }
}
