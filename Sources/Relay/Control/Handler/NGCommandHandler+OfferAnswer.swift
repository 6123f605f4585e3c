extension NGCommandHandler {
    /// Binds at most this many replacement ports for one message before giving up.
    static var rebindAttempts: Int { 8 }

    /// ng `offer` / `answer`: SDP → session inputs → actions executed → SDP rewritten with the relay's ports.
    func offerAnswer(_ request: NGOfferAnswerRequest, isOffer: Bool, at now: SessionTime) -> NGExchange {
        let name = isOffer ? "offer" : "answer"
        var sdp: SDPSessionDescription
        let media: [SessionMediaDescription]
        do {
            sdp = try SDPSessionDescription(parsing: request.sdp)
            media = try SDPMediaTranslator.mediaDescriptions(of: sdp)
        } catch let problem as SDPMediaTranslator.Failure {
            return failure(name, problem.reason, callID: request.callID)
        } catch {
            return failure(name, SDPMediaTranslator.Failure.unparsable.reason, callID: request.callID)
        }
        if let problem = NGCommandHandler.transportProtocolProblem(request.transportProtocol, in: sdp) {
            return failure(name, problem, callID: request.callID)
        }
        let options: OfferAnswerOptions
        do {
            options = try sessionOptions(request)
        } catch let error as SessionError {
            return failure(name, error.reason, callID: request.callID)
        } catch {
            return failure(name, "\(error)", callID: request.callID)
        }

        let run: () throws -> OfferAnswerOutcome = { [self] in
            isOffer
                ? try sessions.offer(callID: request.callID, fromTag: request.fromTag, toTag: request.toTag,
                                     viaBranch: request.viaBranch, media: media, options: options, at: now)
                : try sessions.answer(callID: request.callID, fromTag: request.fromTag, toTag: request.toTag ?? "",
                                      media: media, options: options, at: now)
        }
        var outcome: OfferAnswerOutcome
        do {
            outcome = try run()
            var attempts = 0
            var failed = executor.execute(outcome.actions, callID: request.callID)
            while !failed.isEmpty {
                attempts += 1
                guard attempts <= NGCommandHandler.rebindAttempts else { break }
                var next: [LocalSocket] = []
                for socket in failed {
                    counters.unbindablePorts &+= 1
                    let moved = try sessions.portUnbindable(socket)
                    next += executor.execute(moved.actions, callID: request.callID)
                }
                failed = next
                // Re-offers keep their ports, so running the same message again rewrites with the moved ones.
                outcome = try run()
                failed += executor.execute(outcome.actions, callID: request.callID)
            }
        } catch let error as SessionError {
            return failure(name, error.reason, callID: request.callID)
        } catch {
            return failure(name, "\(error)", callID: request.callID)
        }

        let ice = request.ice
        // The relay's candidates describe its sockets facing the recipient; the credentials belong to the party
        // that sent this SDP, so a re-offer from the same party repeats them.
        let forced = ice == .force || ice == .forceRelay
            ? iceCredentials.credentials(callID: request.callID,
                                         tag: isOffer ? request.fromTag : (request.toTag ?? request.fromTag))
            : nil
        SDPRewriter.rewrite(&sdp, with: outcome.media, options: SDPRewriter.Options(
            removeICE: ice == .remove || ice == .force || ice == .forceRelay, forcedICE: forced,
            replaceOrigin: request.replace.contains(.origin) || request.replace.contains(.originFull),
            incrementVersion: request.replace.contains(.forceIncrementSDPVersion)
                && !request.replace.contains(.sdpVersion)))
        NGCommandHandler.writeTransportProtocols(outcome.media, requested: request.transportProtocol, in: &sdp)
        if request.replace.contains(.sdpVersion), let recipient = outcome.recipient {
            controlSDPVersion(&sdp, callID: request.callID, recipient: recipient,
                              force: request.replace.contains(.forceIncrementSDPVersion))
        }
        recordICECredentials(forced, for: outcome.media)
        pendingExtra = .sdp(sdp.serialized())
        return success(name, callID: request.callID)
    }

    /// Notes which relay sockets now answer ICE checks with which credentials (or no longer do): the sockets whose
    /// candidates the rewritten SDP lists, i.e. those facing its recipient. The driver takes these with
    /// `takeICECredentialChanges()` and hands them to its `ICELiteAgent`.
    func recordICECredentials(_ credentials: ICECredentialSource.Credentials?, for media: [MediaRewrite]) {
        let interfaces = sessions.configuration.interfaces
        for rewrite in media where rewrite.rtpPort != 0 {
            guard let index = interfaces.firstIndex(where: { $0.name == rewrite.interfaceName }) else { continue }
            let id = InterfaceID(UInt16(truncatingIfNeeded: index))
            let address = interfaces[index].address
            var ports = [rewrite.rtpPort]
            if !rewrite.rtcpMux, let rtcp = rewrite.rtcpPort, rtcp != rewrite.rtpPort { ports.append(rtcp) }
            for port in ports {
                let socket = LocalSocket(interface: id, address: address, port: port)
                // Sockets that never had credentials need no "clear" entry.
                if credentials != nil || iceSockets.contains(socket) {
                    iceCredentialChanges.append(ICECredentialChange(socket: socket, credentials: credentials))
                }
                if credentials != nil { iceSockets.insert(socket) } else { iceSockets.remove(socket) }
            }
        }
        // Bounded even when no driver takes them (handler-only tests): the oldest changes go first.
        if iceCredentialChanges.count > NGCommandHandler.maxICECredentialChanges {
            iceCredentialChanges.removeFirst(iceCredentialChanges.count - NGCommandHandler.maxICECredentialChanges)
        }
    }

    static var maxICECredentialChanges: Int { 65536 }

    /// The ICE credential changes since the last call, oldest first.
    public func takeICECredentialChanges() -> [ICECredentialChange] {
        defer { iceCredentialChanges.removeAll(keepingCapacity: true) }
        return iceCredentialChanges
    }

    /// The session layer's options from the ng request's keys and flags.
    func sessionOptions(_ request: NGOfferAnswerRequest) throws -> OfferAnswerOptions {
        var learning: LearningFlags = []
        if request.has(.asymmetric) { learning.insert(.asymmetric) }
        if request.has(.strictSource) { learning.insert(.strictSource) }
        if request.has(.mediaHandover) { learning.insert(.mediaHandover) }
        if request.has(.unidirectional) { learning.insert(.unidirectional) }
        var mux: RTCPMuxPolicy = []
        for option in request.rtcpMux {
            if let policy = RTCPMuxPolicy(ngName: option.rawValue) { mux.insert(policy) }
        }
        let ice: ICEHandling
        switch request.ice {
        case .remove: ice = .remove
        case .force, .forceRelay: ice = .force
        default: ice = .passThrough
        }
        let receivedFrom = request.receivedFrom.flatMap { MediaAddress(parsing: $0.address) }
        let trust = request.has(.trustAddress) || !request.has(.sipSourceAddress)
        return OfferAnswerOptions(
            senderInterface: try interfaceName(request.direction.first),
            recipientInterface: try interfaceName(request.direction.count > 1 ? request.direction[1] : nil),
            rtcpMux: mux, ice: ice, trustAddress: trust, receivedFrom: receivedFrom,
            learning: learning, portLatching: request.has(.portLatching), label: request.label,
            transportProtocol: request.transportProtocol == .rtpAVP || request.transportProtocol == .rtpAVPF
                ? request.transportProtocol?.sdpName : nil)
    }

    /// A `direction` element: a configured interface name, or nil for the default. rtpengine's legacy names
    /// (`internal`, `external`, `round-robin-calls`) pick the default when no interface has that name.
    private func interfaceName(_ name: String?) throws -> String? {
        guard let name, !name.isEmpty else { return nil }
        if sessions.configuration.interfaces.contains(where: { $0.name == name }) { return name }
        if ["internal", "external", "round-robin-calls"].contains(name) { return nil }
        throw SessionError.unknownInterface(name)
    }
}
