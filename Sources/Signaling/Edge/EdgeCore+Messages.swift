import NIOCore

/// The message path: inbound bytes → NAT fixes / keepalive replies → proxy → actions → transport.
extension EdgeCore {
    func handle(_ event: TransportEvent) {
        let inbound: InboundSIP
        switch event {
        case .message(let message):
            if configuration.keepalive.enabled, isKeepaliveReply(message) {
                counters.keepaliveReplies += 1
                return
            }
            inbound = message
        case .connectionClosed(_, let remote, _):
            // RFC 5626 §4.4.1: the flow failed; bindings that came over it cannot be reached.
            guard let peer = EdgeAddressing.peer(remote, transport: .tcp) else { return }
            let changes = registrar.connectionClosed(RegistrarPeer(peer))
            if !changes.isEmpty {
                logger.info("connection closed: bindings removed", metadata: ["peer": "\(peer)", "count": "\(changes.count)"])
            }
            apply(changes)
            return
        }
        guard let source = EdgeAddressing.peer(inbound.source, transport: inbound.transport) else {
            counters.drop(.unknownSourceAddress)
            return
        }
        let local = LocalSocketRef(inbound.local.index)
        let registrarPeer = RegistrarPeer(source)
        let bytes = inbound.byteArray
        if configuration.keepalive.enabled { keepalive.noteTraffic(from: registrarPeer, now: EdgeClock.wallNow()) }
        let now = EdgeClock.monotonicNow()
        guard var message = try? SIPMessage.parse(bytes) else {
            // The proxy parses again to count the error and salvage a 400 (rare path).
            perform(proxy.receive(bytes, from: source, local: local, now: now))
            return
        }
        let farmBox = farmBox(at: source)
        // A gateway is neither NATed nor a phone: its Contacts are left alone like the farm's.
        let trusted = farmBox != nil || configuration.gateways.contains { $0.matches(source) }
        if message.method == .bye, let callID = try? message.callID { dispatch.noteBye(callID: callID) }
        observeDialogs(message, fromFarm: farmBox != nil)
        if message.isResponse, let farmBox {
            noteDispatch(dispatch.noteResponse(message, from: farmBox, now: now))
        }
        var nated = false
        if message.isResponse {
            if configuration.keepalive.enabled, (try? message.cseq)?.method == .options,
               keepalive.handleResponse(message, now: EdgeClock.wallNow())
            {
                counters.keepaliveReplies += 1
                return
            }
            if steering != nil, !trusted {
                nated = NATDetector(tests: registrar.configuration.natTests).detect(message, source: registrarPeer).isNATed
            }
            // onreply from a client: fix_nated_contact (the seed script does it unconditionally).
            if !trusted, fixContact(&message, source: registrarPeer) { counters.natContactFixes += 1 }
        } else if !trusted, message.method != .register {
            let nat = NATDetector(tests: registrar.configuration.natTests).detect(message, source: registrarPeer)
            nated = nat.isNATed
            if nat.isNATed, fixContact(&message, source: registrarPeer) { counters.natContactFixes += 1 }
        }
        if draining, message.isRequest, message.method != .ack, !proxy.transactions.matchesServerTransaction(message) {
            counters.drainRejections += 1
        }
        receiveSteered(message, from: source, local: local, fromFarm: trusted, nated: nated, now: now)
    }

    /// The farm box at `source`, nil when it is not one ("is this from the farm?", asked for every message).
    func farmBox(at source: SIPPeer) -> DispatcherDestinationID? { EdgeDispatch.destination(in: dispatch.peers, at: source) }

    /// The fast path for keepalive replies: matched from the bytes before any parse, so the 5,000
    /// replies a second of 100k bindings skip the parser, the dispatcher and the NAT tests.
    private func isKeepaliveReply(_ message: InboundSIP) -> Bool {
        let now = EdgeClock.wallNow()
        return message.bytes.withUnsafeReadableBytes { keepalive.handleReply($0, now: now) }
    }

    /// Rewrites the first Contact to the packet source; false when there is none (or it failed).
    private func fixContact(_ message: inout SIPMessage, source: RegistrarPeer) -> Bool {
        guard message.firstHeader(.contact) != nil else { return false }
        return (try? message.fixNATedContact(source: source)) ?? false
    }

    /// Executes proxy actions, then re-arms the proxy timer.
    func perform(_ actions: [SIPProxyAction]) {
        for action in actions {
            switch action {
            case .send(let message, let peer, let local):
                if message.isRequest {
                    noteDispatch(dispatch.noteBranchSent(message, to: peer, now: EdgeClock.monotonicNow()))
                } else if farmBox(at: peer) == nil {
                    noteDispatch(dispatch.noteUpstreamFinal(message, now: EdgeClock.monotonicNow()))
                }
                // Only a pass-through REGISTER has a pending entry (the local registrar's own 200s skip the look-up).
                if message.isResponse, registrar.hasPendingRegistrations, (try? message.cseq)?.method == .register,
                   let output = registrar.handleBackendResponse(message, now: EdgeClock.wallNow())
                {
                    // Pass-through: the proxy relays the response itself; the registrar only saves.
                    apply(output.changes)
                }
                if message.isResponse { noteSteeringSend(message) }
                if message.isResponse { observeDialogs(message, fromFarm: false) }  // the edge's own 408/480/487...
                send(message.bytes, to: peer, local: local)
            case .deliverLocal(let message, let server?, let source, let local):
                deliverLocal(message, server: server, source: source, local: local)
            case .deliverLocal(let message, nil, let source, let local):
                if message.method == .register { registerStatelessly(message, source: source, local: local) }
            case .originatedResponse(let response, _, .dispatcher(let probeID)):
                guard let status = response.statusCode, status >= 200 else { continue }
                noteDispatch(dispatch.dispatcher.probeResult(probeID, .response(status), now: EdgeClock.monotonicNow()))
            case .originatedFailure(_, .dispatcher(let probeID), _):
                noteDispatch(dispatch.dispatcher.probeResult(probeID, .timeout, now: EdgeClock.monotonicNow()))
            case .originatedResponse(let response, _, .application(let id)) where ownsPresenceRequest(id):
                guard let status = response.statusCode, status >= 200 else { continue }
                presenceRequestEnded(id, status: status)
            case .originatedFailure(_, .application(let id), _) where ownsPresenceRequest(id):
                presenceRequestEnded(id, status: 408)
            case .originatedResponse, .originatedFailure:
                break
            }
        }
        rescheduleProxyTimer()
        rescheduleDispatchTimer()
    }

    private func deliverLocal(_ message: SIPMessage, server: SIPTransactionID, source: SIPPeer, local: LocalSocketRef) {
        let now = EdgeClock.monotonicNow()
        guard message.method == .register else {
            if handlePresenceRequest(message, server: server, source: source, local: local) { return }
            perform(proxy.respond(to: server, status: 501, reason: "Not Implemented", now: now))
            return
        }
        let output = registrar.handleRegister(message, from: RegistrarPeer(source), socket: local, now: EdgeClock.wallNow())
        apply(output.changes)
        switch output.action {
        case .respond(let response):
            perform(proxy.sendResponse(response, on: server, now: now))
        case .forward(let register):
            let uri = (try? register.requestURI) ?? SIPURI(scheme: .sip)
            let keys = DispatcherRequestKeys(callID: (try? register.callID) ?? "", requestUser: uri.user, domain: uri.host?.address)
            let boxes = dispatch.dispatcher.select(set: dispatch.setName, keys: keys, now: now).candidates
            let targets = boxes.compactMap { box in dispatch.peer(of: box.id).map { SIPTarget(uri: uri, nextHop: $0) } }
            guard !targets.isEmpty else {
                perform(proxy.respond(to: server, status: 503, reason: "No Registrar Available", now: now))
                return
            }
            perform(proxy.forward(server, replacing: register, to: targets, mode: .sequential, now: now))
        case .relay(let response, _, _):
            perform(proxy.sendResponse(response, on: server, now: now))
        case .none:
            perform(proxy.respond(to: server, status: 500, reason: "Server Internal Error", now: now))
        }
    }

    /// A local-mode REGISTER without a transaction (`EdgeRouter.answersStatelessly`).
    private func registerStatelessly(_ message: SIPMessage, source: SIPPeer, local: LocalSocketRef) {
        // The top Via is decoded once for the registrar (NAT tests, To tag) and the answer's address.
        let topVia = try? message.topVia
        let output = registrar.handleRegister(message, topVia: topVia, from: RegistrarPeer(source), socket: local,
                                              now: EdgeClock.wallNow())
        apply(output.changes)
        switch output.action {
        case .respond(let response), .relay(let response, _, _):
            perform(proxy.sendStatelessResponse(response, to: message, topVia: topVia, source: source, local: local))
        case .forward, .none:
            // The domain's mode changed between the router's check and here (it cannot within one call).
            perform(proxy.respondStatelessly(to: message, status: 500, reason: "Server Internal Error", source: source,
                                             local: local))
        }
    }

    /// Sends through the transport. A host name is resolved first (RFC 3263, `EdgeCore+DNS.swift`).
    func send(_ bytes: [UInt8], to peer: SIPPeer, local: LocalSocketRef?) {
        guard let transport else { return }
        guard let address = EdgeAddressing.socketAddress(peer) else {
            sendResolving(bytes, to: peer, local: local)
            return
        }
        let wanted: SIPTransportKind = peer.transport == .udp ? .udp : .tcp
        let socket: LocalSocketID
        if let local, listeners.indices.contains(local.rawValue), listeners[local.rawValue].transport == wanted {
            socket = LocalSocketID(index: local.rawValue)
        } else if let first = listeners.first(where: { $0.transport == wanted }) {
            socket = first.id
        } else {
            counters.drop(.noListenerForTransport)
            return
        }
        transport.send(ByteBuffer(bytes: bytes), to: address, via: socket, promise: nil)
    }
}
