import CShims

/// RLIMIT_NOFILE: every stream socket is a descriptor, and a relay holds two per call leg pair (RTP + RTCP each).
public enum FileDescriptorLimit {
    /// Raises the soft limit to the hard limit (and the hard limit to `target` when privileged enough), then
    /// returns the soft limit before and after. Never lowers anything.
    @discardableResult
    public static func raise(toAtLeast target: UInt64 = 1 << 20) -> (old: UInt64, new: UInt64) {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return (0, 0) }
        let old = UInt64(limit.rlim_cur)
        if UInt64(limit.rlim_max) < target {
            // Only root (CAP_SYS_RESOURCE) may raise the hard limit; fs.nr_open caps it, so try and ignore failure.
            var raised = rlimit(rlim_cur: rlim_t(target), rlim_max: rlim_t(target))
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return (old, target) }
        }
        var soft = limit
        soft.rlim_cur = limit.rlim_max
        if soft.rlim_cur > limit.rlim_cur && setrlimit(Int32(RLIMIT_NOFILE.rawValue), &soft) == 0 {
            return (old, UInt64(soft.rlim_cur))
        }
        return (old, old)
    }
}
