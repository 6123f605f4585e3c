import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Which I/O engine the data plane's workers run.
///
/// Both engines have identical semantics (latching, counters, commands); they differ only in how datagrams
/// cross the kernel boundary. `.auto` prefers io_uring and falls back to recvmmsg/sendmmsg when io_uring is
/// missing, forbidden (sysctl `kernel.io_uring_disabled`, seccomp) or lacks a feature the engine needs.
public enum IOEngineKind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// io_uring: multishot `recvmsg` into a provided buffer ring, `sendmsg` SQEs, one `io_uring_enter` per batch.
    case uring
    /// recvmmsg/sendmmsg driven by level-triggered epoll.
    case mmsg
    /// Probe io_uring, use it when usable, otherwise `.mmsg`.
    case auto

    public var description: String { rawValue }
}

/// The engine actually chosen, and why; the relay logs `reason` once at startup.
public struct IOEngineSelection: Sendable, Hashable {
    /// `.uring` or `.mmsg`, never `.auto`.
    public let kind: IOEngineKind
    /// Human-readable: what the probe found (or that the engine was forced).
    public let reason: String

    public init(kind: IOEngineKind, reason: String) {
        self.kind = kind
        self.reason = reason
    }
}

/// Decides between the engines by actually exercising io_uring (see `tdm_uring_probe`).
public enum IOEngineProbe {
    /// Result of probing io_uring: `nil` when usable, otherwise why not.
    public static func uringUnavailableReason() -> String? {
        var text = [CChar](repeating: 0, count: 256)
        let code = text.withUnsafeMutableBufferPointer { tdm_uring_probe($0.baseAddress, $0.count) }
        let message = text.withUnsafeBufferPointer { buffer -> String in
            let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            return String(decoding: bytes, as: UTF8.self)
        }
        guard code != 0 else { return nil }
        return explainPermission(message, sysctl: readUringDisabledSysctl())
    }

    /// EPERM from `io_uring_setup` has two usual causes an operator must tell apart: the sysctl (fixable with
    /// `sysctl kernel.io_uring_disabled=0`) or a seccomp/container profile. Naming the sysctl value makes the one
    /// fallback log line say which.
    static func explainPermission(_ message: String, sysctl: Int?) -> String {
        guard message.contains("EPERM") else { return message }
        switch sysctl {
        case 2?: return "io_uring_setup: EPERM: sysctl kernel.io_uring_disabled = 2 (io_uring off for every process)"
        case 1?:
            return "io_uring_setup: EPERM: sysctl kernel.io_uring_disabled = 1 (only root or kernel.io_uring_group "
                + "may use io_uring)"
        default: return "io_uring_setup: EPERM: a seccomp or container profile forbids io_uring"
        }
    }

    /// `/proc/sys/kernel/io_uring_disabled` (Linux 6.6+), nil when absent or unreadable.
    static func readUringDisabledSysctl() -> Int? {
        guard let file = fopen("/proc/sys/kernel/io_uring_disabled", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 16)
        guard buffer.withUnsafeMutableBufferPointer({ fgets($0.baseAddress, Int32($0.count), file) }) != nil else {
            return nil
        }
        let digits = buffer.prefix { $0 >= 0x30 && $0 <= 0x39 }.map { UInt8(bitPattern: $0) }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    /// Resolves a requested kind: `.uring` and `.mmsg` are taken as forced (a forced `.uring` that cannot work is
    /// reported as an error by `DataPlane.init`); `.auto` probes.
    public static func select(_ requested: IOEngineKind) -> IOEngineSelection {
        switch requested {
        case .uring:
            return IOEngineSelection(kind: .uring, reason: "io_uring forced by configuration")
        case .mmsg:
            return IOEngineSelection(kind: .mmsg, reason: "recvmmsg/sendmmsg forced by configuration")
        case .auto:
            if let why = uringUnavailableReason() {
                return IOEngineSelection(kind: .mmsg, reason: "falling back to recvmmsg/sendmmsg: \(why)")
            }
            return IOEngineSelection(kind: .uring, reason: "io_uring: multishot recvmsg with provided buffer rings")
        }
    }
}
