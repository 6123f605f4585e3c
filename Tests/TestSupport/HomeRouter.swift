import Foundation

/// A consumer "home router": a namespace with a LAN side (`lan0`, towards the phone) and a WAN side (`wan0`,
/// towards the edge/relay), forwarding between them, masquerading (source NAT to the WAN address) everything
/// that leaves through `wan0`, and dropping forwarded traffic from the WAN that does not belong to a connection
/// the LAN started — the NAT pinhole behaviour SIP/RTP has to survive.
///
/// The UDP conntrack timeouts decide how long a pinhole stays open without traffic. They are per-namespace sysctls:
/// `net.netfilter.nf_conntrack_udp_timeout` (flows not yet seen as a stream — and, on current kernels, also flows
/// whose reply came within the first 2 s, i.e. a single request/response) and `..._udp_timeout_stream` (flows
/// still active after that). The lab sets both, so a pinhole's lifetime does not depend on that distinction.
public final class HomeRouter: Sendable {
    public let namespace: LabNamespace
    public let lanInterface = "lan0"
    public let wanInterface = "wan0"
    private let lab: NetworkLab

    init(lab: NetworkLab, namespace: LabNamespace) {
        self.lab = lab
        self.namespace = namespace
    }

    /// The ruleset loaded into the router (nftables syntax, `nft -f`).
    public var ruleset: String {
        """
        table ip tandem_nat {
            chain postrouting {
                type nat hook postrouting priority srcnat; policy accept;
                oifname "\(wanInterface)" masquerade
            }
        }
        table inet tandem_filter {
            chain forward {
                type filter hook forward priority filter; policy drop;
                ct state established,related accept
                iifname "\(lanInterface)" oifname "\(wanInterface)" accept
            }
        }

        """
    }

    /// Loads the rules, turns on forwarding and sets the UDP timeouts. Conntrack only gets per-namespace state once
    /// a rule uses it, so the sysctls are checked after the rules; if they are still missing, `modprobe nf_conntrack`
    /// is tried once (a built-in conntrack needs none).
    func configure(udpTimeout: Int, udpStreamTimeout: Int) throws {
        try lab.enableForwarding(namespace)
        try lab.loadNFTables(namespace, ruleset: ruleset)
        if (try? lab.readSysctl(namespace, "net.netfilter.nf_conntrack_udp_timeout")) == nil {
            if let modprobe = LabTools.modprobe { _ = try? LabCommand.run([modprobe, "nf_conntrack"]) }
            guard (try? lab.readSysctl(namespace, "net.netfilter.nf_conntrack_udp_timeout")) != nil else {
                throw NetworkLabError.requirementsNotMet(
                    "net.netfilter.nf_conntrack_udp_timeout missing in the router namespace; the kernel needs nf_conntrack (modprobe nf_conntrack)")
            }
        }
        try setUDPTimeouts(seconds: udpTimeout, streamSeconds: udpStreamTimeout)
    }

    /// Sets how long an idle UDP pinhole stays open (both conntrack UDP timeouts, in seconds).
    /// Affects entries from their next packet on; existing entries keep their current expiry.
    public func setUDPTimeouts(seconds: Int, streamSeconds: Int? = nil) throws {
        try lab.setSysctl(namespace, "net.netfilter.nf_conntrack_udp_timeout", String(seconds))
        try lab.setSysctl(namespace, "net.netfilter.nf_conntrack_udp_timeout_stream", String(streamSeconds ?? seconds))
    }

    /// The UDP timeouts currently in force in the router (seconds).
    public func udpTimeouts() throws -> (unreplied: Int, stream: Int) {
        let unreplied = Int(try lab.readSysctl(namespace, "net.netfilter.nf_conntrack_udp_timeout")) ?? -1
        let stream = Int(try lab.readSysctl(namespace, "net.netfilter.nf_conntrack_udp_timeout_stream")) ?? -1
        return (unreplied, stream)
    }

    /// Connects `host` to the LAN side with its own veth (`lan0` here, `interface` there) and makes the router its
    /// default gateway. Use `connectLAN(to:)` with a switch for several LAN hosts.
    public func connectLAN(_ host: LabNamespace, interface: String = "eth0", hostAddress: String, routerAddress: String) throws {
        try lab.link(namespace, interface: lanInterface, addresses: [routerAddress], to: host, interface: interface, addresses: [hostAddress])
        try lab.setDefaultRoute(host, via: try LabAddress(routerAddress).address)
    }

    /// Plugs the LAN side into a switch; hosts on the switch set their default route to `routerAddress` themselves.
    public func connectLAN(to labSwitch: LabSwitch, routerAddress: String) throws {
        try lab.attach(namespace, to: labSwitch, interface: lanInterface, addresses: [routerAddress])
    }

    /// Connects the WAN side straight to `peer` (e.g. the edge's namespace). With `defaultRouteViaPeer`, the router
    /// sends everything not on its own links to `peer`. The peer needs no route back: it only ever sees the
    /// router's WAN address.
    public func connectWAN(_ peer: LabNamespace, interface: String = "eth0", peerAddress: String, routerAddress: String,
                           defaultRouteViaPeer: Bool = true) throws {
        try lab.link(namespace, interface: wanInterface, addresses: [routerAddress], to: peer, interface: interface, addresses: [peerAddress])
        if defaultRouteViaPeer {
            try lab.setDefaultRoute(namespace, via: try LabAddress(peerAddress).address)
        }
    }

    /// Plugs the WAN side into a switch (an "internet" segment shared by edge, relay, …), optionally with a gateway.
    public func connectWAN(to labSwitch: LabSwitch, routerAddress: String, gateway: String? = nil) throws {
        try lab.attach(namespace, to: labSwitch, interface: wanInterface, addresses: [routerAddress])
        if let gateway { try lab.setDefaultRoute(namespace, via: gateway) }
    }

    /// Drops every conntrack entry in the router: all pinholes close at once (like a router reboot).
    public func flushConntrack() throws {
        try lab.withNamespace(namespace) { try ConntrackTable.flush() }
    }

    /// The router's conntrack entries, one kernel-formatted line each (for assertions and failure messages).
    public func conntrackEntries() throws -> [String] {
        try lab.withNamespace(namespace) { try ConntrackTable.entries() }
    }
}

extension NetworkLab {
    /// Creates a home router namespace `prefix + role` (rules, forwarding, UDP timeouts set); connect its sides
    /// with `connectLAN` / `connectWAN`. `udpStreamTimeout` defaults to `udpTimeout`.
    public func addHomeRouter(_ role: String = "router", udpTimeout: Int = 30, udpStreamTimeout: Int? = nil) throws -> HomeRouter {
        let router = HomeRouter(lab: self, namespace: try addNamespace(role))
        try router.configure(udpTimeout: udpTimeout, udpStreamTimeout: udpStreamTimeout ?? udpTimeout)
        return router
    }
}
