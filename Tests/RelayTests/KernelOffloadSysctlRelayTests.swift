import Glibc
import Testing
@testable import Relay
import TestSupport

/// `tandem relay --kernel-sysctls check|set` in a relay namespace (sysctls are per network namespace, so the test
/// can break and fix them freely).
@Suite(.serialized, .enabled(if: LabRequirements.isEnabled))
struct KernelOffloadSysctlRelayTests {
    typealias Lab = KernelTestLab

    /// What the test breaks, and the value `set` must leave.
    static let broken: [(key: String, bad: String, fixed: String)] = [
        ("net.ipv4.ip_forward", "0", "1"),
        ("net.ipv4.conf.all.rp_filter", "1", "2"),
        ("net.ipv4.conf.eth0.rp_filter", "1", "2"),
        ("net.ipv4.conf.eth0.send_redirects", "1", "0"),
        ("net.ipv6.conf.all.forwarding", "0", "1"),
    ]

    @Test func checkLeavesMissingSysctlsAndNamesThemWhileSetSetsThemWithOneLineEach() throws {
        let env = try KernelOffloadTestLab(ipv6: true)
        let namespace = env.setup.relay
        for item in Self.broken { try env.lab.setSysctl(namespace, item.key, item.bad) }
        let dualStack = ["int6/\(Lab.relayAddress6)", "int4/\(Lab.relayAddress)"]  // IPv6 first: the calls use it

        // IPv4 media only: IPv6 forwarding is not needed, so not named.
        let ipv4Only = try env.startRelay(interfaces: [Lab.relayAddress])
        try #require(ipv4Only.isRunning, "\(ipv4Only.standardError())")
        ipv4Only.terminate()
        _ = ipv4Only.wait(timeout: .seconds(5))
        #expect(!ipv4Only.standardError().contains("net.ipv6.conf.all.forwarding"))

        // `check` (the default): nothing changes, one line per missing sysctl.
        let checking = try env.startRelay(interfaces: dualStack)
        try #require(checking.isRunning, "\(checking.standardError())")
        checking.terminate()
        _ = checking.wait(timeout: .seconds(5))
        let checkLog = checking.standardError()
        for item in Self.broken {
            #expect(try env.lab.readSysctl(namespace, item.key) == item.bad, "\(item.key)")
            let line = "kernel offload sysctl: \(item.key) is \(item.bad), needs"
            #expect(checkLog.components(separatedBy: line).count == 2, "\(item.key): \(checkLog)")
        }
        #expect(checkLog.contains("(--kernel-sysctls set would set it)"))
        #expect(!checkLog.contains("kernel offload sysctl: set "))

        // `set`: every one is set, one line per change, and no warning is left.
        let setting = try env.startRelay(extra: ["--kernel-sysctls", "set"], interfaces: dualStack)
        try #require(setting.isRunning, "\(setting.standardError())")
        for item in Self.broken {
            #expect(try env.lab.readSysctl(namespace, item.key) == item.fixed, "\(item.key)")
        }
        // Media still flows through the kernel with what `set` left.
        let call = try env.setUpCall(1)
        #expect(try env.flowUntilOffloaded([call]), "\(setting.standardError())")
        setting.signal(SIGSTOP)
        let delivered = env.pump([call])
        setting.signal(SIGCONT)
        #expect(delivered == 2)
        setting.terminate()
        _ = setting.wait(timeout: .seconds(5))
        let setLog = setting.standardError()
        for item in Self.broken {
            let line = "kernel offload sysctl: set \(item.key) from \(item.bad) to \(item.fixed)"
            #expect(setLog.components(separatedBy: line).count == 2, "\(item.key): \(setLog)")
        }
        #expect(!setLog.contains(", needs "))
    }
}
