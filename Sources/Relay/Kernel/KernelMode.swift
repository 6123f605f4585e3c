/// The `--kernel off|auto|require` policy: whether established streams are forwarded by nftables in the kernel.
///
/// `auto` is the default for a reason: the kernel path needs CAP_NET_ADMIN and nf_tables, which containers and
/// unprivileged test runs often lack, and the userspace data plane forwards the same streams correctly — only at a
/// higher cost per packet. `require` is for deployments that size their hardware on the kernel path and would
/// rather not start than silently fall back.
public enum KernelMode: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Never touch nftables; everything goes through the userspace data plane.
    case off
    /// Use the kernel when the table can be created; otherwise log the reason and stay in userspace.
    case auto
    /// Use the kernel or fail to start.
    case require

    public var description: String { rawValue }

    /// Starts the kernel path as this mode says: creates a fresh table (or adopts the existing one when `adopt` is
    /// set and a table is there). Must run on a thread in the relay's network namespace.
    ///
    /// - Returns: `.kernel` with a ready forwarder, or `.userspace` with the reason to log once.
    /// - Throws: only in `.require` mode, the error that prevented the kernel path.
    public func start(_ configuration: KernelForwarderConfiguration = KernelForwarderConfiguration(),
                      adopt: Bool = false) throws(KernelForwarderError) -> KernelOffloadDecision {
        if self == .off { return .userspace(reason: "kernel offload disabled (--kernel off)") }
        do {
            let forwarder = try KernelForwarder(configuration: configuration)
            if adopt, try forwarder.tableExists() {
                _ = try forwarder.adoptExisting()
            } else {
                try forwarder.createTable()
            }
            return .kernel(forwarder)
        } catch {
            if self == .require { throw error }
            return .userspace(reason: "kernel offload unavailable, using userspace forwarding: \(error)")
        }
    }
}

/// The outcome of `KernelMode.start`: which path forwards established streams.
public enum KernelOffloadDecision: Sendable {
    case kernel(KernelForwarder)
    case userspace(reason: String)

    /// The forwarder when the kernel path is active.
    public var forwarder: KernelForwarder? {
        if case .kernel(let forwarder) = self { return forwarder }
        return nil
    }
}
