import Foundation

/// The connection-tracking table of the namespace the *calling thread* is in (call these inside
/// `NetworkLab.withNamespace`; `HomeRouter` does).
///
/// Flushing talks ctnetlink directly (one IPCTNL_MSG_CT_DELETE request without a tuple, which the kernel treats as
/// "flush all"), which is what `conntrack -F` does, so the harness needs no `conntrack` package. Waiting out the
/// timeout would be slow, and deleting and re-adding the nftables table does *not* drop existing entries.
enum ConntrackTable {
    private static let netlinkNetfilter: Int32 = 12      // NETLINK_NETFILTER
    private static let subsystemConntrack: UInt16 = 1    // NFNL_SUBSYS_CTNETLINK
    private static let messageDelete: UInt16 = 2         // IPCTNL_MSG_CT_DELETE
    private static let flagRequest: UInt16 = 0x1         // NLM_F_REQUEST
    private static let flagAck: UInt16 = 0x4             // NLM_F_ACK
    private static let messageError: UInt16 = 2          // NLMSG_ERROR

    /// Deletes every conntrack entry (all families) of the current thread's namespace.
    static func flush() throws {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), netlinkNetfilter)
        guard fd >= 0 else { throw NetworkLabError.systemCall("socket(NETLINK_NETFILTER)", errno: errno) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        // struct nlmsghdr (host byte order) followed by struct nfgenmsg {family = AF_UNSPEC, version 0, res_id 0}.
        var message: [UInt8] = []
        appendNative(UInt32(20), to: &message)
        appendNative((subsystemConntrack << 8) | messageDelete, to: &message)
        appendNative(flagRequest | flagAck, to: &message)
        appendNative(UInt32(1), to: &message)     // sequence number
        appendNative(UInt32(0), to: &message)     // port id: let the kernel fill it in
        message += [0, 0, 0, 0]

        var kernel = NetlinkAddress(family: sa_family_t(AF_NETLINK), padding: 0, portID: 0, groups: 0)
        let sent = message.withUnsafeBytes { buffer in
            withUnsafePointer(to: &kernel) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<NetlinkAddress>.size))
                }
            }
        }
        guard sent == message.count else { throw NetworkLabError.systemCall("sendto(ctnetlink flush)", errno: errno) }

        var reply = [UInt8](repeating: 0, count: 4096)
        let count = reply.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count >= 20 else { throw NetworkLabError.systemCall("recv(ctnetlink ack)", errno: count < 0 ? errno : EPROTO) }
        let type = reply.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 4, as: UInt16.self) }
        guard type == messageError else { return }
        let code = reply.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16, as: Int32.self) }
        guard code == 0 else { throw NetworkLabError.systemCall("ctnetlink flush", errno: -code) }
    }

    /// `struct sockaddr_nl`, which Glibc's Swift module does not export. Port id 0 addresses the kernel.
    private struct NetlinkAddress {
        var family: sa_family_t
        var padding: UInt16
        var portID: UInt32
        var groups: UInt32
    }

    private static func appendNative<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value) { bytes += $0 }
    }

    /// The current thread's namespace's entries as the kernel prints them (one line per connection). Read from
    /// /proc/thread-self, not /proc/self: /proc/self/net shows the *main* thread's namespace.
    static func entries() throws -> [String] {
        let path = "/proc/thread-self/net/nf_conntrack"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw NetworkLabError.systemCall("read \(path) (kernel without CONFIG_NF_CONNTRACK_PROCFS?)", errno: ENOENT)
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
