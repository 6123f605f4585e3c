#if canImport(Glibc)
import Glibc
#endif

/// The progress line on stderr: rewritten in place (`\r` + erase to end of line) at most every 250 ms, cleared
/// when the run ends, so stdout (the table or the JSON) stays clean for scripts.
///
/// `sink` is `nil` when progress is off (stderr is not a terminal and `--progress` was not given); callers pass
/// `ProgressLine.sink(...)` to generators without checking.
public final class ProgressLine: @unchecked Sendable {
    private var lastWrite: UInt64 = 0
    private var shown = false
    private let lock = NSLockLike()
    /// Context a command adds in front of each sample ("round 2/5").
    public var prefix: String = ""
    /// Time the rest of the command needs beyond the current run (later rounds, later probes).
    public var extraSecondsLeft: Double = 0

    public init() {}

    /// True when stderr is a terminal: the line shows by default only there.
    public static var stderrIsTerminal: Bool { isatty(2) == 1 }

    /// A sink writing to this line, or nil when progress is off.
    public static func make(enabled: Bool?) -> ProgressLine? {
        (enabled ?? stderrIsTerminal) ? ProgressLine() : nil
    }

    /// A closure generators can hold (they take `@Sendable (LoadProgress) -> Void`).
    public var sink: @Sendable (LoadProgress) -> Void { { [self] sample in self.update(sample) } }

    public func update(_ sample: LoadProgress) {
        lock.locked {
            let now = ProgressLine.monotonicNanoseconds()
            guard now &- lastWrite >= 250_000_000 || !shown else { return }
            lastWrite = now
            var s = sample
            if !prefix.isEmpty { s.phase = prefix + " " + s.phase }
            if let left = s.secondsLeft { s.secondsLeft = left + extraSecondsLeft }
            write("\r\u{1B}[K" + s.text)
            shown = true
        }
    }

    /// Erases the line (before printing results).
    public func clear() {
        lock.locked {
            if shown { write("\r\u{1B}[K") }
            shown = false
        }
    }

    private func write(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    static func monotonicNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }
}

/// A pthread mutex (the Perf library keeps away from Foundation in its measurement paths).
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
