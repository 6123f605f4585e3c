import NIOCore

/// MESSAGE at the edge (RFC 3428): relayed to every binding of the recipient through its pinhole;
/// the first 2xx answers the sender 200. No binding, every branch failing, or no 2xx within
/// `relay_timeout_ms` stores it (202); stored messages go out one by one after the recipient's
/// next REGISTER, each deleted only after its 2xx.
extension EdgeCore {
    func performMessages(_ actions: [MessageAction], server: SIPTransactionID?, unixSeconds: Int64) {
        let now = EdgeClock.monotonicNow()
        for action in actions {
            switch action {
            case .respond(let response):
                if let server { perform(proxy.sendResponse(response, on: server, now: now)) }
            case .deliver(let request, let recipient):
                guard let server else { continue }
                startRelay(request, to: recipient, server: server, unixSeconds: unixSeconds, now: now)
            case .sendMessage(let request, let recipient, let stored):
                deliverStored(request, to: recipient, stored: stored)
            }
        }
    }

    private func liveBindings(_ aor: AddressOfRecord) -> [RegistrarBinding] {
        if case .found(let bindings) = registrar.lookup(aor, now: EdgeClock.wallNow()) { return bindings }
        return []
    }

    /// One copy per binding: the sender's headers and body kept (From, To, Call-ID, CSeq, Date,
    /// Content-Type...), Via/Route/Record-Route dropped (the proxy pushes its own Via: the
    /// branch is ours), Request-URI the binding's Contact.
    private func startRelay(_ request: SIPMessage, to recipient: AddressOfRecord, server: SIPTransactionID,
                            unixSeconds: Int64, now: SIPInstant)
    {
        guard let presence else { return }
        let relayID = presence.nextRelayID()
        presence.relays[relayID] = EdgeMessageRelay(
            server: server, request: request, recipient: recipient, pending: 0,
            deadline: now + presence.settings.messageRelayTimeoutMilliseconds, unixSeconds: unixSeconds)
        let maxForwards = (try? request.maxForwards) ?? 70
        for binding in liveBindings(recipient) {
            guard let target = EdgeRouter.target(for: binding) else { continue }
            var copy = request
            copy.removeHeaders(.via)
            copy.removeHeaders(.route)
            copy.removeHeaders(.recordRoute)
            guard (try? copy.setRequestURI(target.uri)) != nil, (try? copy.setMaxForwards(max(0, maxForwards - 1))) != nil else { continue }
            presence.relays[relayID]?.pending += 1
            if sendPresenceRequest(copy, to: target, for: .relayBranch(relayID)) {
                presence.counters.messagesRelayed += 1
            } else {
                presence.relays[relayID]?.pending -= 1
            }
        }
        if let relay = presence.relays[relayID], relay.pending <= 0 {
            presence.relays[relayID] = nil
            relayFailed(relay)
        }
    }

    func relayBranchEnded(_ relayID: UInt64, status: Int) {
        guard let presence, var relay = presence.relays[relayID] else { return }  // already answered or stored
        relay.pending -= 1
        if (200..<300).contains(status) {
            presence.relays[relayID] = nil
            if let response = try? SIPMessage.response(to: relay.request, status: 200, reason: "OK", toTag: "ms") {
                perform(proxy.sendResponse(response, on: relay.server, now: EdgeClock.monotonicNow()))
            }
            return
        }
        if relay.pending > 0 {
            presence.relays[relayID] = relay
        } else {
            presence.relays[relayID] = nil
            relayFailed(relay)
        }
    }

    /// Nobody took it: store it (202), or the store's refusal (480 over quota, 513 too big).
    func relayFailed(_ relay: EdgeMessageRelay) {
        guard let presence else { return }
        let now = EdgeClock.monotonicNow()
        let actions = storingMessages {
            presence.messages.store(relay.request, recipient: relay.recipient, now: now, unixSeconds: relay.unixSeconds)
        }
        performMessages(actions, server: relay.server, unixSeconds: relay.unixSeconds)
    }

    /// A stored message to the recipient's most recently refreshed binding.
    private func deliverStored(_ request: SIPMessage, to recipient: AddressOfRecord, stored: UInt64) {
        guard let presence else { return }
        guard let binding = liveBindings(recipient).max(by: { $0.updatedAt < $1.updatedAt }),
              let target = EdgeRouter.target(for: binding)
        else {
            presence.messages.deliveryResult(stored, status: 480)
            return
        }
        var copy = request
        guard (try? copy.setRequestURI(target.uri)) != nil, sendPresenceRequest(copy, to: target, for: .storedMessage(stored)) else {
            presence.messages.deliveryResult(stored, status: 503)
            return
        }
    }
}
