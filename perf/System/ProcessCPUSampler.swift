#if canImport(Glibc)
import Glibc
#endif

/// CPU time of another process (the relay under test), read from `/proc/PID/stat`: utime + stime over wall time
/// between two samples. 1.0 means one core fully busy; a relay with two busy threads reads 2.0.
public struct ProcessCPUSampler: Sendable {
    public let pid: Int32
    private let ticksPerSecond: Double

    public init(pid: Int32) {
        self.pid = pid
        let hz = sysconf(Int32(_SC_CLK_TCK))
        ticksPerSecond = hz > 0 ? Double(hz) : 100
    }

    /// utime + stime of the process (all its threads) in seconds, or nil when the process is gone.
    public func cpuSeconds() -> Double? {
        guard let bytes = ProcessCPUSampler.readFile("/proc/\(pid)/stat"),
              let ticks = ProcessCPUSampler.cpuTicks(statLine: bytes) else { return nil }
        return Double(ticks.user + ticks.system) / ticksPerSecond
    }

    /// Fields 14 (utime) and 15 (stime) of a `/proc/PID/stat` line. The command name (field 2) is in parentheses
    /// and may itself contain spaces and parentheses, so counting starts after the *last* `)`.
    public static func cpuTicks(statLine: [UInt8]) -> (user: UInt64, system: UInt64)? {
        guard let close = statLine.lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After ") " comes field 3 (state). utime is field 14, i.e. the 12th field after the state's start.
        var fields: [ArraySlice<UInt8>] = []
        var i = close + 1
        while i < statLine.count, fields.count < 13 {
            while i < statLine.count, statLine[i] == 0x20 { i += 1 }
            let start = i
            while i < statLine.count, statLine[i] != 0x20, statLine[i] != 0x0A { i += 1 }
            if start < i { fields.append(statLine[start..<i]) } else { break }
        }
        guard fields.count >= 13, let user = decimal(fields[11]), let system = decimal(fields[12]) else { return nil }
        return (user, system)
    }

    private static func decimal(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: UInt64 = 0
        for d in digits {
            guard d >= 0x30, d <= 0x39 else { return nil }
            value = value * 10 + UInt64(d - 0x30)
        }
        return value
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: chunk[0..<n])
        }
        return out
    }
}
