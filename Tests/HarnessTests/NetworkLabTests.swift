import Foundation
import Testing
@testable import TestSupport

/// All harness tests share one serialized suite: they create and sweep namespaces under /run/netns and the
/// sweep test plants fake leftovers, so they must not interleave with each other.
@Suite("Network lab", .serialized, .enabled(if: LabRequirements.isEnabled))
struct NetworkLabTests {
    /// Topology: a (10.77.0.1, fd77::1) ── veth ── b (10.77.0.2, fd77::2).
    @Test func udpRoundTripOverVethBetweenTwoNamespaces() throws {
        let lab = try NetworkLab()
        defer { lab.shutdown() }
        let a = try lab.addNamespace("a")
        let b = try lab.addNamespace("b")
        try lab.link(a, interface: "eth0", addresses: ["10.77.0.1/24", "fd77::1/64"],
                     to: b, interface: "eth0", addresses: ["10.77.0.2/24", "fd77::2/64"])

        for (addressA, addressB) in [("10.77.0.1", "10.77.0.2"), ("fd77::1", "fd77::2")] {
            let socketA = try lab.udpSocket(in: a, bind: addressA)
            let socketB = try lab.udpSocket(in: b, bind: addressB)
            try socketA.send(Array("ping".utf8), to: addressB, port: socketB.localPort)
            let request = try #require(try socketB.receive(timeout: .seconds(2)), "no datagram reached B over \(addressB)")
            #expect(request.bytes == Array("ping".utf8))
            #expect(request.host == addressA)
            #expect(request.port == socketA.localPort)

            try socketB.send(Array("pong".utf8), to: request.host, port: request.port)
            let reply = try #require(try socketA.receive(timeout: .seconds(2)), "no reply reached A over \(addressA)")
            #expect(reply.bytes == Array("pong".utf8))
            #expect(reply.host == addressB)
        }
    }

    @Test func asyncWithNamespaceRunsOnAThreadInsideTheNamespace() async throws {
        let lab = try NetworkLab()
        defer { lab.shutdown() }
        let a = try lab.addNamespace("a")
        let b = try lab.addNamespace("b")
        try lab.link(a, interface: "only-in-a", to: b, interface: "only-in-b")
        // /proc/thread-self/net shows the calling thread's namespace.
        let seen = try await lab.withNamespace(a) { LabPaths.readText("/proc/thread-self/net/dev") }
        #expect(seen.contains("only-in-a"))
        #expect(!seen.contains("only-in-b"))
        #expect(!LabPaths.readText("/proc/thread-self/net/dev").contains("only-in-a"), "the caller's thread never moved")
    }

    @Test func runExecutesInsideTheNamespaceAndReportsStatusAndOutput() throws {
        let lab = try NetworkLab()
        defer { lab.shutdown() }
        let host = try lab.addNamespace("host")
        let other = try lab.addNamespace("other")
        try lab.link(host, interface: "veth-x", addresses: ["10.77.9.1/30"], to: other, interface: "veth-y")

        let links = try lab.run(host, ["ip", "-o", "link", "show"]).checked()
        #expect(links.stdout.contains("veth-x"))
        #expect(!links.stdout.contains("veth-y"), "the peer end belongs to the other namespace")

        let failing = try lab.run(host, ["sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(failing.exit == .exited(3))
        #expect(failing.stdout == "out\n")
        #expect(failing.stderr == "err\n")
        #expect(throws: NetworkLabError.self) { try failing.checked() }

        let clock = ContinuousClock()
        let started = clock.now
        #expect(throws: NetworkLabError.self) { try lab.run(host, ["sleep", "5"], timeout: .milliseconds(200)) }
        #expect(clock.now - started < .seconds(3), "a timed-out command is killed, not waited for")
    }

    @Test func backgroundProcessCanBeFrozenResumedAndTerminated() throws {
        let lab = try NetworkLab()
        defer { lab.shutdown() }
        let host = try lab.addNamespace("host")
        let process = try lab.spawn(host, ["sh", "-c", "echo ready; echo oops >&2; exec sleep 30"])
        #expect(process.waitForOutput(containing: "ready", timeout: .seconds(5)))
        #expect(process.waitForOutput(containing: "oops", timeout: .seconds(5)))
        #expect(process.standardError().contains("oops"))
        #expect(process.isRunning)

        process.signal(SIGSTOP)
        #expect(waitForState(of: process.pid, in: ["T"]), "SIGSTOP freezes the process")
        process.signal(SIGCONT)
        #expect(waitForState(of: process.pid, in: ["S", "R"]), "SIGCONT resumes it")

        process.terminate()
        #expect(process.wait(timeout: .seconds(5)) == .signaled(SIGTERM))
        #expect(!process.isRunning)
    }

    @Test func sysctlsAreWrittenInsideTheNamespaceOnly() throws {
        let lab = try NetworkLab()
        defer { lab.shutdown() }
        let router = try lab.addNamespace("rt")
        let hostValue = LabPaths.readText("/proc/sys/net/ipv4/ip_forward")
        try lab.enableForwarding(router)
        #expect(try lab.readSysctl(router, "net.ipv4.ip_forward") == "1")
        #expect(LabPaths.readText("/proc/sys/net/ipv4/ip_forward") == hostValue, "the host's own value is untouched")
        #expect(throws: NetworkLabError.self) { try lab.setSysctl(router, "kernel.pid_max", "1") }
    }

    @Test func addressesOutsideTheLabRangesAreRefused() throws {
        for accepted in ["10.77.1.2/24", "10.78.255.1", "fd77::1/64", "fd78:1::2"] {
            #expect(throws: Never.self) { try LabAddress(accepted) }
        }
        for refused in ["10.1.1.1/24", "192.168.1.1", "8.8.8.8", "2001:db8::1", "fe80::1", "10.77.1.1/8", "nonsense", "10.77.1.1/x"] {
            #expect(throws: NetworkLabError.self) { try LabAddress(refused) }
        }
    }
}

/// Polls /proc/<pid>/stat (≤ 2 s) until the process state letter is one of `states`.
func waitForState(of pid: pid_t, in states: Set<String>) -> Bool {
    for _ in 0..<200 {
        if let state = processState(pid), states.contains(state) { return true }
        usleep(10_000)
    }
    return false
}

/// The state letter from /proc/<pid>/stat, nil when the process is gone.
func processState(_ pid: pid_t) -> String? {
    let text = LabPaths.readText("/proc/\(pid)/stat")
    guard let close = text.lastIndex(of: ")") else { return nil }
    return text[text.index(after: close)...].split(separator: " ").first.map(String.init)
}

/// Gone or a zombie (a killed grandchild waits for init to reap it).
func processIsDead(_ pid: pid_t) -> Bool {
    guard let state = processState(pid) else { return true }
    return state == "Z" || state == "X"
}

/// Polls `processIsDead` for at most 3 s.
func waitUntilDead(_ pid: pid_t) -> Bool {
    for _ in 0..<300 {
        if processIsDead(pid) { return true }
        usleep(10_000)
    }
    return false
}
