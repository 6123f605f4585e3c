extension SessionTable {
    /// ng `offer`: creates the call on first use, or updates it in place (re-INVITE, hold, port change).
    ///
    /// - The sender is the monologue tagged `fromTag`; the recipient is its dialogue peer (created untagged on the
    ///   first offer; `toTag`, when given, names it). A re-offer from the callee passes its own tag as `fromTag`
    ///   and the caller's as `toTag`.
    /// - New media sections get relay sockets on both sides: the sender's on `options.senderInterface`, the
    ///   recipient's on `options.recipientInterface`. Existing sections keep theirs; only the advertised endpoints,
    ///   direction and flags change, and the forwarding rules are updated.
    /// - Parallel forks (another `viaBranch` from the same `fromTag`) share the one recipient side: every fork got
    ///   the same relay ports in its SDP, and the answer that comes last wins (see `answer`).
    /// - The rewrite describes the recipient's side: where the recipient must send.
    public mutating func offer(
        callID: String,
        fromTag: String,
        toTag: String? = nil,
        viaBranch: String? = nil,
        media: [SessionMediaDescription],
        options: OfferAnswerOptions = OfferAnswerOptions(),
        at now: SessionTime
    ) throws -> OfferAnswerOutcome {
        let old = calls[callID]
        var call = old ?? Call(callID: callID, created: now)
        let senderInterface = try resolveInterface(options.senderInterface)
        let recipientInterface = try resolveInterface(options.recipientInterface)
        let recipientTag = toTag.flatMap { $0.isEmpty ? nil : $0 }

        // Find or create the two monologues.
        let senderID: UInt32
        let recipientID: UInt32
        if let known = call.monologueID(forTag: fromTag) {
            senderID = known
            if let peer = call.monologues[known]?.peer {
                recipientID = peer
            } else {
                recipientID = call.addMonologue(tag: nil, interface: recipientInterface, at: now)
            }
        } else if let recipientTag, let known = call.monologueID(forTag: recipientTag) {
            guard call.monologues[known]?.peer == nil else { throw SessionError.invalidDialogueAssociation }
            recipientID = known
            senderID = call.addMonologue(tag: fromTag, interface: senderInterface, at: now)
        } else {
            senderID = call.addMonologue(tag: fromTag, interface: senderInterface, at: now)
            recipientID = call.addMonologue(tag: nil, interface: recipientInterface, at: now)
        }
        guard senderID != recipientID, var sender = call.monologues[senderID], var recipient = call.monologues[recipientID] else {
            throw SessionError.invalidDialogueAssociation
        }
        sender.peer = recipientID
        recipient.peer = senderID
        if let recipientTag, !recipient.answers(to: recipientTag) {
            if let previous = recipient.tag { recipient.aliases.append(previous) }
            recipient.tag = recipientTag
        }
        if let viaBranch, !viaBranch.isEmpty, recipient.viaBranch == nil { recipient.viaBranch = viaBranch }
        if options.portLatching { sender.portLatching = true }
        if let label = options.label { sender.label = label }

        var leased: [LocalSocket] = []
        var rewrites: [MediaRewrite] = []
        var seen: [Int] = []  // indices already handled (a few: a scan, no set per message)
        do {
            for description in media where !seen.contains(description.index) {
                seen.append(description.index)
                let address = options.senderAddress(sdpAddress: description.address)
                var senderMedia = sender.media(description.index)
                    ?? MediaSection(index: description.index, mediaType: description.mediaType,
                                    transportProtocol: description.transportProtocol, interface: sender.interface)
                var recipientMedia = recipient.media(description.index)
                    ?? MediaSection(index: description.index, mediaType: description.mediaType,
                                    transportProtocol: description.transportProtocol, interface: recipient.interface)
                senderMedia.record(description, address: address)
                senderMedia.learning = options.learning
                senderMedia.ice = options.ice
                recipientMedia.mediaType = description.mediaType
                recipientMedia.transportProtocol = options.recipientProtocol(offered: description.transportProtocol)

                if description.isRejected {
                    senderMedia.deactivate()
                    recipientMedia.deactivate()
                } else if !senderMedia.isActive || !recipientMedia.isActive {
                    try activate(&senderMedia, &recipientMedia, offered: description, policy: options.rtcpMux, leased: &leased)
                }
                sender.store(senderMedia)
                recipient.store(recipientMedia)
                rewrites.append(rewrite(
                    toward: recipientMedia, senderAddress: address, direction: description.direction,
                    rtcpMux: recipientMedia.mux || recipientMedia.muxOfferedToSide, ice: options.ice))
            }
        } catch {
            releaseSockets(leased)
            totals.ranOutOfPorts += 1
            throw error
        }

        call.monologues[senderID] = sender
        call.monologues[recipientID] = recipient
        call.lastSignal = now
        call.cancelPendingDeletion()
        if old == nil { totals.managedCalls += 1 }
        let actions = commit(callID: callID, old: old, new: call)
        return OfferAnswerOutcome(callID: callID, media: rewrites, actions: actions, recipient: recipientID)
    }

    /// ng `answer`: the recipient of the offer (`toTag`) answers the offerer (`fromTag`).
    ///
    /// Forking: when an answer arrives with a To-tag other than the one already recorded, it comes from another
    /// fork of the same offer. All forks were given the same relay ports, so (like rtpengine, which keeps a changed
    /// To-tag as an alias) the one recipient monologue takes the new tag, keeps the old ones as aliases, and its
    /// advertised endpoints are replaced by the new answer's: the last answer wins. The rtcp-mux decision made by
    /// the first answer stands.
    public mutating func answer(
        callID: String,
        fromTag: String,
        toTag: String,
        media: [SessionMediaDescription],
        options: OfferAnswerOptions = OfferAnswerOptions(),
        at now: SessionTime
    ) throws -> OfferAnswerOutcome {
        guard let old = calls[callID] else { throw SessionError.unknownCallID }
        var call = old
        guard let offererID = call.monologueID(forTag: fromTag),
              var offerer = call.monologues[offererID],
              let answererID = offerer.peer,
              var answerer = call.monologues[answererID] else {
            throw SessionError.invalidDialogueAssociation
        }
        if let tagged = call.monologueID(forTag: toTag), tagged != answererID {
            throw SessionError.invalidDialogueAssociation
        }
        if !answerer.answers(to: toTag) {
            if let previous = answerer.tag { answerer.aliases.append(previous) }
            answerer.tag = toTag
        } else if answerer.tag != toTag, let alias = answerer.aliases.firstIndex(of: toTag) {
            // An earlier fork answers again: it becomes the current tag.
            answerer.aliases.remove(at: alias)
            if let previous = answerer.tag { answerer.aliases.append(previous) }
            answerer.tag = toTag
        }
        if options.portLatching { answerer.portLatching = true }
        if let label = options.label { answerer.label = label }

        var rewrites: [MediaRewrite] = []
        var seen: [Int] = []  // indices already handled (a few: a scan, no set per message)
        for description in media where !seen.contains(description.index) {
            seen.append(description.index)
            guard var answerMedia = answerer.media(description.index),
                  var offerMedia = offerer.media(description.index) else { continue }
            let address = options.senderAddress(sdpAddress: description.address)
            answerMedia.record(description, address: address)
            answerMedia.learning = options.learning
            answerMedia.ice = options.ice
            if description.isRejected {
                answerMedia.deactivate()
                offerMedia.deactivate()
            } else if answerMedia.isActive, !offerMedia.muxSettled {
                settleMux(offer: &offerMedia, answer: &answerMedia, answeredMux: description.rtcpMux)
            }
            answerer.store(answerMedia)
            offerer.store(offerMedia)
            rewrites.append(rewrite(
                toward: offerMedia, senderAddress: address, direction: description.direction,
                rtcpMux: offerMedia.mux, ice: options.ice))
        }

        call.monologues[offererID] = offerer
        call.monologues[answererID] = answerer
        call.lastSignal = now
        call.cancelPendingDeletion()
        let actions = commit(callID: callID, old: old, new: call)
        return OfferAnswerOutcome(callID: callID, media: rewrites, actions: actions, recipient: offererID)
    }

    /// Gives both sides of a media section their sockets and the offer-time rtcp-mux state.
    ///
    /// The offerer's side gets a single port only when its mux is certain (it offered mux and the policy accepts it
    /// regardless of the answer); otherwise a pair, whose RTCP port is released if the answer settles on mux. The
    /// recipient's side gets a single port only under `require`; otherwise a pair, the odd port being the RFC 5761
    /// fallback RTCP port.
    private mutating func activate(
        _ senderMedia: inout MediaSection, _ recipientMedia: inout MediaSection,
        offered: SessionMediaDescription, policy: RTCPMuxPolicy, leased: inout [LocalSocket]
    ) throws {
        let acceptsRegardless = !policy.isDisjoint(with: [.accept, .demux, .require])
        let senderMuxCertain = offered.rtcpMux && !policy.contains(.reject) && acceptsRegardless
        let offerOnward = policy.contains(.require) || policy.contains(.offer)
            || (offered.rtcpMux && policy.isDisjoint(with: [.demux, .reject]))

        let senderSockets = try allocateSockets(on: senderMedia.interface, single: senderMuxCertain, leased: &leased)
        let recipientSockets = try allocateSockets(on: recipientMedia.interface, single: policy.contains(.require), leased: &leased)
        let senderStreams = makeStreams(rtp: senderSockets.rtp, rtcp: senderSockets.rtcp)
        let recipientStreams = makeStreams(rtp: recipientSockets.rtp, rtcp: recipientSockets.rtcp)

        senderMedia.rtp = senderStreams.0
        senderMedia.rtcp = senderStreams.1
        senderMedia.mux = senderMuxCertain
        senderMedia.muxPolicy = policy
        senderMedia.muxSettled = false
        recipientMedia.rtp = recipientStreams.0
        recipientMedia.rtcp = recipientStreams.1
        recipientMedia.muxOfferedToSide = offerOnward
        recipientMedia.mux = policy.contains(.require)
        recipientMedia.muxSettled = false
    }

    /// Decides rtcp-mux for both sides once the answer is in. The answerer multiplexes when mux was offered to it
    /// and it accepted (or `require` forced it); the offerer when it offered mux, it is not rejected, and either
    /// the answerer multiplexes or the policy accepts it regardless (`accept`, `demux`, `require`). When only one
    /// side multiplexes, the relay bridges: the muxed side's RTCP rule leg shares its RTP socket.
    private func settleMux(offer: inout MediaSection, answer: inout MediaSection, answeredMux: Bool) {
        let policy = offer.muxPolicy
        let answererMux = answer.mux || (answer.muxOfferedToSide && answeredMux)
        let offererMux = offer.offeredMux && !policy.contains(.reject)
            && (answererMux || !policy.isDisjoint(with: [.accept, .demux, .require]))
        if answererMux { answer.multiplexRTCP() }
        if offererMux { offer.multiplexRTCP() }
        offer.muxSettled = true
        answer.muxSettled = true
    }

    private func rewrite(
        toward media: MediaSection, senderAddress: MediaAddress, direction: MediaFlowDirection,
        rtcpMux: Bool, ice: ICEHandling
    ) -> MediaRewrite {
        let relayInterface = interface(media.interface)
        let address = senderAddress.isUnspecified
            ? relayInterface.advertisedAddress.unspecifiedOfSameFamily
            : relayInterface.advertisedAddress
        let rtcpPort: UInt16? = media.rtcp.flatMap { $0.muxed ? nil : $0.local.port }
        return MediaRewrite(
            index: media.index, interfaceName: relayInterface.name, address: address,
            rtpPort: media.rtp?.local.port ?? 0, rtcpPort: media.isActive ? rtcpPort : nil,
            rtcpMux: media.isActive && rtcpMux, direction: direction,
            transportProtocol: media.transportProtocol, ice: ice)
    }
}
