import Foundation
import Testing
@testable import TestSupport

/// Names under /run/netns starting with `prefix`.
private func namespaces(withPrefix prefix: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []).filter { $0.hasPrefix(prefix) }
}

extension NetworkLabTests {
    @Suite("Cleanup")
    struct LabCleanupTests {
        @Test func shutdownRemovesNamespacesProcessesAndStragglers() throws {
            let lab = try NetworkLab()
            let phone = try lab.addNamespace("phone")
            let lan = try lab.addSwitch("lan")
            try lab.attach(phone, to: lan, interface: "eth0", addresses: ["10.77.2.2/24"])
            let socket = try lab.udpSocket(in: phone, bind: "10.77.2.2")
            let process = try lab.spawn(phone, ["sh", "-c", "sleep 30 & echo child $!; wait"])
            #expect(process.waitForOutput(containing: "child ", timeout: .seconds(5)))
            let grandchild = try #require(pid_t(process.standardOutput().split(separator: " ").last?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""))
            // A process that left the lab's process group (setsid) and outlives the command that started it.
            let escapee = try lab.run(phone, ["sh", "-c", "setsid sleep 30 >/dev/null 2>&1 < /dev/null & echo $!"]).checked()
            let escapeePID = try #require(pid_t(escapee.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            // (Whether it is already running is a race with the shell that started it; what matters is below.)
            #expect(namespaces(withPrefix: lab.prefix).count == 2)

            lab.shutdown()

            #expect(namespaces(withPrefix: lab.prefix).isEmpty)
            #expect(!process.isRunning)
            #expect(waitUntilDead(process.pid))
            #expect(waitUntilDead(grandchild), "a child of the spawned process is killed with its group")
            #expect(waitUntilDead(escapeePID), "a process that escaped the group is found through its namespace")
            #expect(throws: NetworkLabError.self) { try socket.send([1], to: "10.77.2.1", port: 9) }
            #expect(!FileManager.default.fileExists(atPath: lab.workDirectory))
            #expect(!FileManager.default.fileExists(atPath: LabOwnership.markerPath(prefix: lab.prefix)))
            #expect(throws: NetworkLabError.self) { try lab.addNamespace("late") }
            lab.shutdown()   // idempotent
        }

        @Test func droppingTheLabCleansUpToo() throws {
            var prefix = ""
            do {
                let lab = try NetworkLab()
                prefix = lab.prefix
                try lab.addNamespace("orphan")
                #expect(namespaces(withPrefix: prefix).count == 1)
            }
            #expect(namespaces(withPrefix: prefix).isEmpty, "deinit is a safety net for a forgotten shutdown()")
        }

        @Test func sweepStaleRemovesNamespacesOfDeadOwnersOnly() throws {
            let ip = try LabTools.requireIP()
            // A pid that certainly belonged to a process that is gone now.
            let finished = try LabCommand.run(["/bin/sh", "-c", "echo $$"]).checked()
            let deadPID = try #require(pid_t(finished.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
            #expect(kill(deadPID, 0) != 0)
            let stale = "tdm\(deadPID)-1-stale"
            // pid 1 is alive, but the marker says it started at another time: its pid was "recycled".
            let recycled = "tdm1-77-recycled"
            try LabPaths.makeDirectory(LabPaths.markerDirectory)
            #expect(FileManager.default.createFile(atPath: LabOwnership.markerPath(prefix: "tdm1-77-"), contents: Data("1 1\n".utf8)))
            let alive = "tdm1-78-alive"   // pid 1, no marker: treated as alive
            let foreign = "tdmx-not-ours"  // not the lab's naming scheme: never touched
            let planted = [stale, recycled, alive, foreign]
            for name in planted { try LabCommand.run([ip, "netns", "add", name]).checked() }
            defer {
                for name in planted { LabOwnership.removeNamespace(name) }
                _ = unlink(LabOwnership.markerPath(prefix: "tdm1-77-"))
            }
            // A leftover process still running inside the stale namespace (like a SIPp of a crashed run).
            let leftover = try ChildSpawner.spawn([ip, "netns", "exec", stale, "sleep", "30"], stdoutPath: "/dev/null", stderrPath: "/dev/null")
            defer { _ = ChildSpawner.wait(leftover, timeout: .seconds(3)) }
            #expect(waitForNamespace(of: leftover, toBe: "\(LabPaths.netnsDirectory)/\(stale)"))

            let removed = NetworkLab.sweepStale()

            #expect(removed.contains(stale) && removed.contains(recycled))
            #expect(!removed.contains(alive) && !removed.contains(foreign))
            let remaining = Set(namespaces(withPrefix: "tdm"))
            #expect(!remaining.contains(stale) && !remaining.contains(recycled))
            #expect(remaining.contains(alive) && remaining.contains(foreign))
            #expect(ChildSpawner.wait(leftover, timeout: .seconds(3)) == .signaled(SIGKILL),
                    "processes inside a stale namespace are killed")
        }

        @Test func ownerIsParsedFromTheNameOnlyForTheLabScheme() {
            #expect(LabOwnership.parse("tdm4242-3-phone") == LabOwnership.Owner(pid: 4242, labID: 3))
            #expect(LabOwnership.parse("tdm4242-3-") == LabOwnership.Owner(pid: 4242, labID: 3))
            for other in ["tdm", "tdm-1-x", "tdm12-x", "tdm12-3", "tdm12x3-", "xtdm1-2-", "tdm99999999999-1-a"] {
                #expect(LabOwnership.parse(other) == nil, "\(other)")
            }
        }
    }
}

/// Polls (≤ 3 s) until `pid` has entered the namespace at `path` (`ip netns exec` switches after it starts).
private func waitForNamespace(of pid: pid_t, toBe path: String) -> Bool {
    for _ in 0..<300 {
        if LabOwnership.processes(inNamespaceAt: path).contains(pid) { return true }
        usleep(10_000)
    }
    return false
}
