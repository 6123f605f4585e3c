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

    /// Topology: h1 (10.77.3.1) ── switch br0 ── h2 (10.77.3.2); h2 also routes to h3 (10.78.3.1) behind it.
    @Test func hostsOnASwitchAndARoutedHopReachEachOther() throws {
        let lab = try NetworkLab()
        defer { lab.shutdown() }
        let lan = try lab.addSwitch("lan")
        let h1 = try lab.addNamespace("h1")
        let h2 = try lab.addNamespace("h2")
        let h3 = try lab.addNamespace("h3")
        try lab.attach(h1, to: lan, interface: "eth0", addresses: ["10.77.3.1/24"])
        try lab.attach(h2, to: lan, interface: "eth0", addresses: ["10.77.3.2/24"])
        try lab.link(h2, interface: "eth1", addresses: ["10.78.3.2/24"], to: h3, interface: "eth0", addresses: ["10.78.3.1/24"])
        try lab.enableForwarding(h2)
        try lab.setDefaultRoute(h1, via: "10.77.3.2")
        try lab.addRoute(h3, to: "10.77.3.0/24", via: "10.78.3.2")

        let one = try lab.udpSocket(in: h1, bind: "10.77.3.1")
        let two = try lab.udpSocket(in: h2, bind: "0.0.0.0")
        let three = try lab.udpSocket(in: h3, bind: "10.78.3.1")
        try one.send([1], to: "10.77.3.2", port: two.localPort)
        #expect(try two.receive(timeout: .seconds(2))?.host == "10.77.3.1", "across the switch")
        try one.send([2], to: "10.78.3.1", port: three.localPort)
        let routed = try #require(try three.receive(timeout: .seconds(2)), "through the routing namespace")
        #expect(routed.host == "10.77.3.1", "no NAT on a plain router")
        try three.send([3], to: routed.host, port: routed.port)
        #expect(try one.receive(timeout: .seconds(2))?.bytes == [3])
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
