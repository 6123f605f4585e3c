import Testing
import Glibc
@testable import Relay
import TestSupport

/// The `ip6` table against a real kernel: the IPv6 twins of `KernelForwarderTests`, plus adoption of a table pair
/// holding IPv4 and IPv6 legs at once. Nothing is bound on the relay's ports, so whatever arrives was forwarded by
/// nftables.
@Suite(.serialized, .enabled(if: LabRequirements.isEnabled))
struct KernelForwarderIPv6Tests {
    typealias Lab = KernelTestLab

    @Test func sysctlCheckCoversIPv6Forwarding() throws {
        let setup = try Lab(ipv6: true)
        #expect(setup.initialFindings.contains { $0.key == "net.ipv6.conf.all.forwarding" })
        #expect(setup.remainingFindings.isEmpty, "\(setup.remainingFindings)")
        #expect(try setup.lab.readSysctl(setup.relay, "net.ipv6.conf.all.forwarding") == "1")
    }

    @Test func ipv6CallIsForwardedBothWaysWithCountersThenRemoved() throws {
        let setup = try Lab(ipv6: true)
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        let listing = try setup.nft(["list", "tables"])
        #expect(listing.contains("table ip tandem") && listing.contains("table ip6 tandem"))
        try forwarder.install(Lab.callEntries6)

        let caller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress6, port: Lab.callerPort)
        let callee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress6, port: Lab.calleePort)
        let payload = [UInt8](repeating: 0x6a, count: 160)
        for _ in 0..<3 { try caller.send(payload, to: Lab.relayAddress6, port: Lab.relayPortA) }
        for _ in 0..<3 {
            let datagram = try #require(try callee.receive(timeout: .seconds(2)))
            #expect(datagram.bytes == payload)
            #expect(datagram.host == Lab.relayAddress6 && datagram.port == Lab.relayPortB)
        }
        for _ in 0..<2 { try callee.send([1, 2, 3, 4], to: Lab.relayAddress6, port: Lab.relayPortB) }
        for _ in 0..<2 {
            let datagram = try #require(try caller.receive(timeout: .seconds(2)))
            #expect(datagram.bytes == [1, 2, 3, 4])
            #expect(datagram.host == Lab.relayAddress6 && datagram.port == Lab.relayPortA)
        }

        let counters = try forwarder.readCounters()
        let legA = Lab.callEntries6[0].key, legB = Lab.callEntries6[1].key
        // 40 bytes IPv6 header + 8 bytes UDP header + payload.
        #expect(counters[legA] == KernelStreamCounters(packets: 3, bytes: 3 * (48 + 160)))
        #expect(counters[legB] == KernelStreamCounters(packets: 2, bytes: 2 * (48 + 4)))
        let map = try setup.nft(["list", "map", "ip6", "tandem", "out_daddr"])
        #expect(map.contains("ipv6_addr") && map.contains(Lab.calleeAddress6) && map.contains("size 65535"))

        try forwarder.remove([legA, legB])
        #expect(try forwarder.readCounters().isEmpty)
        #expect(!(try setup.nft(["list", "map", "ip6", "tandem", "out_daddr"])).contains("elements"))
        try sendTolerantly(caller, payload, to: Lab.relayAddress6, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .milliseconds(300)) == nil)

        try forwarder.removeTable()
        #expect(try setup.nft(["list", "tables"]).trimmingCharacters(in: .whitespacesAndNewlines).isEmpty)
    }

    @Test func ipv6PacketFromAnUnexpectedSourceIsNotForwarded() throws {
        let setup = try Lab(ipv6: true)
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        try forwarder.install(Lab.callEntries6)
        let callee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress6, port: Lab.calleePort)
        // Right host, wrong port; then the right port from the host's IPv4 address: neither is the learned source.
        let stranger = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress6, port: Lab.callerPort + 1)
        try sendTolerantly(stranger, [9, 9, 9], to: Lab.relayAddress6, port: Lab.relayPortA)
        let otherFamily = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress, port: Lab.callerPort)
        try sendTolerantly(otherFamily, [8, 8], to: Lab.relayAddress, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .milliseconds(300)) == nil)
        #expect(try forwarder.readCounters()[Lab.callEntries6[0].key]?.packets == 0)
        let caller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress6, port: Lab.callerPort)
        try caller.send([7], to: Lab.relayAddress6, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .seconds(2))?.bytes == [7])
    }

    @Test func ipv6UpdateKeepsTheLegAndItsCounterButMovesTheDestination() throws {
        let setup = try Lab(ipv6: true)
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        try forwarder.install(Lab.callEntries6)
        let caller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress6, port: Lab.callerPort)
        let callee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress6, port: Lab.calleePort)
        let moved = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress6, port: Lab.calleePort + 10)
        try caller.send([1], to: Lab.relayAddress6, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .seconds(2))?.bytes == [1])

        let old = Lab.callEntries6[0]
        let updated = KernelStreamEntry(key: old.key, source: old.source,
                                        destination: Lab.endpoint(Lab.calleeAddress6, Lab.calleePort + 10))
        try forwarder.install([updated])
        try caller.send([2], to: Lab.relayAddress6, port: Lab.relayPortA)
        #expect(try moved.receive(timeout: .seconds(2))?.bytes == [2])
        #expect(try callee.receive(timeout: .milliseconds(200)) == nil)
        #expect(try forwarder.readCounters()[old.key]?.packets == 2)
        #expect(Set(forwarder.installedEntries) == Set([updated, Lab.callEntries6[1]]))
    }

    @Test func thousandIPv6EntriesInstallInOneBatchAndAllCountersReadBack() throws {
        let setup = try Lab()
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        let entries = (0..<1000).map(syntheticEntry)
        let callsBefore = forwarder.netlinkSendCalls
        try forwarder.install(entries)
        #expect(forwarder.netlinkSendCalls - callsBefore <= 2)
        // Several dump chunks per family: every element must come back (the maps are sized, see README).
        let counters = try forwarder.readCounters()
        #expect(counters.count == 1000)
        #expect(Set(counters.keys) == Set(entries.map(\.key)))
        try forwarder.remove(entries.prefix(500).map(\.key))
        #expect(try forwarder.readCounters().count == 500)
    }

    /// IPv6 leg `index` of a synthetic load: distinct peers and relay ports, nothing routable behind them.
    private func syntheticEntry(_ index: Int) -> KernelStreamEntry {
        let high = UInt8(index >> 8), low = UInt8(index & 0xff)
        func address(_ subnet: UInt8, _ host: (UInt8, UInt8), port: Int) -> SocketEndpoint {
            .ipv6([0xfd, 0x77, 0, subnet] + [UInt8](repeating: 0, count: 10) + [host.0, host.1], port: UInt16(port))!
        }
        let key = KernelStreamKey(peer: address(41, (high, low), port: 20000 + index),
                                  local: address(40, (0, 1), port: 30000 + 2 * index))
        return KernelStreamEntry(key: key, source: address(40, (0, 1), port: 30001 + 2 * index),
                                 destination: address(42, (high, low), port: 40000 + index))
    }

    @Test func freshForwarderAdoptsMixedFamilyLegsAfterACrash() throws {
        let setup = try Lab(ipv6: true)
        let caller4 = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress, port: Lab.callerPort)
        let callee4 = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress, port: Lab.calleePort)
        let caller6 = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress6, port: Lab.callerPort)
        let callee6 = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress6, port: Lab.calleePort)
        let both = Lab.callEntries + Lab.callEntries6
        do {
            // The "crashed" relay: one IPv4 and one IPv6 call in one batch, then it vanishes.
            let first = try setup.makeForwarder()
            try first.createTable()
            try first.install(both)
            #expect(first.netlinkBatches == 2, "create + one install batch across both tables")
        }
        for _ in 0..<3 { try caller4.send([4], to: Lab.relayAddress, port: Lab.relayPortA) }
        for _ in 0..<2 { try caller6.send([6], to: Lab.relayAddress6, port: Lab.relayPortA) }
        for _ in 0..<3 { #expect(try callee4.receive(timeout: .seconds(2))?.bytes == [4]) }
        for _ in 0..<2 { #expect(try callee6.receive(timeout: .seconds(2))?.bytes == [6]) }

        let second = try setup.makeForwarder()
        #expect(try second.tableExists())
        #expect(Set(try second.adoptExisting()) == Set(both))
        let counters = try second.readCounters()
        #expect(counters[Lab.callEntries[0].key]?.packets == 3)
        #expect(counters[Lab.callEntries6[0].key]?.packets == 2)
        // The four adopted marks (across both tables) are not handed out again: a new IPv6 call gets fresh ones,
        // and all three calls keep working.
        let other = KernelStreamEntry.pair(peerA: Lab.endpoint(Lab.callerAddress6, 51000),
                                           localA: Lab.endpoint(Lab.relayAddress6, 31000),
                                           peerB: Lab.endpoint(Lab.calleeAddress6, 51002),
                                           localB: Lab.endpoint(Lab.relayAddress6, 31002))
        try second.install(other)
        let ruleset = try setup.nft(["list", "ruleset"])
        let marks = ["0x00010000", "0x00020000", "0x00030000", "0x00040000", "0x00050000", "0x00060000"]
        #expect(marks.allSatisfy { ruleset.contains($0) }, "six legs, six distinct marks")
        let otherCaller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress6, port: 51000)
        let otherCallee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress6, port: 51002)
        try otherCaller.send([7], to: Lab.relayAddress6, port: 31000)
        #expect(try otherCallee.receive(timeout: .seconds(2))?.bytes == [7])
        try caller6.send([8], to: Lab.relayAddress6, port: Lab.relayPortA)
        #expect(try callee6.receive(timeout: .seconds(2))?.bytes == [8])
        try caller4.send([9], to: Lab.relayAddress, port: Lab.relayPortA)
        #expect(try callee4.receive(timeout: .seconds(2))?.bytes == [9])
        try second.removeTable()
        #expect(throws: KernelForwarderError.tableMissing("tandem")) { try second.adoptExisting() }
    }

    @Test func adoptingATableFromAnIPv4OnlyVersionAddsTheIPv6Table() throws {
        let setup = try Lab(ipv6: true)
        do {
            let first = try setup.makeForwarder()
            try first.createTable()
            try first.install(Lab.callEntries)
        }
        _ = try setup.nft(["delete", "table", "ip6", "tandem"])
        let second = try setup.makeForwarder()
        defer { try? second.removeTable() }
        #expect(Set(try second.adoptExisting()) == Set(Lab.callEntries))
        try second.install(Lab.callEntries6)
        let caller = try setup.lab.udpSocket(in: setup.caller, bind: Lab.callerAddress6, port: Lab.callerPort)
        let callee = try setup.lab.udpSocket(in: setup.callee, bind: Lab.calleeAddress6, port: Lab.calleePort)
        try caller.send([6], to: Lab.relayAddress6, port: Lab.relayPortA)
        #expect(try callee.receive(timeout: .seconds(2))?.bytes == [6])
    }

    @Test func rewrittenIPv6DatagramKeepsAValidUDPChecksum() throws {
        let setup = try Lab(ipv6: true)
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        try forwarder.install(Lab.callEntries6)
        let relay = try #require(SocketEndpoint(address: Lab.relayAddress6, port: 0)).addressBytes
        let caller = try #require(SocketEndpoint(address: Lab.callerAddress6, port: 0)).addressBytes
        let callee = try #require(SocketEndpoint(address: Lab.calleeAddress6, port: 0)).addressBytes
        // Raw sockets: the sender's checksum is complete (not left to offload), and the capture recomputes it over
        // the rewritten pseudo-header. IPv6 raw sockets carry no IP header; the source comes from recvfrom.
        let sender = try setup.lab.withNamespace(setup.caller) { socket(AF_INET6, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_UDP)) }
        let capture = try setup.lab.withNamespace(setup.callee) { socket(AF_INET6, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_UDP)) }
        defer {
            close(sender)
            close(capture)
        }
        #expect(sender >= 0 && capture >= 0)
        let payload: [UInt8] = Array("checksummed v6 media!".utf8) + [0xfe]
        // The IPv6 pseudo-header sums to the same 16-bit words as the IPv4 one built by `RawUDP` (order aside).
        let datagram = RawUDP.datagram(from: caller, port: Lab.callerPort, to: relay, port: Lab.relayPortA,
                                       payload: payload)
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        withUnsafeMutableBytes(of: &address.sin6_addr) { $0.copyBytes(from: relay) }
        let sent = datagram.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(sender, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in6>.size))
                }
            }
        }
        #expect(sent == datagram.count)
        let udp = try #require(receiveUDP6(capture, from: relay, sourcePort: Lab.relayPortB))
        #expect(RawUDP.port(udp, 2) == Lab.calleePort)
        #expect(RawUDP.port(udp, 6) != 0)
        #expect(RawUDP.checksum(source: relay, destination: callee, udp: udp) == 0,
                "UDP checksum over the rewritten IPv6 pseudo-header")
        #expect(Array(udp[8...]) == payload)
    }

    /// The first UDP datagram (header included) from `source` port `sourcePort` on an IPv6 raw socket, within 2 s.
    private func receiveUDP6(_ descriptor: Int32, from source: [UInt8], sourcePort: UInt16) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        for _ in 0..<20 {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { return nil }
            guard poller.revents & Int16(POLLIN) != 0 else { continue }
            var from = sockaddr_in6()
            var length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        recvfrom(descriptor, bytes.baseAddress, bytes.count, 0, $0, &length)
                    }
                }
            }
            guard count >= 8 else { continue }
            let sender = withUnsafeBytes(of: &from.sin6_addr) { Array($0) }
            let udp = Array(buffer[0..<count])
            if sender == source && RawUDP.port(udp, 0) == sourcePort { return udp }
        }
        return nil
    }
}
