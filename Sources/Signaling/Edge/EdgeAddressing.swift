import NIOCore

/// Conversions between the transport's NIO addresses and the cores' text peers.
enum EdgeAddressing {
    /// NIO source address → `SIPPeer` (nil for a Unix socket, which SIP never uses).
    static func peer(_ address: SocketAddress, transport: SIPTransportKind) -> SIPPeer? {
        let kind: SIPPeerTransport = transport == .udp ? .udp : .tcp
        if case .v4(let v4) = address {
            // Every inbound message comes here: NIO's `ipAddress` goes through inet_ntop (sprintf).
            let port = Int(UInt16(bigEndian: v4.address.sin_port))
            return SIPPeer(host: ipv4Text(v4.address.sin_addr.s_addr), port: port, transport: kind)
        }
        guard let host = address.ipAddress, let port = address.port else { return nil }
        return SIPPeer(host: host, port: port, transport: kind)
    }

    /// Dotted-quad text of an IPv4 address in network byte order (what inet_ntop writes), at most
    /// 15 bytes: a small string, no allocation.
    static func ipv4Text(_ networkOrder: UInt32) -> String {
        withUnsafeBytes(of: networkOrder) { octets in
            String(unsafeUninitializedCapacity: 15) { out in
                var n = 0
                for (i, octet) in octets.enumerated() {
                    if i > 0 {
                        out[n] = UInt8(ascii: ".")
                        n += 1
                    }
                    if octet >= 100 {
                        out[n] = 0x30 + octet / 100
                        n += 1
                    }
                    if octet >= 10 {
                        out[n] = 0x30 + octet / 10 % 10
                        n += 1
                    }
                    out[n] = 0x30 + octet % 10
                    n += 1
                }
                return n
            }
        }
    }

    /// `SIPPeer` → NIO address, for IP literals only (no DNS yet, see the README).
    static func socketAddress(_ peer: SIPPeer) -> SocketAddress? {
        var host = peer.host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return try? SocketAddress(ipAddress: host, port: peer.port)
    }
}
