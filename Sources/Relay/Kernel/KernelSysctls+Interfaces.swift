import Glibc

extension KernelSysctls {
    /// The interfaces of the current namespace that hold one of `addresses` (the relay's media addresses), sorted;
    /// nil when that cannot be narrowed down (an unspecified address binds every interface, or an address is on
    /// no interface here), so the caller falls back to every interface.
    ///
    /// Why narrow it: rp_filter and send_redirects are per interface, and with `--kernel-sysctls set` the relay
    /// should change them where its media flows, not on every interface of the host.
    public static func interfaces(holding addresses: [MediaAddress]) -> [String]? {
        guard !addresses.isEmpty, !addresses.contains(where: \.isUnspecified) else { return nil }
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return nil }
        defer { freeifaddrs(list) }
        var found: [MediaAddress: Set<String>] = [:]
        var cursor: UnsafeMutablePointer<ifaddrs>? = first
        while let entry = cursor {
            cursor = entry.pointee.ifa_next
            guard let socketAddress = entry.pointee.ifa_addr, let name = entry.pointee.ifa_name,
                  let address = mediaAddress(socketAddress) else { continue }
            found[address, default: []].insert(String(cString: name))
        }
        var names = Set<String>()
        for address in addresses {
            guard let holders = found[address] else { return nil }
            names.formUnion(holders)
        }
        names.remove("lo")
        return names.sorted()
    }

    private static func mediaAddress(_ pointer: UnsafeMutablePointer<sockaddr>) -> MediaAddress? {
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                .v4(UInt32(bigEndian: $0.pointee.sin_addr.s_addr))
            }
        case AF_INET6:
            return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                withUnsafeBytes(of: address.pointee.sin6_addr) { raw in
                    var high: UInt64 = 0
                    var low: UInt64 = 0
                    for index in 0..<8 { high = high << 8 | UInt64(raw[index]) }
                    for index in 8..<16 { low = low << 8 | UInt64(raw[index]) }
                    return .v6(high: high, low: low)
                }
            }
        default:
            return nil
        }
    }
}
