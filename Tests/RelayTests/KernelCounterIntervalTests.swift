import Testing
@testable import Relay

/// How often the relay reads the kernel counters: every second for small tables, less often for large ones (the
/// dump's cost grows with the elements), never so rarely that a call timeout fires late by more than a quarter.
@Suite struct KernelCounterIntervalTests {
    @Test func everySecondForSmallTables() {
        #expect(RelayServer.kernelCounterInterval(offloadedDirections: 0, timeouts: [60, 3600]) == 1)
        #expect(RelayServer.kernelCounterInterval(offloadedDirections: 1999, timeouts: [60, 3600]) == 1)
    }

    @Test func slowerForLargeTablesUpToFiveSeconds() {
        #expect(RelayServer.kernelCounterInterval(offloadedDirections: 4000, timeouts: [60, 3600]) == 3)
        #expect(RelayServer.kernelCounterInterval(offloadedDirections: 10_000, timeouts: [60, 3600]) == 5)
        #expect(RelayServer.kernelCounterInterval(offloadedDirections: 60_000, timeouts: [60, 3600]) == 5)
    }

    @Test func boundedByTheShortestTimeout() {
        #expect(RelayServer.kernelCounterInterval(offloadedDirections: 10_000, timeouts: [8, 3600]) == 2)
        #expect(RelayServer.kernelCounterInterval(offloadedDirections: 10_000, timeouts: [4, 3600]) == 1)
        #expect(RelayServer.kernelCounterInterval(offloadedDirections: 10_000, timeouts: [0, 12]) == 3)
    }
}
