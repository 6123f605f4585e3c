import Foundation

/// The process-wide list of everything any lab of this process has created, so that an `atexit` hook or a
/// SIGINT/SIGTERM/SIGHUP can remove it all even when a test never reached `shutdown()` (a failed `#require`, a
/// thrown error, ^C in the terminal, CI's timeout sending SIGTERM).
///
/// What it cannot cover is SIGKILL or a crash; `NetworkLab.sweepStale()` (run by every new lab) removes those leftovers.
final class LabRegistry: @unchecked Sendable {
    static let shared = LabRegistry()

    private let lock = NSLock()
    private var namespaces: Set<String> = []
    private var processGroups: Set<pid_t> = []
    private var labPrefixes: Set<String> = []
    private var hooksInstalled = false

    func register(namespace name: String) { locked { _ = namespaces.insert(name) } }
    func unregister(namespace name: String) { locked { _ = namespaces.remove(name) } }
    func register(processGroup pid: pid_t) { locked { _ = processGroups.insert(pid) } }
    func unregister(processGroup pid: pid_t) { locked { _ = processGroups.remove(pid) } }
    func register(labPrefix prefix: String) { locked { _ = labPrefixes.insert(prefix) } }
    func unregister(labPrefix prefix: String) { locked { _ = labPrefixes.remove(prefix) } }

    /// Namespace names currently registered (for tests and diagnostics).
    var registeredNamespaces: Set<String> { locked { namespaces } }

    private func locked<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Installs the `atexit` hook and the signal handlers, once per process.
    func installCleanupHooks() {
        let first = locked { () -> Bool in
            defer { hooksInstalled = true }
            return !hooksInstalled
        }
        guard first else { return }
        atexit { LabRegistry.shared.cleanUpEverything() }
        LabSignalWatcher.install(signals: [SIGINT, SIGTERM, SIGHUP]) { signal in
            LabRegistry.shared.cleanUpEverything()
            LabSignalWatcher.resendWithPreviousDisposition(signal)
        }
    }

    /// Kills every registered process group, removes every registered namespace (killing whatever still runs in
    /// it) and every owner marker. Idempotent; uses only system calls, no child processes.
    func cleanUpEverything() {
        let (groups, names, prefixes) = locked { () -> (Set<pid_t>, Set<String>, Set<String>) in
            defer {
                processGroups.removeAll()
                namespaces.removeAll()
                labPrefixes.removeAll()
            }
            return (processGroups, namespaces, labPrefixes)
        }
        for group in groups { _ = kill(-group, SIGKILL) }
        for name in names.sorted() { LabOwnership.removeNamespace(name) }
        for prefix in prefixes { _ = unlink(LabOwnership.markerPath(prefix: prefix)) }
    }
}
