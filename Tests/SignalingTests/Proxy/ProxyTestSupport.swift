@testable import Signaling

/// A router driven by a closure, counting how often it was asked.
struct ProxyTestRouter: SIPProxyRouter {
    var decide: (SIPRoutingRequest) -> SIPRoutingDecision
    var asked: [SIPRoutingRequest] = []
    /// Which requests skip the server transaction (`answersStatelessly`).
    var stateless: (SIPMessage) -> Bool = { _ in false }

    mutating func route(_ request: SIPRoutingRequest) -> SIPRoutingDecision {
        asked.append(request)
        return decide(request)
    }

    func answersStatelessly(_ request: SIPMessage, source: SIPPeer) -> Bool { stateless(request) }
}

/// A proxy with a public UDP socket (0), a TCP socket (1) on the same address, and a private UDP
/// socket (2) towards the farm.
enum ProxyTestSupport {
    static let publicUDP = SIPProxyListener(socket: LocalSocketRef(0), host: "198.51.100.1", port: 5060, transport: .udp)
    static let publicTCP = SIPProxyListener(socket: LocalSocketRef(1), host: "198.51.100.1", port: 5060, transport: .tcp)
    static let privateUDP = SIPProxyListener(socket: LocalSocketRef(2), host: "10.0.0.1", port: 5060, transport: .udp)
    static let caller = SIPPeer(host: "203.0.113.5", port: 40_000, transport: .udp)
    static let farmA = SIPPeer(host: "10.0.0.11", port: 5060, transport: .udp)
    static let farmB = SIPPeer(host: "10.0.0.12", port: 5060, transport: .udp)
    static let farmC = SIPPeer(host: "10.0.0.13", port: 5060, transport: .udp)

    static func configuration(recordRoute: SIPRecordRouteMode = .doubleWhenSocketsDiffer,
                              maxLive: Int = 1000) -> SIPProxyConfiguration
    {
        SIPProxyConfiguration(listeners: [publicUDP, publicTCP, privateUDP], localDomains: ["example.com"],
                              recordRoute: recordRoute, maxLiveTransactions: maxLive)
    }

    static func proxy(recordRoute: SIPRecordRouteMode = .doubleWhenSocketsDiffer, maxLive: Int = 1000,
                      _ decide: @escaping (SIPRoutingRequest) -> SIPRoutingDecision) -> SIPProxy
    {
        SIPProxy(configuration: configuration(recordRoute: recordRoute, maxLive: maxLive),
                 router: ProxyTestRouter(decide: decide))
    }

    static func target(_ peer: SIPPeer, user: String = "bob", q: Double = 1.0, local: LocalSocketRef? = nil) -> SIPTarget {
        // Test URIs are literals.
        SIPTarget(uri: try! SIPURI("sip:\(user)@\(peer.host):\(peer.port)"), nextHop: peer, local: local, q: q)
    }

    static func invite(branch: String = "z9hG4bKuac1", viaHost: String = "192.168.1.10:5060;rport",
                       extra: [String] = [], maxForwards: Int? = 70, uri: String = "sip:bob@example.com") -> SIPMessage
    {
        TransactionTestSupport.request("INVITE", uri: uri, branch: branch, viaHost: viaHost, maxForwards: maxForwards,
                                       extra: extra)
    }

    /// What the downstream element would answer to a request the proxy forwarded.
    static func answer(_ forwarded: SIPMessage, _ status: Int, toTag: String = "b1", extra: [SIPHeaderLine] = []) -> [UInt8] {
        TransactionTestSupport.response(to: forwarded, status, toTag: status == 100 ? nil : toTag, extra: extra).bytes
    }
}

extension SIPProxyAction {
    var sent: (message: SIPMessage, peer: SIPPeer, local: LocalSocketRef?)? {
        if case .send(let m, let p, let l) = self { return (m, p, l) }
        return nil
    }
}

extension Array where Element == SIPProxyAction {
    var sent: [(message: SIPMessage, peer: SIPPeer, local: LocalSocketRef?)] { compactMap(\.sent) }
    var statuses: [Int] { sent.compactMap(\.message.statusCode) }
    /// Requests sent, with where they went.
    func requests(_ method: SIPMethod) -> [(message: SIPMessage, peer: SIPPeer, local: LocalSocketRef?)] {
        sent.filter { $0.message.method == method }
    }
    func sentTo(_ peer: SIPPeer) -> [SIPMessage] { sent.filter { $0.peer == peer }.map(\.message) }
}
