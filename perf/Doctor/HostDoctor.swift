/// The rules of `tandem perf doctor`: findings from `HostFacts`, no I/O, so every rule is tested with fake facts.
public struct HostDoctor: Sendable {
    /// What the relay will be asked to do on this host.
    public struct Settings: Sendable, Hashable, Codable {
        /// The relay's media port range (`--port-min`/`--port-max`).
        public var portMin: Int
        public var portMax: Int
        /// SO_RCVBUF/SO_SNDBUF the data plane asks for on every stream socket (2 MiB, `UDPSocket.bind`).
        public var socketBufferBytes: Int
        /// Descriptors the relay needs besides stream sockets (epoll, io_uring, control, logs, nftables).
        public var descriptorSlack: UInt64

        public init(portMin: Int = 30000, portMax: Int = 40000, socketBufferBytes: Int = 1 << 21,
                    descriptorSlack: UInt64 = 256) {
            self.portMin = portMin
            self.portMax = portMax
            self.socketBufferBytes = socketBufferBytes
            self.descriptorSlack = descriptorSlack
        }

        /// One socket per port; a call is 4 ports (RTP + RTCP on both legs).
        public var ports: Int { max(0, portMax - portMin + 1) }
        public var maxCalls: Int { ports / 4 }
    }

    public var settings: Settings

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Every finding, in a fixed order (one or more per check).
    public func evaluate(_ facts: HostFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        out += ioUring(facts)
        out += nftables(facts)
        out += sysctls(facts)
        out += socketBuffers(facts)
        out += openFiles(facts)
        out += cpus(facts)
        out += receiveSpread(facts)
        out += portRange(facts)
        out += tools(facts)
        return out
    }

    /// The worst severity in a list (`ok` when empty): the exit status of `tandem perf doctor`.
    public static func worst(_ findings: [DoctorFinding]) -> DoctorFinding.Severity {
        findings.map(\.severity).max() ?? .ok
    }

    func ioUring(_ facts: HostFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        switch facts.ioUringDisabled {
        case 1?:
            out.append(.init(.warn, "io_uring_disabled", "kernel.io_uring_disabled = 1: only privileged processes "
                + "(or io_uring_group) may use io_uring", fix: "sysctl -w kernel.io_uring_disabled=0"))
        case 2?:
            out.append(.init(.warn, "io_uring_disabled", "kernel.io_uring_disabled = 2: io_uring is off, the relay "
                + "falls back to recvmmsg/sendmmsg", fix: "sysctl -w kernel.io_uring_disabled=0"))
        default: break
        }
        switch facts.ioUringProbe {
        case .passed:
            out.append(.init(.ok, "io_uring", "usable (multishot recvmsg, provided buffer rings)"))
        case .failed(let reason):
            out.append(.init(.warn, "io_uring", "not usable: \(reason); the relay runs --io-engine mmsg",
                             fix: "kernel ≥ 6.0 without seccomp filters on io_uring (docker: --security-opt seccomp=unconfined)"))
        case .notRun:
            out.append(.init(.warn, "io_uring", "not probed"))
        }
        return out
    }

    func nftables(_ facts: HostFacts) -> [DoctorFinding] {
        switch facts.nftablesProbe {
        case .passed:
            return [.init(.ok, "nftables", "table create/remove works: kernel offload (--kernel auto) available")]
        case .failed(let reason):
            let fix = facts.hasCapNetAdmin == false
                ? "run as root or grant CAP_NET_ADMIN (setcap cap_net_admin+ep, or docker --cap-add NET_ADMIN)"
                : "modprobe nf_tables (and nft_ct, nft_nat)"
            return [.init(.warn, "nftables", "kernel offload unavailable, forwarding stays in userspace: \(reason)",
                          fix: fix)]
        case .notRun:
            let cap = facts.hasCapNetAdmin.map { $0 ? "CAP_NET_ADMIN present" : "no CAP_NET_ADMIN" } ?? "capabilities unknown"
            return [.init(.warn, "nftables", "not probed (\(cap))")]
        }
    }

    func sysctls(_ facts: HostFacts) -> [DoctorFinding] {
        guard let problems = facts.kernelSysctlProblems else {
            return [.init(.warn, "sysctl", "kernel-path sysctls not checked")]
        }
        if problems.isEmpty {
            return [.init(.ok, "sysctl", "ip_forward, rp_filter, send_redirects fit the kernel path")]
        }
        // Only the kernel path depends on them: a warning, and the relay's --kernel auto says the same at startup.
        return problems.map { problem in
            let key = problem.split(separator: " ").first.map(String.init) ?? problem
            let fix = key.hasSuffix("rp_filter") ? "sysctl -w \(key)=2"
                : key.hasSuffix("send_redirects") ? "sysctl -w \(key)=0"
                : key.hasSuffix("ip_forward") ? "sysctl -w \(key)=1" : "sysctl -w \(key)=…"
            return .init(.warn, "sysctl", problem, fix: fix)
        }
    }

    func socketBuffers(_ facts: HostFacts) -> [DoctorFinding] {
        let want = settings.socketBufferBytes
        return [("rmem_max", facts.rmemMax), ("wmem_max", facts.wmemMax)].map { name, value in
            guard let value else { return .init(.warn, name, "net.core.\(name) unreadable") }
            if value >= want { return .init(.ok, name, "\(value) ≥ \(want) bytes per stream socket") }
            // As root, SO_RCVBUFFORCE bypasses the cap; otherwise the relay gets the smaller buffer, and bursts
            // (a call's worth of packets arriving at once after a scheduling hiccup) are dropped.
            return .init(.warn, name, "\(value) < \(want) bytes the relay asks per stream socket (only "
                + "CAP_NET_ADMIN bypasses the cap)", fix: "sysctl -w net.core.\(name)=\(want)")
        }
    }

    func openFiles(_ facts: HostFacts) -> [DoctorFinding] {
        let need = UInt64(settings.ports) + settings.descriptorSlack
        let range = "\(settings.portMin)-\(settings.portMax)"
        guard let soft = facts.openFilesSoft, let hard = facts.openFilesHard else {
            return [.init(.warn, "nofile", "RLIMIT_NOFILE unknown")]
        }
        if soft >= need {
            return [.init(.ok, "nofile", "ulimit -n \(soft) ≥ \(need) (ports \(range) = \(settings.maxCalls) calls)")]
        }
        if hard >= need {
            // The relay raises its soft limit to the hard one at startup (FileDescriptorLimit.raise).
            return [.init(.ok, "nofile", "soft \(soft) < \(need) but hard \(hard) is enough; the relay raises the soft "
                + "limit (other tools may not)")]
        }
        let calls = hard > settings.descriptorSlack ? (hard - settings.descriptorSlack) / 4 : 0
        return [.init(.fail, "nofile", "hard limit \(hard) < \(need) descriptors for ports \(range): at most \(calls) "
            + "calls instead of \(settings.maxCalls)", fix: "ulimit -Hn \(need) (LimitNOFILE=\(need) in the unit)")]
    }

    func cpus(_ facts: HostFacts) -> [DoctorFinding] {
        var out: [DoctorFinding] = []
        if facts.cpuCount < 2 {
            out.append(.init(.warn, "cpus", "\(facts.cpuCount) CPU: relay and load generator share a core, figures "
                + "measure the scheduler", fix: "benchmark on ≥ 2 cores (relay and generator pinned apart)"))
        } else {
            out.append(.init(.ok, "cpus", "\(facts.cpuCount) online"))
        }
        let governors = Set(facts.scalingGovernors)
        if governors.isEmpty {
            out.append(.init(.ok, "governor", "no cpufreq scaling exposed (VM or fixed clock)"))
        } else if governors == ["performance"] {
            out.append(.init(.ok, "governor", "performance on all \(facts.scalingGovernors.count) CPUs"))
        } else {
            let seen = governors.sorted().joined(separator: ",")
            out.append(.init(.warn, "governor", "scaling governor \(seen): clock ramps make rates noisy",
                             fix: "cpupower frequency-set -g performance"))
        }
        return out
    }

    func receiveSpread(_ facts: HostFacts) -> [DoctorFinding] {
        facts.nics.map { nic in
            if nic.rxQueues > 1 {
                return .init(.ok, "rx-spread", "\(nic.name): \(nic.rxQueues) rx queues (RSS)")
            }
            if nic.rpsMasks.contains(where: { !HostDoctor.isZeroMask($0) }) {
                return .init(.ok, "rx-spread", "\(nic.name): 1 rx queue, RPS spreads it")
            }
            if facts.cpuCount < 2 {
                return .init(.ok, "rx-spread", "\(nic.name): 1 rx queue, single CPU")
            }
            let mask = String(facts.cpuCount >= 64 ? UInt64.max : (UInt64(1) << UInt64(facts.cpuCount)) - 1,
                              radix: 16)
            return .init(.warn, "rx-spread", "\(nic.name): 1 rx queue and RPS off: one CPU takes every packet's "
                + "softirq", fix: "echo \(mask) > /sys/class/net/\(nic.name)/queues/rx-0/rps_cpus")
        }
    }

    func portRange(_ facts: HostFacts) -> [DoctorFinding] {
        let relay = "\(settings.portMin)-\(settings.portMax)"
        guard settings.portMin > 0, settings.portMax <= 65535, settings.portMin < settings.portMax else {
            return [.init(.fail, "ports", "relay port range \(relay) is not 1-65535 with min < max")]
        }
        guard let local = facts.localPortRange else {
            return [.init(.warn, "ports", "net.ipv4.ip_local_port_range unreadable")]
        }
        let low = max(local.lowerBound, settings.portMin)
        let high = min(local.upperBound, settings.portMax)
        if low > high {
            return [.init(.ok, "ports", "relay \(relay) is outside the ephemeral range \(local.lowerBound)-\(local.upperBound)")]
        }
        // Outgoing connections (and port-0 binds) can take relay ports, and the relay then fails to allocate them.
        return [.init(.warn, "ports", "relay \(relay) overlaps the ephemeral range \(local.lowerBound)-"
            + "\(local.upperBound) in \(low)-\(high)",
            fix: "sysctl -w net.ipv4.ip_local_reserved_ports=\(settings.portMin)-\(settings.portMax)")]
    }

    func tools(_ facts: HostFacts) -> [DoctorFinding] {
        [("sipp", facts.sippPath, "apt-get install sip-tester", "SIP load (tandem perf sip)"),
         ("rtpengine", facts.rtpenginePath, "apt-get install rtpengine-daemon", "relay comparison"),
         ("kamailio", facts.kamailioPath, "apt-get install kamailio", "signaling comparison")].map { name, path, fix, use in
            path.map { DoctorFinding(.ok, name, "\($0)") }
                ?? DoctorFinding(.warn, name, "not installed: no \(use)", fix: fix)
        }
    }

    /// "00000000,00000000" and "0" are empty masks.
    static func isZeroMask(_ mask: String) -> Bool {
        mask.allSatisfy { $0 == "0" || $0 == "," || $0 == " " || $0 == "\n" }
    }
}
