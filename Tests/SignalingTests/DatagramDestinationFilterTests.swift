import NIOCore
import Testing
@testable import Signaling

/// `DatagramDestinationFilter`: what a UDP listener refuses to write (NIO would close the listener on the error).
@Suite struct DatagramDestinationFilterTests {
    static let loopback = try! SocketAddress(ipAddress: "127.0.0.1", port: 5060)
    static let wildcard = try! SocketAddress(ipAddress: "0.0.0.0", port: 5060)
    static let loopback6 = try! SocketAddress(ipAddress: "::1", port: 5060)
    static let wildcard6 = try! SocketAddress(ipAddress: "::", port: 5060)

    static func address(_ host: String, _ port: Int = 5060) -> SocketAddress { try! SocketAddress(ipAddress: host, port: port) }

    @Test func ordinaryDestinationsPass() {
        #expect(DatagramDestinationFilter.isSendable(Self.address("203.0.113.5"), from: Self.wildcard))
        #expect(DatagramDestinationFilter.isSendable(Self.address("127.0.0.77"), from: Self.loopback))
        #expect(DatagramDestinationFilter.isSendable(Self.address("2001:db8::1"), from: Self.wildcard6))
        #expect(DatagramDestinationFilter.isSendable(Self.address("::1"), from: Self.loopback6))
    }

    @Test(arguments: ["255.255.255.255", "224.0.0.1", "239.1.2.3", "240.0.0.1", "0.0.0.0", "0.1.2.3"])
    func broadcastMulticastReservedAndUnspecifiedAreRefused(_ host: String) {
        #expect(!DatagramDestinationFilter.isSendable(Self.address(host), from: Self.wildcard))
    }

    @Test func offHostFromLoopbackPortZeroAndOtherFamilyAreRefused() {
        #expect(!DatagramDestinationFilter.isSendable(Self.address("192.0.2.53"), from: Self.loopback))
        #expect(!DatagramDestinationFilter.isSendable(Self.address("2001:db8::1"), from: Self.loopback6))
        #expect(!DatagramDestinationFilter.isSendable(Self.address("203.0.113.5", 0), from: Self.wildcard))
        #expect(!DatagramDestinationFilter.isSendable(Self.address("2001:db8::1"), from: Self.wildcard))
        #expect(!DatagramDestinationFilter.isSendable(Self.address("203.0.113.5"), from: Self.wildcard6))
        #expect(!DatagramDestinationFilter.isSendable(Self.address("ff02::1"), from: Self.wildcard6))
        #expect(!DatagramDestinationFilter.isSendable(Self.address("::"), from: Self.wildcard6))
    }
}
