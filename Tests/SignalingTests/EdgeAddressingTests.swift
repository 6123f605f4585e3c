import NIOCore
import Testing
@testable import Signaling

/// The edge's own IPv4 text (every inbound message) equals NIO's inet_ntop text.
@Suite("EdgeAddressing")
struct EdgeAddressingTests {
    @Test(arguments: ["0.0.0.0", "255.255.255.255", "127.0.0.1", "10.0.100.9", "192.168.1.10", "1.20.199.0", "100.64.0.1"])
    func ipv4TextEqualsNIO(_ text: String) throws {
        let address = try SocketAddress(ipAddress: text, port: 5090)
        let peer = try #require(EdgeAddressing.peer(address, transport: .udp))
        #expect(peer.host == text)
        #expect(peer.host == address.ipAddress)
        #expect(peer.port == 5090)
        #expect(peer.transport == .udp)
    }

    @Test func ipv6AndTCPPeers() throws {
        let address = try SocketAddress(ipAddress: "2001:db8::1", port: 5061)
        #expect(EdgeAddressing.peer(address, transport: .tcp) == SIPPeer(host: "2001:db8::1", port: 5061, transport: .tcp))
        for transport in SIPPeerTransport.allCases {
            let peer = RegistrarPeer(SIPPeer(host: "10.0.0.1", port: 1, transport: transport))
            #expect(peer.transport == RegistrarTransport(token: transport.uriParameter))
        }
    }
}
