import Foundation

extension NetworkLab {
    /// Removes what earlier test processes left behind when they died without cleaning up (SIGKILL, crash, CI
    /// timeout): every namespace named `tdm<pid>-<id>-…` whose owner is no longer alive (pid gone, or the pid now
    /// belongs to a process started at another time than the marker records), after killing anything still running
    /// in it; plus their owner markers, log directories and scratch files.
    ///
    /// Namespaces of live processes — including other test runs on the same machine — are left alone.
    /// Returns the names of the namespaces removed.
    @discardableResult
    public static func sweepStale() -> [String] {
        var removed: [String] = []
        for name in LabPaths.entries(LabPaths.netnsDirectory).sorted() {
            guard let owner = LabOwnership.parse(name), !LabOwnership.isAlive(owner) else { continue }
            LabOwnership.removeNamespace(name)
            removed.append(name)
        }
        for marker in LabPaths.entries(LabPaths.markerDirectory) {
            guard let owner = LabOwnership.parse(marker), !LabOwnership.isAlive(owner) else { continue }
            _ = unlink("\(LabPaths.markerDirectory)/\(marker)")
        }
        for directory in LabPaths.entries(LabPaths.workRoot) {
            guard let owner = LabOwnership.parse(directory), !LabOwnership.isAlive(owner) else { continue }
            try? FileManager.default.removeItem(atPath: "\(LabPaths.workRoot)/\(directory)")
        }
        for file in LabPaths.entries(LabPaths.scratchDirectory) {
            // Scratch files are "cmd-<pid>-<n>.out|.err".
            let fields = file.split(separator: "-")
            guard fields.count >= 3, fields[0] == "cmd", let pid = pid_t(fields[1]), pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                _ = unlink("\(LabPaths.scratchDirectory)/\(file)")
            }
        }
        return removed
    }
}
