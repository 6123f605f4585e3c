import Foundation
import Testing
@testable import TestSupport

/// phone (10.77.1.2) ── lan0 [router: NAT, UDP timeout T] wan0 (10.78.1.2) ── server (10.78.1.1)
private struct NATTopology {
    let lab: NetworkLab
    let router: HomeRouter
    let phone: LabUDPSocket
    let server: LabUDPSocket

    init(udpTimeout: Int) throws {
        lab = try NetworkLab()
        router = try lab.addHomeRouter(udpTimeout: udpTimeout)
        let phoneNamespace = try lab.addNamespace("phone")
        let serverNamespace = try lab.addNamespace("server")
        try router.connectLAN(phoneNamespace, hostAddress: "10.77.1.2/24", routerAddress: "10.77.1.1/24")
        try router.connectWAN(serverNamespace, peerAddress: "10.78.1.1/24", routerAddress: "10.78.1.2/24")
        phone = try lab.udpSocket(in: phoneNamespace, bind: "10.77.1.2")
        server = try lab.udpSocket(in: serverNamespace, bind: "10.78.1.1", port: 5060)
    }

    /// Phone → server, then server → the source it saw. Returns that source (the NAT mapping).
    func openPinhole() throws -> LabDatagram {
        try phone.send(Array("REGISTER".utf8), to: "10.78.1.1", port: 5060)
        let request = try #require(try server.receive(timeout: .seconds(2)), "phone's datagram did not reach the server")
        try server.send(Array("200 OK".utf8), to: request.host, port: request.port)
        let reply = try #require(try phone.receive(timeout: .seconds(2)), "server's reply did not come back through the NAT")
        #expect(reply.bytes == Array("200 OK".utf8))
        return request
    }

    /// True when a datagram the server sends to `mapping` reaches the phone within `within`.
    func serverReachesPhone(through mapping: LabDatagram, within: Duration) throws -> Bool {
        try server.send(Array("NOTIFY".utf8), to: mapping.host, port: mapping.port)
        return try phone.receive(timeout: within)?.bytes == Array("NOTIFY".utf8)
    }
}

extension NetworkLabTests {
    @Suite("Home router")
    struct HomeRouterTests {
        @Test func masqueradesAndClosesThePinholeAfterTheUDPTimeout() throws {
            let timeout = 3
            let topology = try NATTopology(udpTimeout: timeout)
            defer { topology.lab.shutdown() }
            let timeouts = try topology.router.udpTimeouts()
            #expect(timeouts.unreplied == timeout && timeouts.stream == timeout)

            let mapping = try topology.openPinhole()
            #expect(mapping.host == "10.78.1.2", "the server must see the router's WAN address, not the phone's")
            #expect(throws: NetworkLabError.self, "the server has no route into the LAN") {
                try topology.server.send(Array("x".utf8), to: "10.77.1.2", port: topology.phone.localPort)
            }

            // Idle for less than the timeout: the pinhole is still open (this packet also restarts the timer).
            usleep(1_000_000)
            #expect(try topology.serverReachesPhone(through: mapping, within: .seconds(1)))

            // Idle for longer than the timeout: the mapping is gone and the server's packet ends at the router.
            usleep(UInt32(timeout) * 1_000_000 + 1_500_000)
            #expect(try !topology.serverReachesPhone(through: mapping, within: .milliseconds(700)),
                    "pinhole still open after \(timeout) s idle; conntrack: \((try? topology.router.conntrackEntries()) ?? [])")
        }

        @Test func flushingConntrackClosesPinholesImmediately() throws {
            let topology = try NATTopology(udpTimeout: 60)
            defer { topology.lab.shutdown() }
            let mapping = try topology.openPinhole()
            let entries = try topology.router.conntrackEntries()
            #expect(entries.contains { $0.contains("udp") && $0.contains("src=10.77.1.2") }, "\(entries)")

            try topology.router.flushConntrack()
            #expect(try !topology.router.conntrackEntries().contains { $0.contains("src=10.77.1.2") })
            #expect(try !topology.serverReachesPhone(through: mapping, within: .milliseconds(500)))

            // The phone sending again opens a new pinhole.
            let reopened = try topology.openPinhole()
            #expect(reopened.host == "10.78.1.2")
        }

        @Test func routerTimeoutsDoNotLeakIntoTheHost() throws {
            let hostValue = LabPaths.readText("/proc/sys/net/netfilter/nf_conntrack_udp_timeout")
            let lab = try NetworkLab()
            defer { lab.shutdown() }
            let router = try lab.addHomeRouter(udpTimeout: 7, udpStreamTimeout: 9)
            let timeouts = try router.udpTimeouts()
            #expect(timeouts.unreplied == 7 && timeouts.stream == 9)
            #expect(LabPaths.readText("/proc/sys/net/netfilter/nf_conntrack_udp_timeout") == hostValue)
        }
    }
}
