import Testing
import Glibc
@testable import Relay
import TestSupport

/// Checksums after the stateless rewrite. Datagrams from ordinary sockets cross veths with CHECKSUM_PARTIAL (the
/// checksum is never finished in software), so they cannot show a wrong checksum. This test sends from a raw
/// socket with a complete, correct UDP checksum and reads the forwarded datagram with a raw socket at the callee,
/// where the checksum is recomputed from scratch over the rewritten addresses and ports.
@Suite(.serialized, .enabled(if: LabRequirements.isEnabled))
struct KernelChecksumTests {
    typealias Lab = KernelTestLab

    @Test func rewrittenDatagramKeepsValidIPAndUDPChecksums() throws {
        let setup = try Lab()
        let forwarder = try setup.makeForwarder()
        try forwarder.createTable()
        defer { try? forwarder.removeTable() }
        try forwarder.install(Lab.callEntries)

        let sender = try setup.lab.withNamespace(setup.caller) { socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_UDP)) }
        let capture = try setup.lab.withNamespace(setup.callee) { socket(AF_INET, Int32(SOCK_RAW.rawValue), Int32(IPPROTO_UDP)) }
        defer {
            close(sender)
            close(capture)
        }
        #expect(sender >= 0 && capture >= 0)
        // An odd length exercises the checksum's padding byte.
        let payload: [UInt8] = Array("checksummed media payload!".utf8) + [0xff]
        let datagram = RawUDP.datagram(from: [10, 77, 40, 2], port: Lab.callerPort, to: [10, 77, 40, 1],
                                       port: Lab.relayPortA, payload: payload)
        #expect(RawUDP.checksum(source: [10, 77, 40, 2], destination: [10, 77, 40, 1], udp: datagram) == 0)
        #expect(RawUDP.send(sender, datagram, to: [10, 77, 40, 1]))

        let packet = try #require(RawUDP.receive(capture, from: [10, 77, 40, 1], sourcePort: Lab.relayPortB,
                                                 timeout: 2_000))
        let headerLength = Int(packet[0] & 0x0f) * 4
        let ipHeader = Array(packet[0..<headerLength])
        let udp = Array(packet[headerLength...])
        #expect(RawUDP.fold(RawUDP.sum(ipHeader)) == 0xffff, "IPv4 header checksum")
        #expect(Array(packet[12..<16]) == [10, 77, 40, 1] && Array(packet[16..<20]) == [10, 77, 40, 3])
        #expect(RawUDP.port(udp, 0) == Lab.relayPortB && RawUDP.port(udp, 2) == Lab.calleePort)
        #expect(RawUDP.port(udp, 6) != 0, "the sender's checksum was complete, so it must still be")
        #expect(RawUDP.checksum(source: [10, 77, 40, 1], destination: [10, 77, 40, 3], udp: udp) == 0,
                "UDP checksum over the rewritten pseudo-header")
        #expect(Array(udp[8...]) == payload)
    }
}

/// Hand-built UDP for the checksum test (RFC 768 checksum over the IPv4 pseudo-header).
enum RawUDP {
    static func sum(_ bytes: [UInt8], initial: UInt32 = 0) -> UInt32 {
        var total = initial
        var index = 0
        while index + 1 < bytes.count {
            total += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { total += UInt32(bytes[index]) << 8 }
        return total
    }

    static func fold(_ value: UInt32) -> UInt16 {
        var total = value
        while total > 0xffff { total = (total & 0xffff) + (total >> 16) }
        return UInt16(total)
    }

    /// The one's complement of the sum over pseudo-header and datagram: 0 when the embedded checksum is right.
    static func checksum(source: [UInt8], destination: [UInt8], udp: [UInt8]) -> UInt16 {
        let pseudo = source + destination + [0, UInt8(IPPROTO_UDP), UInt8(udp.count >> 8), UInt8(udp.count & 0xff)]
        return ~fold(sum(udp, initial: sum(pseudo)))
    }

    static func port(_ udp: [UInt8], _ offset: Int) -> UInt16 { UInt16(udp[offset]) << 8 | UInt16(udp[offset + 1]) }

    static func datagram(from source: [UInt8], port sourcePort: UInt16, to destination: [UInt8], port destinationPort: UInt16,
                         payload: [UInt8]) -> [UInt8] {
        let length = 8 + payload.count
        var udp: [UInt8] = [UInt8(sourcePort >> 8), UInt8(sourcePort & 0xff), UInt8(destinationPort >> 8),
                            UInt8(destinationPort & 0xff), UInt8(length >> 8), UInt8(length & 0xff), 0, 0] + payload
        var value = checksum(source: source, destination: destination, udp: udp)
        if value == 0 { value = 0xffff }
        udp[6] = UInt8(value >> 8)
        udp[7] = UInt8(value & 0xff)
        return udp
    }

    static func send(_ descriptor: Int32, _ udp: [UInt8], to destination: [UInt8]) -> Bool {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        withUnsafeMutableBytes(of: &address.sin_addr) { $0.copyBytes(from: destination) }
        let sent = udp.withUnsafeBytes { buffer in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(descriptor, buffer.baseAddress, buffer.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
        return sent == udp.count
    }

    /// The first IPv4 packet (header included) from `source` with UDP source port `sourcePort`, or nil.
    static func receive(_ descriptor: Int32, from source: [UInt8], sourcePort: UInt16, timeout milliseconds: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var remaining = milliseconds
        while remaining > 0 {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) >= 0 else { return nil }
            remaining -= 100
            guard poller.revents & Int16(POLLIN) != 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count >= 28 else { continue }
            let packet = Array(buffer[0..<count])
            let headerLength = Int(packet[0] & 0x0f) * 4
            guard count >= headerLength + 8, Array(packet[12..<16]) == source,
                  port(Array(packet[headerLength...]), 0) == sourcePort else { continue }
            return packet
        }
        return nil
    }
}
