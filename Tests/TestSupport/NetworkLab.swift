import Foundation

/// A throw-away network of Linux network namespaces for integration tests: hosts, veth links, switches, a NAT
/// home router, processes and sockets inside them — and the guarantee that all of it is removed again.
///
/// Every name the lab creates starts with its `prefix`, `tdm<pid>-<lab id>-`. Cleanup happens on `shutdown()`, in
/// `deinit` as a safety net, from the process-wide registry at exit or on SIGINT/SIGTERM/SIGHUP, and — for runs
/// that crashed or were SIGKILLed — through `sweepStale()`, which every new lab runs first.
///
/// The lab never changes the host's own (root) network namespace: interfaces are created directly inside lab
/// namespaces, sysctls are only written inside them, and only 10.77/16, 10.78/16, fd77::/16, fd78::/16 are used.
public final class NetworkLab: @unchecked Sendable {
    /// `tdm<pid>-<lab id>-`; every namespace of this lab is named `prefix + role`.
    public let prefix: String
    /// Where spawned processes' stdout/stderr files go (removed on shutdown unless TANDEM_KEEP_LAB_LOGS=1).
    public let workDirectory: String

    private static let labCounter = LockedCounter()
    private static let roleCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-")

    private let lock = NSLock()
    private var namespaceList: [LabNamespace] = []
    private var processes: [LabProcess] = []
    private var sockets: [LabUDPSocket] = []
    private var switchPorts: [String: Int] = [:]
    private var spawnCount = 0
    private var isShutDown = false

    /// Checks the requirements (throws with a clear message when the machine cannot host a lab), installs the
    /// process-wide cleanup hooks and sweeps namespaces left behind by dead test processes.
    public init() throws {
        try LabRequirements.check()
        LabRegistry.shared.installCleanupHooks()
        NetworkLab.sweepStale()
        prefix = LabOwnership.prefix(labID: NetworkLab.labCounter.next())
        workDirectory = LabOwnership.workDirectory(prefix: prefix)
        LabRegistry.shared.register(labPrefix: prefix)
        try LabOwnership.writeMarker(prefix: prefix)
        try LabPaths.makeDirectory(workDirectory)
    }

    deinit { shutdown() }

    /// The namespaces this lab currently owns, in creation order.
    public var namespaces: [LabNamespace] { locked { namespaceList } }

    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    private func ensureRunning() throws {
        try locked { if isShutDown { throw NetworkLabError.shutDown } }
    }

    // MARK: Namespaces

    /// Creates namespace `prefix + role` with `lo` up. `role` is lower-case letters, digits and '-', ≤ 24 characters.
    @discardableResult
    public func addNamespace(_ role: String) throws -> LabNamespace {
        try ensureRunning()
        guard !role.isEmpty, role.count <= 24, role.allSatisfy({ NetworkLab.roleCharacters.contains($0) }) else {
            throw NetworkLabError.invalidName(role, reason: "roles are 1...24 of [a-z0-9-]")
        }
        let namespace = LabNamespace(name: prefix + role, role: role)
        try locked {
            guard !namespaceList.contains(namespace) else {
                throw NetworkLabError.invalidName(role, reason: "this lab already has a namespace with that role")
            }
            namespaceList.append(namespace)
        }
        // Registered before it exists, so an interrupt between the two steps still removes it.
        LabRegistry.shared.register(namespace: namespace.name)
        try ip(["netns", "add", namespace.name])
        try ip(["-n", namespace.name, "link", "set", "lo", "up"])
        // No IPv6 duplicate address detection in the lab: while the link-local address is "tentative" (about 1 s)
        // neighbour discovery stalls, so the first IPv6 datagram would be late. Absent on IPv6-less kernels.
        try? setSysctl(namespace, "net.ipv6.conf.default.accept_dad", "0")
        try? setSysctl(namespace, "net.ipv6.conf.all.accept_dad", "0")
        return namespace
    }

    /// Runs `ip ARGS` in the root namespace (used only for `netns` and `-n NS` commands) and checks the exit status.
    func ip(_ arguments: [String]) throws {
        try LabCommand.run([try LabTools.requireIP()] + arguments).checked()
    }

    /// The name of the next bridge port of `labSwitch`: `p1`, `p2`, …
    func nextSwitchPort(_ labSwitch: LabSwitch) -> String {
        locked {
            let next = (switchPorts[labSwitch.namespace.name] ?? 0) + 1
            switchPorts[labSwitch.namespace.name] = next
            return "p\(next)"
        }
    }

    // MARK: Commands and processes

    /// Runs `argv` inside `namespace` (through `ip netns exec`) and waits for it, at most `timeout`.
    /// A non-zero exit is returned, not thrown (use `.checked()`); a timeout kills the command and throws.
    @discardableResult
    public func run(_ namespace: LabNamespace, _ argv: [String], timeout: Duration = .seconds(10)) throws -> CommandResult {
        try ensureRunning()
        let wrapped = [try LabTools.requireIP(), "netns", "exec", namespace.name] + argv
        let result = try LabCommand.run(wrapped, timeout: timeout)
        return CommandResult(argv: argv, exit: result.exit, stdout: result.stdout, stderr: result.stderr)
    }

    /// Starts `argv` in the background inside `namespace`, stdout/stderr to files in `workDirectory`.
    /// The process is stopped by `shutdown()` (or killed by the registry if the test process is interrupted).
    public func spawn(_ namespace: LabNamespace, _ argv: [String]) throws -> LabProcess {
        try ensureRunning()
        guard let command = argv.first else { throw NetworkLabError.spawnFailed(argv, errno: EINVAL) }
        let number = locked { () -> Int in
            spawnCount += 1
            return spawnCount
        }
        let base = (command as NSString).lastPathComponent
        let stem = "\(workDirectory)/\(namespace.role)-\(number)-\(base)"
        let wrapped = [try LabTools.requireIP(), "netns", "exec", namespace.name] + argv
        let pid = try ChildSpawner.spawn(wrapped, stdoutPath: stem + ".out", stderrPath: stem + ".err")
        LabRegistry.shared.register(processGroup: pid)
        let process = LabProcess(pid: pid, argv: argv, namespace: namespace, stdoutPath: stem + ".out", stderrPath: stem + ".err")
        locked { processes.append(process) }
        return process
    }

    // MARK: In-process code inside a namespace

    /// Runs `body` on a dedicated thread that has entered `namespace` with setns(2), and waits for it.
    /// Sockets created in `body` belong to the namespace for their whole life, whichever thread uses them later.
    public func withNamespace<T>(_ namespace: LabNamespace, _ body: () throws -> T) throws -> T {
        try ensureRunning()
        return try NamespaceThread.run(namespacePath: namespace.path, body)
    }

    /// Async form of `withNamespace`: the closure still runs on its own thread; the caller's task is suspended,
    /// not blocked, while it runs.
    public func withNamespace<T: Sendable>(_ namespace: LabNamespace, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try ensureRunning()
        let path = namespace.path
        return try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try NamespaceThread.run(namespacePath: path, body) })
            }
            thread.start()
        }
    }

    /// A UDP socket opened inside `namespace` and bound to `address` (a lab address or a wildcard) and `port`.
    /// Closed by `shutdown()` if the test has not closed it.
    public func udpSocket(in namespace: LabNamespace, bind address: String, port: UInt16 = 0) throws -> LabUDPSocket {
        let socket = try withNamespace(namespace) { try LabUDPSocket(bind: address, port: port) }
        locked { sockets.append(socket) }
        return socket
    }

    // MARK: Shutdown

    /// Stops every spawned process (SIGTERM, SIGKILL after 500 ms), closes the lab's sockets, kills anything else
    /// still running in the lab's namespaces, deletes the namespaces (their veths go with them), the owner marker
    /// and the work directory. Idempotent; also called from `deinit`.
    public func shutdown() {
        let (toStop, toClose, toRemove) = locked { () -> ([LabProcess], [LabUDPSocket], [LabNamespace]) in
            if isShutDown { return ([], [], []) }
            isShutDown = true
            defer {
                processes.removeAll()
                sockets.removeAll()
                namespaceList.removeAll()
            }
            return (processes, sockets, namespaceList)
        }
        // All at once, so shutdown waits at most one grace period however many processes there are.
        for process in toStop {
            process.signal(SIGCONT)
            process.terminate()
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(500))
        for process in toStop where process.wait(timeout: max(.zero, clock.now.duration(to: deadline))) == nil {
            process.kill()
            process.wait(timeout: .seconds(5))
        }
        for socket in toClose { socket.close() }
        for namespace in toRemove.reversed() {
            LabOwnership.removeNamespace(namespace.name)
            LabRegistry.shared.unregister(namespace: namespace.name)
        }
        _ = unlink(LabOwnership.markerPath(prefix: prefix))
        LabRegistry.shared.unregister(labPrefix: prefix)
        if ProcessInfo.processInfo.environment["TANDEM_KEEP_LAB_LOGS"] != "1" {
            try? FileManager.default.removeItem(atPath: workDirectory)
        }
    }
}
