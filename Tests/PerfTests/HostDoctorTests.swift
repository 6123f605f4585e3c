import Testing
@testable import Perf

/// Every rule of `tandem perf doctor`, from made-up facts.
@Suite struct HostDoctorTests {
    /// A host on which every check passes.
    static func healthy() -> HostFacts {
        var f = HostFacts()
        f.ioUringDisabled = 0
        f.ioUringProbe = .passed
        f.nftablesProbe = .passed
        f.hasCapNetAdmin = true
        f.kernelSysctlProblems = []
        f.rmemMax = 4 << 20
        f.wmemMax = 4 << 20
        f.openFilesSoft = 1 << 20
        f.openFilesHard = 1 << 20
        f.cpuCount = 4
        f.scalingGovernors = ["performance", "performance", "performance", "performance"]
        f.nics = [.init(name: "eth0", rxQueues: 4, rpsMasks: ["0", "0", "0", "0"])]
        f.localPortRange = 32768...60999
        f.sippPath = "/usr/bin/sipp"
        f.rtpenginePath = "/usr/bin/rtpengine"
        f.kamailioPath = "/usr/sbin/kamailio"
        return f
    }

    let doctor = HostDoctor(settings: .init(portMin: 20000, portMax: 29999))

    func findings(_ check: String, _ facts: HostFacts, doctor: HostDoctor? = nil) -> [DoctorFinding] {
        (doctor ?? self.doctor).evaluate(facts).filter { $0.check == check }
    }

    @Test func healthyHostIsAllOK() {
        let all = doctor.evaluate(Self.healthy())
        #expect(all.allSatisfy { $0.severity == .ok }, "\(all.filter { $0.severity != .ok })")
        #expect(HostDoctor.worst(all) == .ok)
        #expect(all.allSatisfy { $0.fix == nil })
    }

    @Test func ioUringSysctlAndProbe() {
        var f = Self.healthy()
        f.ioUringDisabled = 2
        f.ioUringProbe = .failed(reason: "io_uring_queue_init: Operation not permitted")
        let uring = findings("io_uring", f)
        #expect(uring.count == 1 && uring[0].severity == .warn && uring[0].detail.contains("not permitted"))
        let sysctl = findings("io_uring_disabled", f)
        #expect(sysctl.first?.fix == "sysctl -w kernel.io_uring_disabled=0")
        f.ioUringDisabled = 1
        #expect(findings("io_uring_disabled", f).first?.detail.contains("privileged") == true)
    }

    @Test func nftablesFixDependsOnCapability() {
        var f = Self.healthy()
        f.nftablesProbe = .failed(reason: "Operation not permitted")
        f.hasCapNetAdmin = false
        #expect(findings("nftables", f).first?.fix?.contains("CAP_NET_ADMIN") == true)
        f.hasCapNetAdmin = true
        #expect(findings("nftables", f).first?.fix?.contains("modprobe nf_tables") == true)
        #expect(findings("nftables", f).first?.severity == .warn)
    }

    @Test func sysctlProblemsBecomeFixes() {
        var f = Self.healthy()
        f.kernelSysctlProblems = ["net.ipv4.ip_forward is 0, needs 1 for kernel forwarding",
                                  "net.ipv4.conf.all.rp_filter is 1, needs 0 or 2 (loose) for kernel forwarding",
                                  "net.ipv4.conf.eth0.send_redirects is 1, needs 0 for kernel forwarding"]
        let fixes = findings("sysctl", f).map(\.fix)
        #expect(fixes == ["sysctl -w net.ipv4.ip_forward=1", "sysctl -w net.ipv4.conf.all.rp_filter=2",
                          "sysctl -w net.ipv4.conf.eth0.send_redirects=0"])
        f.kernelSysctlProblems = nil
        #expect(findings("sysctl", f).first?.severity == .warn)
    }

    @Test func socketBufferCaps() {
        var f = Self.healthy()
        f.rmemMax = 212_992
        let r = findings("rmem_max", f)
        #expect(r.first?.severity == .warn && r.first?.fix == "sysctl -w net.core.rmem_max=2097152")
        #expect(findings("wmem_max", f).first?.severity == .ok)
        f.wmemMax = nil
        #expect(findings("wmem_max", f).first?.severity == .warn)
    }

    @Test func openFileLimitAgainstThePortRange() {
        var f = Self.healthy()
        // 10000 ports + 256 slack.
        f.openFilesSoft = 1024
        f.openFilesHard = 1 << 20
        #expect(findings("nofile", f).first?.severity == .ok)  // the relay raises soft to hard
        f.openFilesHard = 4096
        let fail = findings("nofile", f).first
        #expect(fail?.severity == .fail && fail?.fix?.contains("10256") == true)
        #expect(fail?.detail.contains("at most 960 calls instead of 2500") == true)
        f.openFilesSoft = nil
        #expect(findings("nofile", f).first?.severity == .warn)
    }

    @Test func cpusAndGovernors() {
        var f = Self.healthy()
        f.cpuCount = 1
        #expect(findings("cpus", f).first?.severity == .warn)
        f.scalingGovernors = ["performance", "powersave"]
        let g = findings("governor", f).first
        #expect(g?.severity == .warn && g?.detail.contains("performance,powersave") == true)
        f.scalingGovernors = []
        #expect(findings("governor", f).first?.severity == .ok)
    }

    @Test func receiveSpreadNeedsRSSOrRPS() {
        var f = Self.healthy()
        f.cpuCount = 2
        f.nics = [.init(name: "eth0", rxQueues: 1, rpsMasks: ["00000000,00000000"]),
                  .init(name: "eth1", rxQueues: 1, rpsMasks: ["3"]),
                  .init(name: "eth2", rxQueues: 8, rpsMasks: [])]
        let spread = findings("rx-spread", f)
        #expect(spread.map(\.severity) == [.warn, .ok, .ok])
        #expect(spread[0].fix == "echo 3 > /sys/class/net/eth0/queues/rx-0/rps_cpus")
        f.cpuCount = 1
        #expect(findings("rx-spread", f).first?.severity == .ok)
    }

    @Test func portRangeOverlapsEphemeralPorts() {
        var f = Self.healthy()
        let overlapping = HostDoctor(settings: .init(portMin: 30000, portMax: 40000))
        let p = findings("ports", f, doctor: overlapping).first
        #expect(p?.severity == .warn && p?.detail.contains("32768-40000") == true)
        #expect(p?.fix == "sysctl -w net.ipv4.ip_local_reserved_ports=30000-40000")
        #expect(findings("ports", f).first?.severity == .ok)  // 20000-29999
        let inverted = HostDoctor(settings: .init(portMin: 5000, portMax: 4000))
        #expect(findings("ports", f, doctor: inverted).first?.severity == .fail)
        f.localPortRange = nil
        #expect(findings("ports", f).first?.severity == .warn)
    }

    @Test func missingComparisonToolsWarn() {
        var f = Self.healthy()
        f.sippPath = nil
        f.rtpenginePath = nil
        #expect(findings("sipp", f).first?.fix == "apt-get install sip-tester")
        #expect(findings("rtpengine", f).first?.severity == .warn)
        #expect(HostDoctor.worst(doctor.evaluate(f)) == .warn)
    }

    @Test func findingLineFormat() {
        let line = DoctorFinding(.warn, "rmem_max", "too small", fix: "sysctl -w x=1").description
        #expect(line == "warn rmem_max: too small (fix: sysctl -w x=1)")
        #expect(DoctorFinding(.ok, "cpus", "2 online").description == "ok   cpus: 2 online")
    }

    @Test func parentPIDAfterTheLastParenthesis() {
        let line = Array("1234 (kam (x) 1) S 77 1234 1234 0 -1 4194560 0 0 0 0 5 6 0 0 20 0 1 0\n".utf8)
        #expect(ProcessTreeCPUSampler.parentPID(statLine: line) == 77)
        #expect(ProcessTreeCPUSampler.parentPID(statLine: Array("1 (x) S".utf8)) == nil)
    }
}
