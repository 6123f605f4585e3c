import Glibc

/// The sysctls the kernel path depends on, checked (and optionally set) in the calling thread's network namespace.
///
/// - `net.ipv4.ip_forward = 1`: a rewritten packet is routed, not delivered locally; without forwarding it is
///   dropped.
/// - `net.ipv4.conf.{all,<if>}.rp_filter ≠ 1`: strict reverse-path filtering drops a relayed packet whenever the
///   route back to its source leaves through another interface (multi-homed relays). The effective value is the
///   maximum of `all` and the interface, so both must be 0 or 2 (loose).
/// - `net.ipv4.conf.{all,<if>}.send_redirects = 0`: a hairpin (in and out through the same interface, the normal
///   case for a one-armed relay) would otherwise make the kernel send ICMP redirects to the peers. The effective
///   value is `all` OR the interface, so both must be 0.
/// - `net.ipv6.conf.all.forwarding = 1` (only when the kernel has IPv6): the same as `ip_forward` for the `ip6`
///   table. IPv6 has neither rp_filter nor a redirect switch to check. Beware that forwarding turns the host into
///   an IPv6 router: it then ignores router advertisements unless `accept_ra = 2`, so a host configured by SLAAC
///   needs that too (not checked: the relay cannot know how the host gets its address).
public enum KernelSysctls {
    /// One unmet requirement.
    public struct Finding: Sendable, Hashable, CustomStringConvertible {
        public let key: String
        public let found: String
        public let wanted: String
        /// Set when `allowChanges` was on but writing failed.
        public let writeFailed: Bool

        public var description: String {
            writeFailed
                ? "\(key) is \(found), needs \(wanted), and setting it failed"
                : "\(key) is \(found), needs \(wanted) for kernel forwarding"
        }
    }

    /// A requirement that was unmet and has been fixed (`allowChanges`).
    public struct Change: Sendable, Hashable, CustomStringConvertible {
        public let key: String
        public let from: String
        public let to: String

        public var description: String { "set \(key) from \(from) to \(to) for kernel forwarding" }
    }

    /// What one pass did: the changes made and the requirements still unmet.
    public struct Review: Sendable, Hashable {
        public var changes: [Change] = []
        public var findings: [Finding] = []
    }

    /// Checks every requirement; with `allowChanges`, fixes what it can (rp_filter 1 becomes 2). Returns one
    /// finding per requirement still unmet (empty: all good).
    ///
    /// - Parameter interfaces: the interfaces media flows through; nil means every interface but `lo`.
    public static func check(interfaces: [String]? = nil, allowChanges: Bool = false) -> [Finding] {
        review(interfaces: interfaces, allowChanges: allowChanges).findings
    }

    /// Checks every requirement and, with `allowChanges`, fixes what it can; reports each change and each
    /// requirement still unmet, so the caller logs one line for each.
    ///
    /// - Parameters:
    ///   - interfaces: the interfaces media flows through (their rp_filter and send_redirects count, with `all`);
    ///     nil means every interface but `lo`.
    ///   - ipv6: whether IPv6 is forwarded (then `net.ipv6.conf.all.forwarding` is required); nil means whenever
    ///     the kernel has IPv6.
    public static func review(interfaces: [String]? = nil, ipv6: Bool? = nil, allowChanges: Bool = false) -> Review {
        let names = interfaces ?? listInterfaces()
        var review = Review()
        func require(_ key: String, wanted: String, fix: String, ok: (String) -> Bool) {
            let path = "/proc/sys/" + key.split(separator: ".").joined(separator: "/")
            guard let found = read(path) else {
                review.findings.append(Finding(key: key, found: "unreadable", wanted: wanted, writeFailed: false))
                return
            }
            if ok(found) { return }
            if allowChanges {
                if write(path, fix), let now = read(path), ok(now) {
                    review.changes.append(Change(key: key, from: found, to: now))
                    return
                }
                review.findings.append(Finding(key: key, found: found, wanted: wanted, writeFailed: true))
            } else {
                review.findings.append(Finding(key: key, found: found, wanted: wanted, writeFailed: false))
            }
        }
        require("net.ipv4.ip_forward", wanted: "1", fix: "1") { $0 == "1" }
        if ipv6 ?? true, access("/proc/sys/net/ipv6/conf/all", F_OK) == 0 {
            require("net.ipv6.conf.all.forwarding", wanted: "1", fix: "1") { $0 == "1" }
        }
        for scope in ["all"] + names {
            require("net.ipv4.conf.\(scope).rp_filter", wanted: "0 or 2 (loose)", fix: "2") { $0 != "1" }
            require("net.ipv4.conf.\(scope).send_redirects", wanted: "0", fix: "0") { $0 == "0" }
        }
        return review
    }

    /// The interfaces of the current namespace except `lo` (`/proc/sys/net/ipv4/conf/*`).
    static func listInterfaces() -> [String] {
        guard let directory = opendir("/proc/sys/net/ipv4/conf") else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if !["", ".", "..", "all", "default", "lo"].contains(name) { names.append(name) }
        }
        return names.sorted()
    }

    private static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        let text = buffer.prefix(count).filter { $0 != 0x0a && $0 != 0x20 && $0 != 0x09 }
        return String(decoding: text, as: UTF8.self)
    }

    private static func write(_ path: String, _ value: String) -> Bool {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let bytes = Array(value.utf8)
        return bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) } == bytes.count
    }
}
