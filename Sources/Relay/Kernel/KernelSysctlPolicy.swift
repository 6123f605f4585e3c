/// The `--kernel-sysctls check|set` policy: whether the relay may change the sysctls the kernel path needs.
///
/// `check` is the default because these are host-wide settings an operator (or a configuration manager) usually
/// owns: turning on forwarding makes the host a router (IPv6 then ignores router advertisements unless
/// `accept_ra = 2`), and a relay that silently flips them would surprise whoever set them. `set` is for hosts
/// dedicated to the relay, where the relay fixing them at start is simpler than a separate provisioning step.
public enum KernelSysctlPolicy: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Read the sysctls and log one line per unmet requirement; change nothing.
    case check
    /// Set what is missing (one log line per change); log one line per requirement that could not be set.
    case set

    public var description: String { rawValue }
}
