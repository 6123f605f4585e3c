#if canImport(Glibc)
import Glibc
#endif

/// CPU time of a process plus its direct children, for proxies that fork their workers (Kamailio, OpenSIPS):
/// sampling only the main process of such a proxy would read almost zero. Children are found by scanning
/// `/proc/*/stat` for the parent id, once per sample, so workers forked mid-run are counted from when they appear.
public struct ProcessTreeCPUSampler: Sendable {
    public let pid: Int32
    private let single: ProcessCPUSampler

    public init(pid: Int32) {
        self.pid = pid
        single = ProcessCPUSampler(pid: pid)
    }

    /// utime + stime of the process and its children in seconds, nil when the process is gone.
    public func cpuSeconds() -> Double? {
        guard var total = single.cpuSeconds() else { return nil }
        for child in ProcessTreeCPUSampler.children(of: pid) {
            total += ProcessCPUSampler(pid: child).cpuSeconds() ?? 0
        }
        return total
    }

    /// Field 4 (ppid) of a `/proc/PID/stat` line, counted after the last `)` like `ProcessCPUSampler.cpuTicks`.
    public static func parentPID(statLine: [UInt8]) -> Int32? {
        guard let close = statLine.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        var i = close + 1
        var field = 0
        while i < statLine.count {
            while i < statLine.count, statLine[i] == 0x20 { i += 1 }
            let start = i
            while i < statLine.count, statLine[i] != 0x20, statLine[i] != 0x0A { i += 1 }
            guard start < i else { return nil }
            field += 1
            if field == 2 {  // state, then ppid
                var value: Int32 = 0
                for d in statLine[start..<i] {
                    guard d >= 0x30, d <= 0x39, value < 100_000_000 else { return nil }
                    value = value * 10 + Int32(d - 0x30)
                }
                return value
            }
        }
        return nil
    }

    static func children(of parent: Int32) -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var found: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let pid = Int32(name), pid != parent,
                  let stat = ProcessCPUSampler.readFile("/proc/\(pid)/stat"),
                  parentPID(statLine: stat) == parent else { continue }
            found.append(pid)
        }
        return found
    }
}
