/// Pass-through mode: the backend farm is the registrar (it challenges and authorizes). The edge
/// adds `Path: <sip:EDGE;lr;received=sip:SRC:PORT>` (Kamailio's `add_path_received`) so the
/// backend routes calls back through it, and saves the binding only when the backend says 2xx.
extension Registrar {
    mutating func forward(_ message: SIPMessage, _ request: RegisterRequest, source: RegistrarPeer,
                          socket: LocalSocketRef, nat: NATStatus, now: RegistrarInstant) -> RegistrarOutput
    {
        var outgoing = message
        do {
            try outgoing.prependHeader(.path, value: pathValue(for: source))
        } catch {
            return reject(message, RegistrarRejection(400, "Bad Request", result: .badRequest), nat: nat)
        }
        let key = PendingRegistrationTable.Key(callID: request.callID, cseq: request.cseq)
        countersStorage.pendingEvicted += pending.insert(key, request: request, source: source, socket: socket,
                                                         nat: nat, now: now)
        countersStorage.record(.forwarded)
        return RegistrarOutput(action: .forward(outgoing), result: .forwarded, nat: nat)
    }

    /// `<sip:EDGE;lr;received=sip:IP:PORT>`; for stream transports `;transport=x` is escaped into
    /// the parameter value (`%3Btransport%3Dtcp`), as Kamailio writes it.
    func pathValue(for source: RegistrarPeer) -> String {
        var received = "sip:\(source.uriHost):\(source.port)"
        if source.transport != .udp { received += "%3Btransport%3D\(source.transport.rawValue)" }
        return "<sip:\(configuration.pathHost);lr;received=\(received)>"
    }

    /// A response from the backend. nil when it does not answer a pending pass-through REGISTER
    /// (the caller routes it as any other response). 1xx is relayed and the entry kept; a final
    /// response ends the entry, and 2xx saves the bindings the request named, with the expiry the
    /// backend granted (its Contact `expires`, else its Expires header, else the request's value
    /// clamped to `maxExpires`).
    public mutating func handleBackendResponse(_ response: SIPMessage, now: RegistrarInstant) -> RegistrarOutput? {
        guard response.isResponse, let status = response.statusCode, let callID = try? response.callID,
              let cseq = try? response.cseq, cseq.method == .register else { return nil }
        let key = PendingRegistrationTable.Key(callID: callID, cseq: cseq.sequence)
        guard let entry = pending.entry(key) else { return nil }
        let relay = RegistrarAction.relay(response, to: entry.source, socket: entry.socket)
        if status < 200 { return RegistrarOutput(action: relay, nat: entry.nat) }
        _ = pending.remove(key)
        guard (200..<300).contains(status) else {
            countersStorage.record(.backendRejected)
            return RegistrarOutput(action: relay, result: .backendRejected, nat: entry.nat)
        }
        let changes = saveBackendAccepted(entry, response: response, now: now)
        countersStorage.record(.backendAccepted)
        countersStorage.record(changes)
        return RegistrarOutput(action: relay, changes: changes, result: .backendAccepted, nat: entry.nat)
    }

    mutating func saveBackendAccepted(_ entry: PendingRegistrationTable.Entry, response: SIPMessage,
                                      now: RegistrarInstant) -> [LocationChange]
    {
        let request = entry.request
        var changes = expireStale(store.storedBindings(of: request.aor), now: now)
        switch request.contacts {
        case .query:
            return changes
        case .wildcard:
            for binding in store.storedBindings(of: request.aor) {
                store.remove(binding.key)
                changes.append(.removed(binding, reason: .wildcard))
            }
            return changes
        case .list(let entries):
            let granted = (try? response.contacts)?.addresses ?? []
            let responseExpires = (try? response.expires) ?? nil
            for contact in entries {
                let match = granted.first { RegistrarBindingKey.canonicalContact($0.uri) == contact.key.contactURI }
                let fromBackend = match?.parameters.first(named: "expires").flatMap { RegisterRequest.deltaSeconds($0.value) }
                // A contact the backend's 200 does not list was not kept by it (expires=0 → gone).
                let expires = fromBackend ?? responseExpires ?? min(contact.requestedExpires, configuration.maxExpires)
                let existing = store.binding(contact.key)
                if expires == 0 || (match == nil && !granted.isEmpty) {
                    if let existing {
                        store.remove(contact.key)
                        changes.append(.removed(existing, reason: .unregistered))
                    }
                    continue
                }
                let binding = makeBinding(contact, request: request, expires: expires, existing: existing,
                                          source: entry.source, socket: entry.socket, nat: entry.nat, now: now)
                changes.append(.saved(binding, created: store.save(binding)))
            }
            return changes
        }
    }
}
