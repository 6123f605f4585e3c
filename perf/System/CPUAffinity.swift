import CShims

/// Pins the calling thread to one CPU, so a benchmark's generator and the relay under test do not share a core
/// (on a 2-core box the comparison is only fair when each side owns one).
public enum CPUAffinity {
    public struct PinError: Error, Sendable, CustomStringConvertible {
        public var cpu: Int
        public var errno: Int32
        public var description: String { "cannot pin to CPU \(cpu) (errno \(errno))" }
    }

    public static func pinCurrentThread(to cpu: Int) throws(PinError) {
        let rc = tdp_pin_to_cpu(Int32(clamping: cpu))
        if rc != 0 { throw PinError(cpu: cpu, errno: -rc) }
    }

    /// CPU time the calling thread has used, in nanoseconds.
    public static func threadCPUNanoseconds() -> UInt64 { tdp_thread_cpu_ns() }
}
