/// One line of `tandem perf doctor`: how serious, which check, what was found and what to do about it.
public struct DoctorFinding: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `ok`: nothing to do. `warn`: works, but slower or with a fallback; benchmarks may mislead. `fail`: the relay
    /// (or the benchmark) cannot work as configured.
    public enum Severity: String, Sendable, Hashable, Codable, Comparable {
        case ok, warn, fail

        private var rank: Int { self == .ok ? 0 : self == .warn ? 1 : 2 }
        public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
    }

    public var severity: Severity
    /// Short, stable name of the check (`io_uring`, `nftables`, `rmem_max`, …): what a script greps for.
    public var check: String
    public var detail: String
    /// The command or setting that fixes it; nil for `ok`.
    public var fix: String?

    public init(_ severity: Severity, _ check: String, _ detail: String, fix: String? = nil) {
        self.severity = severity
        self.check = check
        self.detail = detail
        self.fix = fix
    }

    /// `warn rmem_max: 212992 < 2097152 … (fix: sysctl -w …)`
    public var description: String {
        let head = severity.rawValue.padding(to: 4) + " " + check + ": " + detail
        return fix.map { head + " (fix: \($0))" } ?? head
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
