/// Everything `tandem perf doctor` looks at, gathered once by `HostFactCollector` and judged by `HostDoctor`.
///
/// Why a plain value: the rules are the interesting part and must be testable on any machine, so they read only
/// this struct. Optional fields are facts that could not be read (no such file, no permission); the rules treat
/// "unknown" explicitly rather than guessing.
public struct HostFacts: Sendable, Hashable, Codable {
    /// The outcome of actually exercising a kernel feature. In JSON: `{"status": "passed|failed|notRun",
    /// "reason": …}` (flat, for jq), not Swift's nested enum encoding.
    public enum Probe: Sendable, Hashable, Codable {
        case passed
        case failed(reason: String)
        case notRun

        private enum Keys: String, CodingKey { case status, reason }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            switch self {
            case .passed: try container.encode("passed", forKey: .status)
            case .notRun: try container.encode("notRun", forKey: .status)
            case .failed(let reason):
                try container.encode("failed", forKey: .status)
                try container.encode(reason, forKey: .reason)
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            switch try container.decode(String.self, forKey: .status) {
            case "passed": self = .passed
            case "failed": self = .failed(reason: try container.decodeIfPresent(String.self, forKey: .reason) ?? "")
            default: self = .notRun
            }
        }
    }

    /// One NIC's receive side: hardware queues (RSS) and the RPS CPU masks of each queue.
    public struct NICQueues: Sendable, Hashable, Codable {
        public var name: String
        public var rxQueues: Int
        /// `rps_cpus` of each rx queue as the kernel prints it (hex mask, comma-separated words).
        public var rpsMasks: [String]

        public init(name: String, rxQueues: Int, rpsMasks: [String]) {
            self.name = name
            self.rxQueues = rxQueues
            self.rpsMasks = rpsMasks
        }
    }

    /// `kernel.io_uring_disabled` (0 allowed, 1 only privileged/group, 2 off); nil on kernels without it.
    public var ioUringDisabled: Int?
    /// `io_uring_queue_init` plus the features the data plane needs (`IOEngineProbe`).
    public var ioUringProbe: Probe = .notRun
    /// Creating and removing a throw-away nftables table.
    public var nftablesProbe: Probe = .notRun
    /// CAP_NET_ADMIN in the effective set (`CapEff` of /proc/self/status).
    public var hasCapNetAdmin: Bool?
    /// What `KernelSysctls.check()` reported as unmet (empty: all fine); nil when not checked.
    public var kernelSysctlProblems: [String]?
    /// `net.core.rmem_max` / `wmem_max` in bytes.
    public var rmemMax: Int?
    public var wmemMax: Int?
    /// RLIMIT_NOFILE of this process.
    public var openFilesSoft: UInt64?
    public var openFilesHard: UInt64?
    /// Online CPUs.
    public var cpuCount: Int = 1
    /// `scaling_governor` of each CPU that has cpufreq (empty on VMs and fixed-clock hosts).
    public var scalingGovernors: [String] = []
    /// Every NIC but `lo`.
    public var nics: [NICQueues] = []
    /// `net.ipv4.ip_local_port_range`.
    public var localPortRange: ClosedRange<Int>?
    /// Full paths of the comparison tools, nil when not on PATH.
    public var sippPath: String?
    public var rtpenginePath: String?
    public var kamailioPath: String?

    public init() {}
}
