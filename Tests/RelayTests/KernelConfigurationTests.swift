import Testing
@testable import Relay

/// The parts of the kernel path that need no kernel: configuration, mark allocation, entry validation, `off`.
@Suite struct KernelConfigurationTests {
    @Test func markMaskMustBeOneContiguousRun() {
        #expect(throws: Never.self) { try KernelForwarderConfiguration(markMask: 0xffff_0000).validate() }
        #expect(throws: Never.self) { try KernelForwarderConfiguration(markMask: 0x0000_ff00).validate() }
        #expect(throws: KernelForwarderError.self) { try KernelForwarderConfiguration(markMask: 0).validate() }
        #expect(throws: KernelForwarderError.self) { try KernelForwarderConfiguration(markMask: 0xff00_ff00).validate() }
        #expect(throws: KernelForwarderError.self) { try KernelForwarderConfiguration(tableName: "bad name").validate() }
        #expect(throws: KernelForwarderError.self) { try KernelForwarderConfiguration(tableName: "").validate() }
        #expect(KernelForwarderConfiguration(markMask: 0x00ff_0000).markCapacity == 255)
    }

    @Test func marksStayInsideTheMaskAndAreReused() {
        var allocator = KernelMarkAllocator(configuration: KernelForwarderConfiguration(markMask: 0x0000_0300))
        let marks = (0..<3).compactMap { _ in allocator.allocate() }
        #expect(marks == [0x100, 0x200, 0x300])
        #expect(allocator.allocate() == nil)
        allocator.release(0x200)
        #expect(allocator.allocate() == 0x200)
        allocator.reset(inUse: [0x300])
        #expect(allocator.allocate() == 0x100)
        #expect(allocator.allocate() == 0x200)
        #expect(allocator.allocate() == nil)
    }

    @Test func ipv6AndPortZeroAreRejected() throws {
        let v6 = try #require(SocketEndpoint(address: "fd77::1", port: 4000))
        let v4 = SocketEndpoint.ipv4(10, 77, 0, 1, port: 4000)
        let entry = KernelStreamEntry(key: KernelStreamKey(peer: v6, local: v4), source: v4, destination: v4)
        #expect(throws: KernelForwarderError.self) { try entry.validate() }
        let zero = KernelStreamEntry(key: KernelStreamKey(peer: v4, local: v4), source: v4,
                                     destination: .ipv4(10, 77, 0, 2, port: 0))
        #expect(throws: KernelForwarderError.self) { try zero.validate() }
    }

    @Test func pairRewritesEachSideToTheOther() {
        let a = SocketEndpoint.ipv4(10, 77, 0, 2, port: 5000), b = SocketEndpoint.ipv4(10, 77, 0, 3, port: 5002)
        let la = SocketEndpoint.ipv4(10, 77, 0, 1, port: 30000), lb = SocketEndpoint.ipv4(10, 77, 0, 1, port: 30002)
        let pair = KernelStreamEntry.pair(peerA: a, localA: la, peerB: b, localB: lb)
        #expect(pair[0] == KernelStreamEntry(key: KernelStreamKey(peer: a, local: la), source: lb, destination: b))
        #expect(pair[1] == KernelStreamEntry(key: KernelStreamKey(peer: b, local: lb), source: la, destination: a))
        let raw = pair[0].raw(mark: 0x10000, withLeg: true)
        #expect(KernelStreamEntry.endpoint(networkOrder: raw.peer_addr, port: raw.peer_port) == a)
        #expect(KernelStreamEntry.endpoint(networkOrder: raw.out_daddr, port: raw.out_dport) == b)
    }

    @Test func offModeNeverTouchesTheKernel() throws {
        guard case .userspace(let reason) = try KernelMode.off.start() else {
            Issue.record("off must choose userspace")
            return
        }
        #expect(reason.contains("--kernel off"))
        #expect(KernelMode(rawValue: "auto") == .auto && KernelMode(rawValue: "require") == .require)
    }

    @Test func errnoClassification() {
        #expect(KernelForwarderError.from(-1, operation: "x") == .missingCapability(operation: "x"))   // EPERM
        #expect(KernelForwarderError.from(-95, operation: "x").isEnvironmentProblem)                  // EOPNOTSUPP
        #expect(KernelForwarderError.from(-2, operation: "x", creating: true).isEnvironmentProblem)   // ENOENT
        #expect(!KernelForwarderError.from(-2, operation: "x").isEnvironmentProblem)
    }
}
