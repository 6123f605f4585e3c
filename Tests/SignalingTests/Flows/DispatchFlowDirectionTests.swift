import Testing
@testable import Signaling

/// Issue 7's direction rules as router decisions: farm → phone or ITSP, gateway → farm (hashed on the
/// DID), anything else → farm. Pure values: no sockets.
@Suite("DispatchFlowDirection")
struct DispatchFlowDirectionTests {
    static let farmBox = SIPPeer(host: "10.78.2.11", port: 5080, transport: .udp)
    static let itsp = EdgeGateway(name: "itsp", host: "10.78.3.2", hash: .did, outbound: true)
    static let phone = SIPPeer(host: "10.78.1.2", port: 40000, transport: .udp)

    /// What the router asked the dispatcher for, if it did.
    final class DispatchLog {
        var calls: [(uri: String, gateway: EdgeGateway?)] = []
    }

    func router(gateways: [EdgeGateway] = [Self.itsp], lookup: LocationLookupResult = .notFound, log: DispatchLog = DispatchLog())
        -> EdgeRouter
    {
        EdgeRouter(isFarm: { $0 == Self.farmBox }, gateways: gateways,
                   dispatch: { _, uri, gateway in
                       log.calls.append((uri.description, gateway))
                       return .forward([SIPTarget(uri: uri, nextHop: Self.farmBox)], .sequential)
                   },
                   lookup: { _ in lookup }, bindingsByContact: { _ in [] })
    }

    func request(_ uri: String, from source: SIPPeer, method: String = "INVITE", addressedToUs: Bool = false,
                 inDialog: Bool = false) throws -> SIPRoutingRequest
    {
        let message = try SIPMessage.parse(sipRequest([
            "\(method) \(uri) SIP/2.0", "Via: SIP/2.0/UDP \(source.host):\(source.port);branch=z9hG4bKdir1",
            "From: <sip:caller@example.com>;tag=a", "To: <\(uri)>\(inDialog ? ";tag=b" : "")", "Call-ID: dir-1",
            "CSeq: 1 \(method)", "Max-Forwards: 70",
        ]))
        return SIPRoutingRequest(message: message, method: message.method ?? .invite, source: source, local: LocalSocketRef(0),
                                 isAddressedToUs: addressedToUs, isInDialog: inDialog, serverTransaction: nil)
    }

    /// The single target of a `.forward`, or nil.
    func target(_ decision: SIPRoutingDecision) -> SIPTarget? {
        guard case .forward(let targets, _) = decision, targets.count == 1 else { return nil }
        return targets[0]
    }

    func status(_ decision: SIPRoutingDecision) -> Int? {
        guard case .respond(let status, _, _) = decision else { return nil }
        return status
    }

    @Test func directionIsDecidedBySourceWithTheFarmFirst() {
        let isFarm: (SIPPeer) -> Bool = { $0 == Self.farmBox }
        #expect(EdgeRequestDirection.classify(Self.farmBox, isFarm: isFarm, gateways: [Self.itsp]) == .fromBackend)
        let fromITSP = SIPPeer(host: "10.78.3.2", port: 5099, transport: .udp)
        #expect(EdgeRequestDirection.classify(fromITSP, isFarm: isFarm, gateways: [Self.itsp]) == .inboundDID(Self.itsp))
        var pinned = Self.itsp
        pinned.port = 5060
        #expect(EdgeRequestDirection.classify(fromITSP, isFarm: isFarm, gateways: [pinned]) == .fromClient)
        #expect(EdgeRequestDirection.classify(Self.phone, isFarm: isFarm, gateways: [Self.itsp]) == .fromClient)
        // A box listed as a gateway too stays a box: its B-legs must not be dispatched back to the farm.
        let boxAsGateway = EdgeGateway(name: "odd", host: Self.farmBox.host)
        #expect(EdgeRequestDirection.classify(Self.farmBox, isFarm: isFarm, gateways: [boxAsGateway]) == .fromBackend)
    }

    @Test func anInboundDIDGoesToTheFarmWithTheGatewaysRouteOptions() throws {
        let log = DispatchLog()
        var edge = router(log: log)
        let itspSource = SIPPeer(host: "10.78.3.2", port: 5060, transport: .udp)
        let decision = edge.route(try request("sip:+493012345@10.78.1.1", from: itspSource, addressedToUs: true))
        #expect(target(decision)?.nextHop == Self.farmBox)
        #expect(log.calls.count == 1)
        #expect(log.calls.first?.gateway == Self.itsp)
        #expect(log.calls.first?.gateway?.hash.algorithm == .hashRequestUser)
        // A phone's call is dispatched without gateway options.
        _ = edge.route(try request("sip:bob@example.com", from: Self.phone))
        #expect(log.calls.count == 2 && log.calls[1].gateway == nil)
        // A REGISTER from the gateway is not a call: registrar.
        guard case .local = edge.route(try request("sip:example.com", from: itspSource, method: "REGISTER")) else {
            Issue.record("REGISTER from a gateway should go to the registrar")
            return
        }
    }

    @Test func aFarmCallToTheITSPGoesToTheGateway() throws {
        var edge = router()
        // FreeSWITCH's gateway with the edge as outbound proxy: the Request-URI names the ITSP.
        let named = edge.route(try request("sip:+15551234567@10.78.3.2", from: Self.farmBox))
        #expect(target(named)?.nextHop == Self.itsp.peer)
        #expect(target(named)?.uri.description == "sip:+15551234567@10.78.3.2")
        // Addressed to the edge itself and not a phone: the outbound gateway.
        let viaEdge = edge.route(try request("sip:+15551234567@10.78.1.1", from: Self.farmBox, addressedToUs: true))
        #expect(target(viaEdge)?.nextHop == Self.itsp.peer)
        // Another IP literal: to that host as the Request-URI says.
        let elsewhere = edge.route(try request("sip:7000@10.78.9.9:5070", from: Self.farmBox))
        #expect(target(elsewhere)?.nextHop == nil)
        #expect(target(elsewhere)?.uri.description == "sip:7000@10.78.9.9:5070")
        // A domain AOR nobody registered stays 404 (no DNS, and not an ITSP number).
        #expect(status(edge.route(try request("sip:nobody@example.com", from: Self.farmBox))) == 404)
    }

    @Test func withoutAnOutboundGatewayACallToTheEdgeIsNotFound() throws {
        var quiet = Self.itsp
        quiet.outbound = false
        var edge = router(gateways: [quiet])
        #expect(status(edge.route(try request("sip:+15551234567@10.78.1.1", from: Self.farmBox, addressedToUs: true))) == 404)
        // Naming the gateway still works.
        #expect(target(edge.route(try request("sip:+15551234567@10.78.3.2", from: Self.farmBox)))?.nextHop == quiet.peer)
        // A gateway with a port is named only by that port (when the URI gives one).
        var pinned = quiet
        pinned.port = 5070
        var pinnedEdge = router(gateways: [pinned])
        #expect(target(pinnedEdge.route(try request("sip:+1555@10.78.3.2:5070", from: Self.farmBox)))?.nextHop == pinned.peer)
        #expect(target(pinnedEdge.route(try request("sip:+1555@10.78.3.2:5080", from: Self.farmBox)))?.nextHop == nil)
    }

    @Test func expiredPhonesAndInDialogRequestsKeepTheirRules() throws {
        var edge = router(lookup: .allExpired)
        #expect(status(edge.route(try request("sip:alice@example.com", from: Self.farmBox))) == 480)
        let bye = edge.route(try request("sip:alice@10.77.1.2:5062", from: Self.farmBox, method: "BYE", inDialog: true))
        #expect(target(bye)?.uri.description == "sip:alice@10.77.1.2:5062")
        let fromITSP = SIPPeer(host: "10.78.3.2", port: 5060, transport: .udp)
        let byeFromITSP = edge.route(try request("sip:fs@10.78.2.11:5080", from: fromITSP, method: "BYE", inDialog: true))
        #expect(target(byeFromITSP)?.uri.description == "sip:fs@10.78.2.11:5080")
    }

    @Test func hashOnTheDIDKeepsANumberOnOneBoxOfARoundRobinSet() throws {
        var configuration = EdgeConfiguration()
        let boxes = ["sip:10.78.2.11:5080", "sip:10.78.2.12:5080", "sip:10.78.2.13:5080"]
        configuration.dispatcher = DispatcherConfiguration(sets: [
            DispatcherSetConfiguration(name: "fs", algorithm: .roundRobin, destinations: boxes.map { DispatcherDestinationConfiguration(uri: $0) }),
        ])
        var dispatch = try EdgeDispatch(configuration: configuration, now: SIPInstant(milliseconds: 0))
        let itspSource = SIPPeer(host: "10.78.3.2", port: 5060, transport: .udp)
        func firstBox(_ user: String, callID: String, gateway: EdgeGateway?) throws -> SIPPeer? {
            var routed = try request("sip:\(user)@10.78.1.1", from: itspSource)
            routed.message = try SIPMessage.parse(sipRequest([
                "INVITE sip:\(user)@10.78.1.1 SIP/2.0", "Via: SIP/2.0/UDP 10.78.3.2:5060;branch=z9hG4bK\(callID)",
                "From: <sip:+1555@10.78.3.2>;tag=a", "To: <sip:\(user)@10.78.1.1>", "Call-ID: \(callID)", "CSeq: 1 INVITE",
            ]))
            let decision = dispatch.route(routed, uri: try #require(try routed.message.requestURI), gateway: gateway, now: SIPInstant(milliseconds: 0))
            guard case .forward(let targets, .sequential) = decision else { return nil }
            return targets.first?.nextHop
        }
        let did = try (0..<12).map { try firstBox("+493012345", callID: "did-\($0)", gateway: Self.itsp) }
        #expect(Set(did.compactMap { $0 }).count == 1)
        #expect(did.allSatisfy { $0 != nil })
        // Without the gateway's hash the set's round robin spreads the same number.
        let spread = try (0..<12).map { try firstBox("+493012345", callID: "rr-\($0)", gateway: nil) }
        #expect(Set(spread.compactMap { $0 }).count == 3)
        // Different DIDs are spread over the boxes by the hash.
        let numbers = try (0..<30).map { try firstBox("+49301234\($0)", callID: "n-\($0)", gateway: Self.itsp) }
        #expect(Set(numbers.compactMap { $0 }).count == 3)
    }

    @Test func theGatewaysListIsRead() throws {
        let yaml = """
        dispatcher:
          sets: [{ name: fs, algorithm: round-robin, destinations: ["sip:10.78.2.11:5080"] }]
        gateways:
          - { name: itsp, address: 10.78.3.2, port: 5060, hash: did, set: fs, outbound: true }
          - "sip:10.78.3.3"
          - { address: "[fd78::3]:5070", hash: call-id }
        """
        let configuration = try EdgeConfigurationFile.apply(yaml: yaml, file: "edge.yaml", over: EdgeConfiguration())
        #expect(configuration.gateways == [
            EdgeGateway(name: "itsp", host: "10.78.3.2", port: 5060, set: "fs", hash: .did, outbound: true),
            EdgeGateway(name: "gateway2", host: "10.78.3.3"),
            EdgeGateway(name: "gateway3", host: "fd78::3", port: 5070, hash: .callID),
        ])
        func error(_ text: String) -> String? {
            do {
                _ = try EdgeConfigurationFile.apply(yaml: text, file: "edge.yaml", over: EdgeConfiguration())
                return nil
            } catch {
                return error.description
            }
        }
        #expect(error("gateways: [{ address: 10.78.3.2, hash: ruri }]")?.contains("key 'gateways.hash': expected did") == true)
        #expect(error("gateways: [{ address: itsp.example }]")?.contains("expected an IP address") == true)
        #expect(error("gateways: [{ name: x }]")?.contains("gateways.address") == true)
        #expect(error("gateways: [{ address: 10.78.3.2, set: nope }]")?.contains("no set named 'nope'") == true)
        #expect(error("gateways: [{ address: 10.78.3.2, bogus: 1 }]")?.contains("gateways.bogus': unknown key") == true)
    }
}
