/// Local mode: the edge is the registrar (RFC 3261 §10.3 steps 6–8).
extension Registrar {
    /// Applies a REGISTER to the store, or throws the rejection without changing anything.
    mutating func registerLocally(_ request: RegisterRequest, source: RegistrarPeer, socket: LocalSocketRef,
                                  nat: NATStatus, now: RegistrarInstant) throws(RegistrarRejection)
        -> (RegistrationResult, [LocationChange])
    {
        let stored = store.storedBindings(of: request.aor)
        switch request.contacts {
        case .query:
            return (.queried, expireStale(stored, now: now))
        case .wildcard:
            // §10.3 step 6: each binding goes only if its Call-ID differs or the CSeq is higher.
            if try isRetransmission(request, against: stored.filter { !$0.isExpired(at: now) }) { return (.retransmission, []) }
            var changes: [LocationChange] = []
            for binding in stored {
                store.remove(binding.key)
                changes.append(.removed(binding, reason: binding.isExpired(at: now) ? .expired : .wildcard))
            }
            return (.unregistered, changes)
        case .list(let entries):
            // Expiry rules first: one too-brief contact fails the whole request (423 + Min-Expires).
            var effective: [Int] = []
            for entry in entries {
                let e = entry.requestedExpires
                if e != 0 && e < configuration.minExpires {
                    throw RegistrarRejection(423, "Interval Too Brief", result: .intervalTooBrief,
                                             extraHeaders: [("Min-Expires", "\(configuration.minExpires)")])
                }
                effective.append(min(e, configuration.maxExpires))
            }
            let touched = stored.filter { b in !b.isExpired(at: now) && entries.contains { $0.key == b.key } }
            if try isRetransmission(request, against: touched) { return (.retransmission, []) }

            var changes = expireStale(stored, now: now)
            let evictions = try contactsToEvict(entries, effective: effective, now: now)
            for victim in evictions {
                store.remove(victim.key)
                changes.append(.removed(victim, reason: .evicted))
            }
            var saved = false
            for (entry, expires) in zip(entries, effective) {
                // What `store.binding(entry.key)` would find, without another look-up: `stored` minus the
                // expired bindings (just removed) and the evicted ones (never named by the request).
                let existing = stored.first { $0.key.contactURI == entry.key.contactURI && !$0.isExpired(at: now) }
                if expires == 0 {
                    if let existing {
                        store.remove(entry.key)
                        changes.append(.removed(existing, reason: .unregistered))
                    }
                    continue
                }
                let binding = makeBinding(entry, request: request, expires: expires, existing: existing,
                                          source: source, socket: socket, nat: nat, now: now)
                changes.append(.saved(binding, created: store.save(binding)))
                saved = true
            }
            return (saved ? .accepted : .unregistered, changes)
        }
    }

    /// §10.3 step 7 ordering for bindings the request names: same Call-ID with a lower CSeq fails
    /// (500); same Call-ID with the same CSeq is a retransmission (true: answer, change nothing).
    func isRetransmission(_ request: RegisterRequest, against bindings: [RegistrarBinding]) throws(RegistrarRejection)
        -> Bool
    {
        var retransmission = false
        for binding in bindings where binding.callID == request.callID {
            if request.cseq < binding.cseq {
                throw RegistrarRejection(500, "Server Internal Error - CSeq out of order", result: .outOfOrder)
            }
            if request.cseq == binding.cseq { retransmission = true }
        }
        return retransmission
    }

    /// The bindings `max_contacts` forces out (evict policy), or the 403 (reject policy, or when
    /// the request alone names more contacts than allowed).
    func contactsToEvict(_ entries: [RegisterRequest.ContactEntry], effective: [Int], now: RegistrarInstant)
        throws(RegistrarRejection) -> [RegistrarBinding]
    {
        let limit = configuration.maxContacts
        guard limit > 0, let aor = entries.first?.key.aor else { return [] }
        // The common case decided without sorting: even if every stored binding stayed and every
        // contact were new, the limit would hold (and entries alone within it means no 403).
        if store.storedBindingCount(of: aor) + entries.count <= limit { return [] }
        let live = store.activeBindings(of: aor, now: now)
        var remaining = live.filter { b in !entries.contains { $0.key == b.key } }
        let added = zip(entries, effective).filter { $0.1 > 0 }.count
        guard remaining.count + added > limit else { return [] }
        let tooMany = RegistrarRejection(403, "Too many registered contacts", result: .tooManyContacts)
        guard configuration.maxContactsPolicy == .evictOldest, added <= limit else { throw tooMany }
        remaining.sort { ($0.updatedAt, $0.key.contactURI) < ($1.updatedAt, $1.key.contactURI) }
        return Array(remaining.prefix(remaining.count + added - limit))
    }

    /// Expired bindings of the AOR still in the store (the sweep has not reached them yet) are
    /// removed now so the table and the 200 OK agree.
    mutating func expireStale(_ stored: [RegistrarBinding], now: RegistrarInstant) -> [LocationChange] {
        var changes: [LocationChange] = []
        for binding in stored where binding.isExpired(at: now) {
            store.remove(binding.key)
            changes.append(.removed(binding, reason: .expired))
        }
        return changes
    }

    func makeBinding(_ entry: RegisterRequest.ContactEntry, request: RegisterRequest, expires: Int,
                     existing: RegistrarBinding?, source: RegistrarPeer, socket: LocalSocketRef, nat: NATStatus,
                     now: RegistrarInstant) -> RegistrarBinding
    {
        var contact = entry.address
        contact.parameters.removeAll { [SIPParameter].sameName($0.name, "expires") }
        return RegistrarBinding(
            key: entry.key, contact: contact.description(uriText: entry.uriText), callID: request.callID, cseq: request.cseq,
            expiresAt: now.adding(seconds: expires), q: entry.q, registeredAt: existing?.registeredAt ?? now,
            updatedAt: now, source: source, socket: socket, nat: nat, path: request.path,
            userAgent: request.userAgent, instance: entry.instance)
    }
}
