/// How busy one CPU core is, from its `cpuN` line in `/proc/stat`: everything but idle and iowait, softirq
/// included. The kernel forwarding path runs in softirq, outside any process, so a relay's own CPU time reads ~0
/// when its streams are offloaded; the busy time of the core that does the forwarding (steered there with RPS) is
/// what compares a kernel path with a userspace one.
public struct CoreCPUSampler: Sendable {
    public let core: Int

    public init(core: Int) { self.core = core }

    /// Busy and total jiffies of the core, or nil when it does not exist.
    public struct Ticks: Sendable, Equatable {
        public var busy: UInt64
        public var total: UInt64
        /// irq + softirq: on a core that RPS feeds, the kernel's packet work (forwarding included), and none of
        /// the unrelated processes a shared machine runs there.
        public var interrupt: UInt64
        public init(busy: UInt64, total: UInt64, interrupt: UInt64 = 0) {
            self.busy = busy
            self.total = total
            self.interrupt = interrupt
        }
    }

    public func sample() -> Ticks? {
        guard let bytes = ProcessCPUSampler.readFile("/proc/stat") else { return nil }
        return CoreCPUSampler.ticks(procStat: bytes, core: core)
    }

    /// Busy fraction of the core between two samples (1.0 = fully busy).
    public static func busyFraction(from a: Ticks, to b: Ticks) -> Double? {
        guard b.total > a.total, b.busy >= a.busy else { return nil }
        return min(1, Double(b.busy - a.busy) / Double(b.total - a.total))
    }

    /// irq + softirq fraction of the core between two samples.
    public static func interruptFraction(from a: Ticks, to b: Ticks) -> Double? {
        guard b.total > a.total, b.interrupt >= a.interrupt else { return nil }
        return min(1, Double(b.interrupt - a.interrupt) / Double(b.total - a.total))
    }

    /// Parses the `cpuN user nice system idle iowait irq softirq steal ...` line of `/proc/stat`.
    public static func ticks(procStat: [UInt8], core: Int) -> Ticks? {
        let name = Array("cpu\(core) ".utf8)
        var lineStart = 0
        while lineStart < procStat.count {
            var lineEnd = lineStart
            while lineEnd < procStat.count, procStat[lineEnd] != 0x0A { lineEnd += 1 }
            let line = procStat[lineStart..<lineEnd]
            if line.starts(with: name) {
                var values: [UInt64] = []
                var value: UInt64 = 0
                var inNumber = false
                for byte in line.dropFirst(name.count) {
                    if byte >= 0x30, byte <= 0x39 {
                        let (m, o1) = value.multipliedReportingOverflow(by: 10)
                        let (sum, o2) = m.addingReportingOverflow(UInt64(byte - 0x30))
                        guard !o1, !o2 else { return nil }
                        value = sum
                        inNumber = true
                    } else if inNumber {
                        values.append(value)
                        value = 0
                        inNumber = false
                    }
                }
                if inNumber { values.append(value) }
                guard values.count >= 7 else { return nil }
                // user nice system idle iowait irq softirq [steal]; guest time is already inside user.
                let fields = Array(values.prefix(8))
                let total = fields.reduce(0, &+)
                let idle = fields[3] &+ fields[4]
                return Ticks(busy: total &- idle, total: total, interrupt: fields[5] &+ fields[6])
            }
            lineStart = lineEnd + 1
        }
        return nil
    }
}
