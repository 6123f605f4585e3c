import CShims

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
        return code == 0 ? nil : message
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
