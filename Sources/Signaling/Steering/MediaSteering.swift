/// The per-call media steering state machine, sans-I/O: the edge shows it each SIP message of a call
/// (with who sent it), it answers what to do (`MediaSteeringDecision`), and the ng replies come back
/// through `complete(token:outcome:now:)` with the SDP to put in the held message.
///
/// The offer/answer model (RFC 3264) in SIP terms:
/// - `offer` on an INVITE (or UPDATE, re-INVITE) with SDP; `answer` on its 18x/2xx with SDP.
/// - Late offer: an INVITE without SDP → the 2xx carries the offer, the ACK the answer.
/// - `delete` on BYE and CANCEL (forwarded at once), on a final failure of the initial INVITE as it leaves
///   the edge (`noteForwardedResponse`, so a box failing over to the next does not count), and when the
///   dialog times out (`expire(now:)`).
/// Tags follow rtpengine's convention: an offer's `from-tag` is the tag of the party whose SDP it is; an
/// answer's `from-tag` is the offerer's and its `to-tag` the answerer's. In a request that party is the From,
/// in a response the To.
public struct MediaSteering {
    public var settings: MediaSteeringSettings
    public private(set) var counters = MediaSteeringCounters()
    var calls: [String: MediaSteeringCall] = [:]
    /// What a held message's ng request was, by token.
    var outstanding: [UInt64: (callID: String, command: MediaRelayCommand, sdp: [UInt8], initial: Bool)] = [:]
    var nextToken: UInt64 = 0

    public init(settings: MediaSteeringSettings) { self.settings = settings }

    /// Calls being tracked.
    public var callCount: Int { calls.count }

    public func isRelayed(callID: String) -> Bool { calls[callID]?.relayed ?? false }

    // MARK: Inbound messages

    /// What to do with `message` from `sender`. Call it before the message reaches the proxy.
    public mutating func inspect(_ message: SIPMessage, from sender: MediaSteeringParty, now: SIPInstant) -> MediaSteeringDecision {
        guard let callID = try? message.callID, let cseq = try? message.cseq else { return .pass }
        let sdp = Self.sdp(of: message)
        if message.isRequest {
            return inspectRequest(message, method: message.method ?? cseq.method, callID: callID, sdp: sdp, sender: sender, now: now)
        }
        guard var call = calls[callID], call.relayed, cseq.method == .invite || cseq.method == .update,
              let status = message.statusCode else { return .pass }
        call.lastActivity = now
        if (200...299).contains(status), cseq.method == .invite { call.established = true }
        defer { calls[callID] = call }
        guard let sdp, status > 100, status < 300 else { return .pass }
        if let known = call.rewrite(of: sdp) { return .rewrite(known) }
        let toTag = (try? message.to)?.tag, fromTag = (try? message.from)?.tag
        switch call.negotiation {
        case .answerInResponse, .idle:
            var request = MediaRelayRequest(command: .answer, callID: callID, fromTag: fromTag, toTag: toTag, sdp: sdp,
                                            flags: sender.flags, replace: ["origin", "session-connection"])
            request.receivedFrom = sender.receivedFrom
            return hold(request, callID: callID, initial: false)
        case .offerInResponse, .answerInACK:
            guard (200...299).contains(status) else { return .pass }
            call.negotiation = .answerInACK
            call.rewrites.removeAll()
            var request = MediaRelayRequest(command: .offer, callID: callID, fromTag: toTag, toTag: fromTag, sdp: sdp,
                                            flags: sender.flags, replace: ["origin", "session-connection"])
            request.receivedFrom = sender.receivedFrom
            return hold(request, callID: callID, initial: !call.established)
        }
    }

    private mutating func inspectRequest(_ message: SIPMessage, method: SIPMethod, callID: String, sdp: [UInt8]?,
                                         sender: MediaSteeringParty, now: SIPInstant) -> MediaSteeringDecision
    {
        let fromTag = (try? message.from)?.tag, toTag = (try? message.to)?.tag
        switch method {
        case .bye, .cancel:
            guard let call = calls.removeValue(forKey: callID), call.relayed else { return .pass }
            return passAndSend(MediaRelayRequest(command: .delete, callID: callID))
        case .invite, .update:
            var call: MediaSteeringCall
            if let known = calls[callID] {
                call = known
            } else {
                // Only a dialog-creating INVITE starts tracking; an unknown in-dialog request (a call from before
                // a restart) passes unchanged.
                guard method == .invite, toTag == nil else { return .pass }
                call = MediaSteeringCall(relayed: relays(from: sender), now: now)
            }
            call.lastActivity = now
            defer { calls[callID] = call }
            guard call.relayed else { return .pass }
            guard let sdp else {
                if method == .invite { call.negotiation = .offerInResponse }
                return .pass
            }
            call.negotiation = .answerInResponse
            if let known = call.rewrite(of: sdp) { return .rewrite(known) }
            // A new offer starts a new negotiation: earlier rewrites are no longer retransmissions' answers.
            call.rewrites.removeAll()
            var request = MediaRelayRequest(command: .offer, callID: callID, fromTag: fromTag, toTag: toTag, sdp: sdp,
                                            flags: sender.flags, replace: ["origin", "session-connection"])
            request.receivedFrom = sender.receivedFrom
            return hold(request, callID: callID, initial: !call.established)
        case .ack:
            guard var call = calls[callID], call.relayed else { return .pass }
            call.lastActivity = now
            defer { calls[callID] = call }
            guard call.negotiation == .answerInACK, let sdp else { return .pass }
            if let known = call.rewrite(of: sdp) { return .rewrite(known) }
            call.negotiation = .idle
            var request = MediaRelayRequest(command: .answer, callID: callID, fromTag: toTag, toTag: fromTag, sdp: sdp,
                                            flags: sender.flags, replace: ["origin", "session-connection"])
            request.receivedFrom = sender.receivedFrom
            return hold(request, callID: callID, initial: false)
        default:
            if var call = calls[callID] {
                call.lastActivity = now
                calls[callID] = call
            }
            return .pass
        }
    }

    private func relays(from sender: MediaSteeringParty) -> Bool {
        let policy = sender.isFarm ? (settings.farmPolicy ?? settings.policy) : settings.policy
        switch policy {
        case .always: return true
        case .never: return false
        case .nat: return sender.isFarm ? sender.calleeIsNATed : sender.isNATed
        }
    }

    private mutating func hold(_ request: MediaRelayRequest, callID: String, initial: Bool) -> MediaSteeringDecision {
        nextToken &+= 1
        outstanding[nextToken] = (callID, request.command, request.sdp ?? [], initial)
        return .hold(request, token: nextToken)
    }

    private mutating func passAndSend(_ request: MediaRelayRequest) -> MediaSteeringDecision {
        nextToken &+= 1
        return .passAndSend(request, token: nextToken)
    }

    // MARK: ng replies

    /// The ng request of a held message ended: the SDP to forward it with, or nil to forward it unchanged
    /// (no relay answered: counted; a call whose first offer failed is not steered any further).
    public mutating func complete(token: UInt64, outcome: MediaRelayOutcome, now: SIPInstant) -> [UInt8]? {
        guard let context = outstanding.removeValue(forKey: token) else { return nil }
        guard let reply = outcome.reply, let sdp = reply["sdp"]?.bytes else {
            counters.forwardedUnsteered &+= 1
            if context.initial, context.command == .offer { calls[context.callID]?.relayed = false }
            return nil
        }
        if context.initial, context.command == .offer { counters.callsSteered &+= 1 }
        calls[context.callID]?.remember(context.sdp, rewritten: sdp)
        return sdp
    }

    // MARK: Outbound and time

    /// A response the proxy is sending back towards the caller: a final failure of the initial INVITE ends
    /// the call (failover between boxes happens before this point). Returns the delete to send, if any.
    public mutating func noteForwardedResponse(_ message: SIPMessage, now: SIPInstant) -> (MediaRelayRequest, token: UInt64)? {
        guard let status = message.statusCode, status >= 300, let callID = try? message.callID,
              (try? message.cseq)?.method == .invite, let call = calls[callID], !call.established else { return nil }
        calls[callID] = nil
        guard call.relayed else { return nil }
        nextToken &+= 1
        return (MediaRelayRequest(command: .delete, callID: callID), nextToken)
    }

    /// Calls whose dialog timed out: never answered within `setupTimeoutMilliseconds`, or silent for
    /// `idleTimeoutMilliseconds`. Returns the deletes to send.
    public mutating func expire(now: SIPInstant) -> [(MediaRelayRequest, token: UInt64)] {
        var deletes: [(MediaRelayRequest, token: UInt64)] = []
        for (callID, call) in calls {
            let limit = call.established ? call.lastActivity + settings.idleTimeoutMilliseconds
                : call.createdAt + settings.setupTimeoutMilliseconds
            guard now >= limit else { continue }
            calls[callID] = nil
            guard call.relayed else { continue }
            counters.dialogTimeouts &+= 1
            nextToken &+= 1
            deletes.append((MediaRelayRequest(command: .delete, callID: callID), nextToken))
        }
        return deletes
    }

    /// The message's SDP body (Content-Type application/sdp, non-empty), if any.
    static func sdp(of message: SIPMessage) -> [UInt8]? {
        guard !message.body.isEmpty else { return nil }
        if let type = try? message.contentType, !type.matches("application", "sdp") { return nil }
        return Array(message.body)
    }
}
