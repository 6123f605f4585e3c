import Foundation

/// Who owns a lab object in the shared host namespace list, and how to remove one whatever its owner's state.
///
/// Every name a lab creates starts with `tdm<pid>-<lab id>-`. The full pid is in the name (namespace names are not
/// limited to 15 characters; only interface names are, and interfaces are created directly inside the lab's
/// namespaces where they never clash with the host's). So a later run can tell, from the name alone, whether the
/// creator is still alive; the marker file in /run/tandem-lab adds the creator's start time, so a recycled pid does
/// not keep a dead run's namespaces alive.
enum LabOwnership {
    struct Owner: Equatable {
        let pid: pid_t
        let labID: Int
        var prefix: String { "tdm\(pid)-\(labID)-" }
    }

    /// The prefix of every name lab `labID` of this process creates.
    static func prefix(labID: Int) -> String { Owner(pid: getpid(), labID: labID).prefix }

    static func markerPath(prefix: String) -> String { "\(LabPaths.markerDirectory)/\(prefix)owner" }
    static func workDirectory(prefix: String) -> String { "\(LabPaths.workRoot)/\(prefix)logs" }

    /// Parses `tdm<pid>-<id>-<anything>`; names of any other shape are not the lab's and are never touched.
    static func parse(_ name: String) -> Owner? {
        let bytes = Array(name.utf8)
        guard bytes.count > 3, bytes[0] == UInt8(ascii: "t"), bytes[1] == UInt8(ascii: "d"),
              bytes[2] == UInt8(ascii: "m") else { return nil }
        var index = 3
        guard let pid = readNumber(bytes, &index), index < bytes.count, bytes[index] == UInt8(ascii: "-") else { return nil }
        index += 1
        guard let labID = readNumber(bytes, &index), index < bytes.count, bytes[index] == UInt8(ascii: "-") else { return nil }
        guard pid > 0, pid <= Int(Int32.max) else { return nil }
        return Owner(pid: pid_t(pid), labID: labID)
    }

    private static func readNumber(_ bytes: [UInt8], _ index: inout Int) -> Int? {
        var value = 0
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9"), index - start < 10 {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        return index > start ? value : nil
    }

    /// Field 22 of /proc/<pid>/stat: the start time in clock ticks since boot. Parsed after the last ')' because the
    /// command name in field 2 may itself contain spaces and parentheses.
    static func startTime(of pid: pid_t) -> UInt64? {
        let text = LabPaths.readText("/proc/\(pid)/stat")
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is field 3 (state); field 22 is fields[19].
        guard fields.count > 19 else { return nil }
        return UInt64(fields[19])
    }

    static func writeMarker(prefix: String) throws {
        try LabPaths.makeDirectory(LabPaths.markerDirectory)
        let pid = getpid()
        let text = "\(pid) \(startTime(of: pid) ?? 0)\n"
        guard FileManager.default.createFile(atPath: markerPath(prefix: prefix), contents: Data(text.utf8)) else {
            throw NetworkLabError.systemCall("write \(markerPath(prefix: prefix))", errno: errno)
        }
    }

    /// Alive = the pid exists and, when a marker records a start time, the process with that pid started then.
    static func isAlive(_ owner: Owner) -> Bool {
        if owner.pid == getpid() { return true }
        guard kill(owner.pid, 0) == 0 || errno == EPERM else { return false }
        let recorded = LabPaths.readText(markerPath(prefix: owner.prefix)).split(separator: " ")
        guard recorded.count == 2, let recordedStart = UInt64(recorded[1].trimmingCharacters(in: .whitespacesAndNewlines)),
              recordedStart != 0, let actualStart = startTime(of: owner.pid) else { return true }
        return recordedStart == actualStart
    }

    /// Removes a named namespace the way `ip netns delete` does (lazy unmount of the bind mount, then unlink), after
    /// SIGKILLing every process whose network namespace it is. Only system calls, no child processes, so it also
    /// works from an `atexit` hook. Never kills the calling process.
    static func removeNamespace(_ name: String) {
        let path = "\(LabPaths.netnsDirectory)/\(name)"
        killProcesses(inNamespaceAt: path)
        _ = umount2(path, Int32(MNT_DETACH))
        _ = unlink(path)
    }

    /// Pids (other than ours) whose network namespace is the one bind-mounted at `path`, found by comparing the
    /// device and inode of /proc/<pid>/ns/net with the namespace file, as `ip netns pids` does.
    static func processes(inNamespaceAt path: String) -> [pid_t] {
        var target = stat()
        guard stat(path, &target) == 0 else { return [] }
        var found: [pid_t] = []
        let me = getpid()
        for entry in LabPaths.entries("/proc") {
            guard let pid = pid_t(entry), pid != me else { continue }
            var info = stat()
            guard stat("/proc/\(entry)/ns/net", &info) == 0 else { continue }
            if info.st_ino == target.st_ino && info.st_dev == target.st_dev { found.append(pid) }
        }
        return found
    }

    static func killProcesses(inNamespaceAt path: String) {
        for pid in processes(inNamespaceAt: path) { _ = kill(pid, SIGKILL) }
    }

    /// Names under /run/netns that carry `prefix`.
    static func namespaces(withPrefix prefix: String) -> [String] {
        LabPaths.entries(LabPaths.netnsDirectory).filter { $0.hasPrefix(prefix) }.sorted()
    }
}
