import Glibc
import Relay
import TestSupport

/// One relayed call on a shared switch, as in the offload sketch: caller 10.77.40.2, relay 10.77.40.1 and callee
/// 10.77.40.3 on one Ethernet segment, so the relay forwards in a hairpin (in and out through `eth0`).
/// The relay namespace gets forwarding and no redirects through `KernelSysctls.check(allowChanges:)`.
/// With `ipv6`, every interface also gets an address in fd77:40::/64 (fd77:40::1 relay, ::2 caller, ::3 callee).
final class KernelTestLab {
    static let relayAddress = "10.77.40.1"
    static let callerAddress = "10.77.40.2"
    static let calleeAddress = "10.77.40.3"
    static let relayAddress6 = "fd77:40::1"
    static let callerAddress6 = "fd77:40::2"
    static let calleeAddress6 = "fd77:40::3"
    static let callerPort: UInt16 = 50000
    static let calleePort: UInt16 = 50002
    static let relayPortA: UInt16 = 30000
    static let relayPortB: UInt16 = 30002

    let lab: NetworkLab
    let relay: LabNamespace
    let caller: LabNamespace
    let callee: LabNamespace
    /// What `KernelSysctls.check()` reported in the fresh relay namespace before fixing.
    let initialFindings: [KernelSysctls.Finding]
    let remainingFindings: [KernelSysctls.Finding]

    init(ipv6: Bool = false) throws {
        lab = try NetworkLab()
        let segment = try lab.addSwitch("sw")
        relay = try lab.addNamespace("relay")
        caller = try lab.addNamespace("caller")
        callee = try lab.addNamespace("callee")
        func addresses(_ v4: String, _ v6: String) -> [String] { ["\(v4)/24"] + (ipv6 ? ["\(v6)/64"] : []) }
        try lab.attach(relay, to: segment, interface: "eth0",
                       addresses: addresses(KernelTestLab.relayAddress, KernelTestLab.relayAddress6))
        try lab.attach(caller, to: segment, interface: "eth0",
                       addresses: addresses(KernelTestLab.callerAddress, KernelTestLab.callerAddress6))
        try lab.attach(callee, to: segment, interface: "eth0",
                       addresses: addresses(KernelTestLab.calleeAddress, KernelTestLab.calleeAddress6))
        initialFindings = try lab.withNamespace(relay) { KernelSysctls.check() }
        remainingFindings = try lab.withNamespace(relay) { KernelSysctls.check(allowChanges: true) }
    }

    deinit { lab.shutdown() }

    static func endpoint(_ address: String, _ port: UInt16) -> SocketEndpoint {
        SocketEndpoint(address: address, port: port)!
    }

    /// The call's two legs: caller ⇄ relay:30000, callee ⇄ relay:30002.
    static var callEntries: [KernelStreamEntry] {
        KernelStreamEntry.pair(peerA: endpoint(callerAddress, callerPort), localA: endpoint(relayAddress, relayPortA),
                               peerB: endpoint(calleeAddress, calleePort), localB: endpoint(relayAddress, relayPortB))
    }

    /// The same call over IPv6: caller ⇄ [fd77:40::1]:30000, callee ⇄ [fd77:40::1]:30002.
    static var callEntries6: [KernelStreamEntry] {
        KernelStreamEntry.pair(peerA: endpoint(callerAddress6, callerPort), localA: endpoint(relayAddress6, relayPortA),
                               peerB: endpoint(calleeAddress6, calleePort), localB: endpoint(relayAddress6, relayPortB))
    }

    /// A forwarder created on a thread inside the relay namespace (its netlink socket stays there).
    func makeForwarder(_ configuration: KernelForwarderConfiguration = KernelForwarderConfiguration()) throws
        -> KernelForwarder {
        try lab.withNamespace(relay) { try KernelForwarder(configuration: configuration) }
    }

    /// `nft` run inside the relay namespace (tests only inspect with it).
    func nft(_ arguments: [String]) throws -> String {
        try lab.run(relay, ["nft"] + arguments).checked().stdout
    }
}

/// Sends and tolerates the ECONNREFUSED an earlier unforwarded datagram's ICMP error leaves on the socket.
func sendTolerantly(_ socket: LabUDPSocket, _ bytes: [UInt8], to host: String, port: UInt16) throws {
    do { try socket.send(bytes, to: host, port: port) } catch { try socket.send(bytes, to: host, port: port) }
}
