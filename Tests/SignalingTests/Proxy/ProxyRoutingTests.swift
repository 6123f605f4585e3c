import Testing
@testable import Signaling

/// Record-Route (single/double), loose routing (§16.4), strict-route compatibility, in-dialog
/// requests, ACK for 2xx, responses relayed upstream.
@Suite struct ProxyRoutingTests {
    typealias P = ProxyTestSupport

    @Test func singleRecordRouteWhenTheSocketIsTheSame() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA, local: P.publicUDP.socket)]) }
        let actions = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(actions.requests(.invite).first)
        #expect(forwarded.message.values(.recordRoute) == ["<sip:198.51.100.1:5060;transport=udp;lr>"])
        #expect(forwarded.local == P.publicUDP.socket && forwarded.peer == P.farmA)
        #expect(try forwarded.message.topVia?.description.hasPrefix("SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK") == true)
    }

    @Test func doubleRecordRouteWhenSocketsDiffer() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA, local: P.privateUDP.socket)]) }
        let actions = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(actions.requests(.invite).first)
        #expect(forwarded.message.values(.recordRoute) == ["<sip:10.0.0.1:5060;transport=udp;lr>",
                                                           "<sip:198.51.100.1:5060;transport=udp;lr>"])
        #expect(forwarded.local == P.privateUDP.socket)
        #expect(try forwarded.message.topVia?.host.text == "10.0.0.1")
    }

    @Test func singleModeNeverDoubles() throws {
        var proxy = P.proxy(recordRoute: .single) { _ in .forward([P.target(P.farmA, local: P.privateUDP.socket)]) }
        let actions = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(actions.requests(.invite).first?.message.values(.recordRoute) == ["<sip:198.51.100.1:5060;transport=udp;lr>"])
    }

    @Test func transportChangeDoubleRecordRoutesWithTransportParameter() throws {
        let tcpTarget = SIPTarget(uri: try SIPURI("sip:bob@10.0.0.11;transport=tcp"))
        var proxy = P.proxy { _ in .forward([tcpTarget]) }
        let actions = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(actions.requests(.invite).first)
        #expect(forwarded.peer == SIPPeer(host: "10.0.0.11", port: 5060, transport: .tcp))
        #expect(forwarded.local == P.publicTCP.socket)
        #expect(forwarded.message.values(.recordRoute) == ["<sip:198.51.100.1:5060;transport=tcp;lr>",
                                                           "<sip:198.51.100.1:5060;transport=udp;lr>"])
        #expect(try forwarded.message.topVia?.transport == "TCP")
    }

    @Test func inDialogRequestFollowsRouteAndPopsOurEntries() throws {
        var proxy = P.proxy { _ in
            Issue.record("the router must not be asked for a routed request")
            return .respond(status: 500, reason: "no")
        }
        let bye = TransactionTestSupport.request(
            "BYE", uri: "sip:bob@10.0.0.11:5060", branch: "z9hG4bKbye", viaHost: "203.0.113.5:40000", toTag: "b1",
            extra: ["Route: <sip:198.51.100.1:5060;transport=udp;lr>, <sip:10.0.0.1:5060;transport=udp;lr>",
                    "Route: <sip:edge2.example.net;lr>"])
        let actions = proxy.receive(bye.bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(actions.requests(.bye).first)
        #expect(forwarded.message.values(.route) == ["<sip:edge2.example.net;lr>"])
        #expect(forwarded.peer == SIPPeer(host: "edge2.example.net", port: 5060, transport: .udp))
        #expect(forwarded.message.requestURIText == "sip:bob@10.0.0.11:5060")
        #expect(forwarded.message.values(.recordRoute).isEmpty)  // not dialog-creating
    }

    @Test func lastOwnRoutePoppedThenRequestURIIsTheTarget() throws {
        var proxy = P.proxy { r in
            #expect(r.isInDialog)
            return .forward([SIPTarget(uri: try! r.message.requestURI!)])
        }
        let bye = TransactionTestSupport.request(
            "BYE", uri: "sip:bob@10.0.0.11:5070", branch: "z9hG4bKbye2", viaHost: "203.0.113.5:40000", toTag: "b1",
            extra: ["Route: <sip:198.51.100.1;lr>"])
        let actions = proxy.receive(bye.bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(actions.requests(.bye).first)
        #expect(forwarded.message.values(.route).isEmpty)
        #expect(forwarded.peer == SIPPeer(host: "10.0.0.11", port: 5070, transport: .udp))
    }

    @Test func strictRouterRequestURIIsSwappedWithTheLastRoute() throws {
        var seen: String?
        var proxy = P.proxy { r in
            seen = r.message.requestURIText
            return .forward([SIPTarget(uri: try! r.message.requestURI!)])
        }
        let request = TransactionTestSupport.request(
            "INFO", uri: "sip:198.51.100.1:5060;lr", branch: "z9hG4bKstrict", viaHost: "203.0.113.5:40000", toTag: "b1",
            extra: ["Route: <sip:bob@10.0.0.11:5080>"])
        let actions = proxy.receive(request.bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        #expect(seen == "sip:bob@10.0.0.11:5080")
        let forwarded = try #require(actions.requests(.info).first)
        #expect(forwarded.message.requestURIText == "sip:bob@10.0.0.11:5080" && forwarded.message.values(.route).isEmpty)
        #expect(forwarded.peer == SIPPeer(host: "10.0.0.11", port: 5080, transport: .udp))
    }

    @Test func preloadedRoutesFromTheTargetAreHonoured() throws {
        let path = try SIPURI("sip:edge9.example.net;lr")
        var proxy = P.proxy { _ in .forward([SIPTarget(uri: try! SIPURI("sip:bob@192.0.2.77"), routes: [path])]) }
        let actions = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(actions.requests(.invite).first)
        #expect(forwarded.message.values(.route) == ["<sip:edge9.example.net;lr>"])
        #expect(forwarded.peer == SIPPeer(host: "edge9.example.net", port: 5060, transport: .udp))
    }

    @Test func responsesGoUpstreamWithoutOurVia() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA, local: P.privateUDP.socket)]) }
        let actions = proxy.receive(P.invite().bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(actions.requests(.invite).first?.message)
        #expect(proxy.receive(P.answer(forwarded, 100), from: P.farmA, local: P.privateUDP.socket, now: .ms(5)).isEmpty)
        let ringing = proxy.receive(P.answer(forwarded, 180), from: P.farmA, local: P.privateUDP.socket, now: .ms(10))
        let relayed = try #require(ringing.sent.first)
        #expect(relayed.message.statusCode == 180 && relayed.peer == P.caller && relayed.local == P.publicUDP.socket)
        #expect(try relayed.message.via.count == 1)
        let ok = proxy.receive(P.answer(forwarded, 200), from: P.farmA, local: P.privateUDP.socket, now: .ms(20))
        #expect(ok.statuses == [200])
        // A retransmitted 200 from the UAS is relayed too (RFC 6026).
        let again = proxy.receive(P.answer(forwarded, 200), from: P.farmA, local: P.privateUDP.socket, now: .ms(520))
        #expect(again.statuses == [200])
        #expect(proxy.counters.finalResponses(.invite, statusClass: 2) == 1)
    }

    @Test func ackFor2xxIsForwardedEndToEnd() throws {
        var proxy = P.proxy { _ in .forward([P.target(P.farmA, local: P.privateUDP.socket)]) }
        let ack = TransactionTestSupport.request(
            "ACK", uri: "sip:bob@10.0.0.11:5060", branch: "z9hG4bKack2xx", viaHost: "203.0.113.5:40000", toTag: "b1",
            extra: ["Route: <sip:198.51.100.1:5060;transport=udp;lr>, <sip:10.0.0.1:5060;transport=udp;lr>"])
        let actions = proxy.receive(ack.bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        let forwarded = try #require(actions.requests(.ack).first)
        #expect(forwarded.peer == P.farmA && forwarded.local == P.privateUDP.socket)
        #expect(try forwarded.message.values(.route).isEmpty && forwarded.message.via.count == 2)
        #expect(proxy.transactions.liveTransactionCount == 0)
        #expect(proxy.counters.forwardedACKs == 1)
    }

    @Test func strayResponseWithOurViaIsRelayedStatelessly() throws {
        var proxy = P.proxy { _ in .respond(status: 404, reason: "Not Found") }
        let response = try SIPMessage.parse(
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKtndgone\r\n"
                + "Via: SIP/2.0/UDP 192.168.1.10:5060;received=203.0.113.5;rport=40000;branch=z9hG4bKuac\r\n"
                + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n"
                + "Content-Length: 0\r\n\r\n")
        let actions = proxy.receive(response.bytes, from: P.farmA, local: P.privateUDP.socket, now: .zero)
        let relayed = try #require(actions.sent.first)
        #expect(try relayed.peer == P.caller && relayed.message.via.count == 1)
        let foreign = proxy.receive(TransactionTestSupport.response(to: TransactionTestSupport.request("INVITE"), 200).bytes,
                                    from: P.farmA, local: P.privateUDP.socket, now: .zero)
        #expect(foreign.isEmpty && proxy.counters.drops(.strayResponse) == 1)
    }

    @Test func localDecisionDeliversAndTheApplicationAnswers() throws {
        var proxy = P.proxy { r in r.method == .register ? .local : .forward([P.target(P.farmA)]) }
        let register = TransactionTestSupport.request("REGISTER", uri: "sip:example.com", branch: "z9hG4bKreg",
                                                      viaHost: "203.0.113.5:40000")
        let actions = proxy.receive(register.bytes, from: P.caller, local: P.publicUDP.socket, now: .zero)
        guard case .deliverLocal(let message, let server?, _, _) = actions.first else {
            Issue.record("expected local delivery")
            return
        }
        #expect(message.method == .register)
        let answered = proxy.respond(to: server, status: 200, reason: "OK", now: .ms(1))
        #expect(answered.statuses == [200])
        #expect(proxy.counters.finalResponses(.register, statusClass: 2) == 1)
    }

    @Test func ownRequestsReportResponseAndTimeout() throws {
        var proxy = P.proxy { _ in .local }
        let options = try SIPMessage.request(
            method: .options, uri: try SIPURI("sip:10.0.0.11:5060"),
            headers: [("From", "<sip:ping@198.51.100.1>;tag=p1"), ("To", "<sip:10.0.0.11>"), ("Call-ID", "ping-1"),
                      ("CSeq", "1 OPTIONS")])
        let (client, sent) = try proxy.sendRequest(options, to: P.target(P.farmA, local: P.privateUDP.socket),
                                                   origin: .registrar(7), now: .zero)
        let out = try #require(sent.requests(.options).first)
        #expect(try out.peer == P.farmA && out.message.maxForwards == 70)
        let answer = proxy.receive(P.answer(out.message, 200), from: P.farmA, local: P.privateUDP.socket, now: .ms(3))
        guard case .originatedResponse(let response, let id, .registrar(7)) = answer.first else {
            Issue.record("expected the response for the registrar")
            return
        }
        #expect(id == client && response.statusCode == 200)
        let (_, _) = try proxy.sendRequest(options, to: P.target(P.farmB, local: P.privateUDP.socket),
                                           origin: .dispatcher(1), now: .zero)
        let later = proxy.advance(to: .ms(32_000))
        #expect(later.contains { if case .originatedFailure(_, .dispatcher(1), .f) = $0 { return true } else { return false } })
    }
}
