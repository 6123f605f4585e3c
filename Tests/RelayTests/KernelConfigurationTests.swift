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

    @Test func mixedFamiliesAndPortZeroAreRejected() throws {
        let v6 = try #require(SocketEndpoint(address: "fd77::1", port: 4000))
        let v4 = SocketEndpoint.ipv4(10, 77, 0, 1, port: 4000)
        let entry = KernelStreamEntry(key: KernelStreamKey(peer: v6, local: v4), source: v4, destination: v4)
        #expect(throws: KernelForwarderError.self) { try entry.validate() }
        let crossing = KernelStreamEntry(key: KernelStreamKey(peer: v4, local: v4), source: v6, destination: v6)
        #expect(throws: KernelForwarderError.self) { try crossing.validate() }
        let v6Only = KernelStreamEntry(key: KernelStreamKey(peer: v6, local: v6), source: v6, destination: v6)
        #expect(throws: Never.self) { try v6Only.validate() }
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
        #expect(raw.ip_version == 4)
        #expect(KernelStreamEntry.endpoint(raw.peer_addr, length: 4, port: raw.peer_port) == a)
        #expect(KernelStreamEntry.endpoint(raw.out_daddr, length: 4, port: raw.out_dport) == b)
    }

    @Test func ipv6EntryKeepsAllSixteenAddressBytes() throws {
        let a = try #require(SocketEndpoint(address: "fd77:40::2", port: 5000))
        let b = try #require(SocketEndpoint(address: "fd77:40::3", port: 5002))
        let la = try #require(SocketEndpoint(address: "fd77:40::1", port: 30000))
        let lb = try #require(SocketEndpoint(address: "fd77:40::1", port: 30002))
        let raw = KernelStreamEntry.pair(peerA: a, localA: la, peerB: b, localB: lb)[0].raw(mark: 0x20000, withLeg: true)
        #expect(raw.ip_version == 6)
        #expect(KernelStreamEntry.endpoint(raw.peer_addr, length: 16, port: raw.peer_port) == a)
        #expect(KernelStreamEntry.endpoint(raw.local_addr, length: 16, port: raw.local_port) == la)
        #expect(KernelStreamEntry.endpoint(raw.out_saddr, length: 16, port: raw.out_sport) == lb)
        #expect(KernelStreamEntry.endpoint(raw.out_daddr, length: 16, port: raw.out_dport) == b)
        #expect(KernelStreamEntry.endpoint(raw.out_daddr, length: 7, port: 1) == nil)
    }

    @Test func onlyRoutableAddressesOfOneFamilyAreOffloadable() throws {
        func endpoint(_ text: String) throws -> SocketEndpoint { try #require(SocketEndpoint(address: text, port: 4000)) }
        #expect(DataPlaneExecutor.isOffloadable(try endpoint("fd77::1")))
        #expect(DataPlaneExecutor.isOffloadable(try endpoint("2001:db8::1")))
        #expect(DataPlaneExecutor.isOffloadable(try endpoint("10.0.0.1")))
        #expect(!DataPlaneExecutor.isOffloadable(try endpoint("fe80::1")))
        #expect(!DataPlaneExecutor.isOffloadable(try endpoint("::ffff:10.0.0.1")))
        #expect(DataPlaneExecutor.isLoopback(try endpoint("::1")))
        #expect(DataPlaneExecutor.isLoopback(try endpoint("127.0.0.2")))
        #expect(!DataPlaneExecutor.isLoopback(try endpoint("fd77::1")))
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

    @Test func kernelSysctlsKeyTakesCheckOrSetAndNamesFileLineAndKeyOtherwise() throws {
        #expect(RelayOptions().kernelSysctls == .check)
        let options = try RelayConfigurationFile.apply(yaml: "kernel: require\nkernel-sysctls: set\n", file: "relay.yaml",
                                                       over: RelayOptions())
        #expect(options.kernelSysctls == .set)
        #expect {
            _ = try RelayConfigurationFile.apply(yaml: "kernel: auto\nkernel-sysctls: fix\n", file: "relay.yaml",
                                                 over: RelayOptions())
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("relay.yaml:2:") && text.contains("key 'kernel-sysctls'") && text.contains("check or set")
        }
    }
}
