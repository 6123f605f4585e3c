#if canImport(Glibc)
import Glibc
#endif
import Relay

/// Gathers `HostFacts` from /proc, /sys, getrlimit and two live probes (io_uring, nftables). Side effects are
/// limited to a throw-away nftables table that is removed again at once.
public enum HostFactCollector {
    /// - Parameter probeNFTables: create/remove a table named `tandem_doctor_<pid>` (never the relay's own table).
    public static func collect(probeNFTables: Bool = true) -> HostFacts {
        var facts = HostFacts()
        facts.ioUringDisabled = readText("/proc/sys/kernel/io_uring_disabled").flatMap { Int($0) }
        facts.ioUringProbe = IOEngineProbe.uringUnavailableReason().map { .failed(reason: $0) } ?? .passed
        facts.hasCapNetAdmin = capNetAdmin()
        if probeNFTables { facts.nftablesProbe = nftablesProbe() }
        facts.kernelSysctlProblems = KernelSysctls.check().map(\.description)
        facts.rmemMax = readText("/proc/sys/net/core/rmem_max").flatMap { Int($0) }
        facts.wmemMax = readText("/proc/sys/net/core/wmem_max").flatMap { Int($0) }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            facts.openFilesSoft = UInt64(limit.rlim_cur)
            facts.openFilesHard = UInt64(limit.rlim_max)
        }
        facts.cpuCount = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        facts.scalingGovernors = list("/sys/devices/system/cpu").filter { isCPUDirectory($0) }.sorted().compactMap {
            readText("/sys/devices/system/cpu/\($0)/cpufreq/scaling_governor")
        }
        facts.nics = list("/sys/class/net").filter { $0 != "lo" }.sorted().map { name in
            let queues = list("/sys/class/net/\(name)/queues").filter { $0.hasPrefix("rx-") }.sorted()
            let masks = queues.compactMap { readText("/sys/class/net/\(name)/queues/\($0)/rps_cpus") }
            return HostFacts.NICQueues(name: name, rxQueues: queues.count, rpsMasks: masks)
        }
        if let range = readText("/proc/sys/net/ipv4/ip_local_port_range") {
            let parts = range.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Int($0) }
            if parts.count == 2, parts[0] <= parts[1] { facts.localPortRange = parts[0]...parts[1] }
        }
        facts.sippPath = which("sipp")
        facts.rtpenginePath = which("rtpengine")
        facts.kamailioPath = which("kamailio")
        return facts
    }

    static func nftablesProbe() -> HostFacts.Probe {
        let name = "tandem_doctor_\(getpid())"
        do {
            let forwarder = try KernelForwarder(configuration: KernelForwarderConfiguration(tableName: name))
            try forwarder.createTable()
            try forwarder.removeTable()
            return .passed
        } catch {
            return .failed(reason: "\(error)")
        }
    }

    /// Bit 12 (CAP_NET_ADMIN) of `CapEff` in /proc/self/status.
    static func capNetAdmin() -> Bool? {
        guard let status = readText("/proc/self/status", trimming: false) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            let hex = line.dropFirst("CapEff:".count).filter { !$0.isWhitespace }
            guard let mask = UInt64(hex, radix: 16) else { return nil }
            return mask & (1 << 12) != 0
        }
        return nil
    }

    static func isCPUDirectory(_ name: String) -> Bool {
        name.hasPrefix("cpu") && name.count > 3 && name.dropFirst(3).allSatisfy(\.isNumber)
    }

    /// The first executable `name` on PATH.
    static func which(_ name: String) -> String? {
        let path = getenv("PATH").map { String(cString: $0) } ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }

    static func readText(_ path: String, trimming: Bool = true) -> String? {
        guard let bytes = ProcessCPUSampler.readFile(path) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self)
        return trimming ? String(text.filter { $0 != "\n" }) .trimmingSpaces() : text
    }

    static func list(_ directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var slice = Substring(self)
        while slice.first?.isWhitespace == true { slice = slice.dropFirst() }
        while slice.last?.isWhitespace == true { slice = slice.dropLast() }
        return String(slice)
    }
}
