import Foundation
import Glibc
import Testing
@testable import Relay

/// The automatic io_uring → recvmmsg/sendmmsg fallback with io_uring really unavailable: the sysctl
/// `kernel.io_uring_disabled = 2` makes `io_uring_setup` fail with EPERM for every process, root included.
///
/// The sysctl is machine-wide, so the window in which it is set is kept to the relays' start-up (the probe and the
/// data plane's creation); rings that already exist keep working, and the relays started here run on mmsg or exit.
/// The old value is restored in a `defer`, also when an expectation fails or something throws.
@Suite(.serialized) struct RelayEngineFallbackTests {
    static let sysctlPath = "/proc/sys/kernel/io_uring_disabled"

    /// Root, and a kernel with the sysctl (Linux 6.6+) that lets us write it (not a read-only /proc in a container).
    static var sysctlIsWritable: Bool {
        getuid() == 0 && access(sysctlPath, W_OK) == 0 && IOURingSysctlOverride.read(sysctlPath) != nil
    }

    static var tandemBinary: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/tandem").path
    }

    @Test(.enabled(if: RelayEngineFallbackTests.sysctlIsWritable, "needs root and a writable /proc/sys/kernel/io_uring_disabled"))
    func autoFallsBackToMmsgAndForcedURingRefuses() throws {
        let binary = Self.tandemBinary
        try #require(FileManager.default.isExecutableFile(atPath: binary), "\(binary) is missing; run swift build")
        let autoNG = InteropNet.freeUDPPort()
        let uringNG = InteropNet.freeUDPPort()
        let ports = RelayPortRanges.next(size: 8)
        func arguments(ng: UInt16, engine: [String]) -> [String] {
            ["relay", "--listen-ng", "127.0.0.1:\(ng)", "--listen-metrics", "", "--port-min", "\(ports)",
             "--port-max", "\(ports + 7)", "--num-threads", "1", "--kernel", "off", "--buffer-count", "256"] + engine
        }
        let directory = NSTemporaryDirectory() + "tandem-fallback-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let sysctl = try IOURingSysctlOverride(path: Self.sysctlPath, value: "2")
        defer { sysctl.restore() }  // on every path; the normal one restores earlier, below
        let autoRelay = try InteropChildProcess(name: "relay-auto", executable: binary,
                                                arguments: arguments(ng: autoNG, engine: []),
                                                logPath: directory + "/auto.log")
        defer { autoRelay.stop() }
        let uringRelay = try InteropChildProcess(name: "relay-uring", executable: binary,
                                                 arguments: arguments(ng: uringNG, engine: ["--io-engine", "uring"]),
                                                 logPath: directory + "/uring.log")
        defer { uringRelay.stop() }
        // The window ends once the auto relay has chosen its engine and the forced one has given up.
        let chosen = RelayUnderTest.eventually(timeoutMs: 10_000) {
            autoRelay.logTail(100_000).contains("data plane engine") || !autoRelay.isRunning
        }
        let uringExit = uringRelay.waitForExit(seconds: 10)
        sysctl.restore()
        #expect(chosen)
        #expect(IOURingSysctlOverride.read(Self.sysctlPath) == sysctl.oldValue)

        // Forced io_uring refuses to start, and says why.
        let uringLog = uringRelay.logTail(100_000)
        #expect(uringExit != nil && uringExit != 0, "forced uring relay: exit \(String(describing: uringExit))")
        #expect(uringLog.contains("relay failed to start"), "\(uringLog)")
        #expect(uringLog.contains("io_uring forced (--io-engine uring) but unavailable"), "\(uringLog)")
        #expect(uringLog.contains("kernel.io_uring_disabled = 2"), "\(uringLog)")

        // Auto runs on mmsg, with exactly one line that says why.
        #expect(InteropNet.waitForNGPong(host: "127.0.0.1", port: autoNG, seconds: 10))
        let autoLog = autoRelay.logTail(100_000)
        let fallbackLines = autoLog.split(separator: "\n").filter { $0.contains("falling back") }
        #expect(fallbackLines.count == 1, "\(autoLog)")
        #expect(fallbackLines.first?.contains("io_uring unavailable") == true)
        #expect(fallbackLines.first?.contains("engine=mmsg") == true)
        #expect(fallbackLines.first?.contains("kernel.io_uring_disabled = 2") == true)

        // ... and forwards media both ways.
        let a = try DataPlaneTestClient("127.0.0.1")
        let b = try DataPlaneTestClient("127.0.0.1")
        let offer = InteropNet.ngRequest(["command": .text("offer"), "call-id": .text("fb"), "from-tag": .text("f"),
                                          "sdp": .text(RelaySDP.audio(port: a.endpoint.port))],
                                         host: "127.0.0.1", port: autoNG)
        let answer = InteropNet.ngRequest(["command": .text("answer"), "call-id": .text("fb"), "from-tag": .text("f"),
                                           "to-tag": .text("t"), "sdp": .text(RelaySDP.audio(port: b.endpoint.port))],
                                          host: "127.0.0.1", port: autoNG)
        let toRelayB = try #require(offer.flatMap { RelaySDP.endpoint(in: $0) }, "offer: \(String(describing: offer))")
        let toRelayA = try #require(answer.flatMap { RelaySDP.endpoint(in: $0) }, "answer: \(String(describing: answer))")
        for sequence in 0..<3 { a.send(DataPlaneHarness.payload(1, sequence), to: toRelayA) }
        #expect(b.receive(count: 3).count == 3)
        for sequence in 0..<3 { b.send(DataPlaneHarness.payload(2, sequence), to: toRelayB) }
        #expect(a.receive(count: 3).count == 3)
    }
}

extension RelayEngineFallbackTests {
    /// The fallback line tells the sysctl from seccomp (no root needed: the probe's text is fed in).
    @Test func permissionErrorNamesItsCause() {
        let eperm = "io_uring_setup: not permitted (EPERM: kernel.io_uring_disabled or seccomp)"
        #expect(IOEngineProbe.explainPermission(eperm, sysctl: 2).contains("kernel.io_uring_disabled = 2"))
        #expect(IOEngineProbe.explainPermission(eperm, sysctl: 1).contains("kernel.io_uring_disabled = 1"))
        #expect(IOEngineProbe.explainPermission(eperm, sysctl: 0).contains("seccomp or container profile"))
        #expect(IOEngineProbe.explainPermission(eperm, sysctl: nil).contains("seccomp or container profile"))
        let other = "io_uring lacks IORING_OP_RECVMSG"
        #expect(IOEngineProbe.explainPermission(other, sysctl: 2) == other)
        #expect("\(DataPlaneError.engineUnavailable("why"))" == "io_uring forced (--io-engine uring) but unavailable: why")
    }
}

/// Sets a sysctl file for a bounded window and puts the old value back (`restore()` is idempotent; `deinit`
/// restores too, as a last resort).
final class IOURingSysctlOverride {
    let path: String
    private let old: String
    /// The value found before the override (and written back by `restore()`).
    var oldValue: Int? { Int(old) }
    private var restored = false

    init(path: String, value: String) throws {
        guard let current = IOURingSysctlOverride.read(path) else { throw RelayTestError.noReply }
        self.path = path
        old = String(current)
        try IOURingSysctlOverride.write(path, value)
    }

    deinit { restore() }

    func restore() {
        guard !restored else { return }
        restored = true
        try? IOURingSysctlOverride.write(path, old)
    }

    static func read(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func write(_ path: String, _ value: String) throws {
        let fd = open(path, O_WRONLY)
        guard fd >= 0 else { throw RelayTestError.noReply }
        defer { close(fd) }
        let bytes = Array((value + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw RelayTestError.noReply }
    }
}
