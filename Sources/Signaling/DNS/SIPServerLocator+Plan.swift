/// RFC 3263 §4 as a function of the cache: what a lookup still needs, or its targets.
extension SIPServerLocator {
    enum Plan: Equatable {
        case need([DNSQuestion])
        case done([SIPLocatedTarget])
    }

    mutating func plan(_ request: SIPLocatorRequest, now: Int64) -> Plan {
        var host = request.host
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let fallbackTransport = request.transport ?? (request.secure ? .tls : .udp)
        // §4.1/§4.2: a numeric host needs no DNS.
        if IPLiteral.isNumeric(host) {
            return .done([SIPLocatedTarget(address: host, port: request.port ?? fallbackTransport.defaultPort,
                                           transport: fallbackTransport)])
        }
        guard let name = DNSName(host), !name.labels.isEmpty else { return .done([]) }
        // §4.2: an explicit port means A/AAAA only.
        if let port = request.port { return addresses(name, port: port, transport: fallbackTransport, now: now) }
        // §4.1: an explicit transport skips NAPTR and goes to its SRV.
        if let transport = request.transport {
            return services([(srvName(transport, name), transport)], host: name, fallback: transport, now: now)
        }
        let naptrQuestion = DNSQuestion(name: name, type: .naptr)
        guard let naptr = cache.lookup(naptrQuestion, now: now) else { return .need([naptrQuestion]) }
        var ranked: [(order: UInt16, preference: UInt16, name: DNSName, transport: SIPLocatorTransport)] = []
        for record in naptr.records {
            guard case .naptr(let order, let preference, let flags, let services, _, let replacement) = record,
                  flags.map(DNSName.lower) == [UInt8(ascii: "s")], !replacement.labels.isEmpty
            else { continue }
            let service = services.map(DNSName.lower)
            guard let transport = SIPLocatorTransport.allCases.first(where: { $0.naptrService == service }),
                  settings.transports.contains(transport), !request.secure || transport == .tls
            else { continue }
            ranked.append((order, preference, replacement, transport))
        }
        ranked.sort { ($0.order, $0.preference) < ($1.order, $1.preference) }
        var candidates = ranked.map { ($0.name, $0.transport) }
        if candidates.isEmpty {
            // §4.1: no (usable) NAPTR: SRV for each supported transport.
            let wanted: [SIPLocatorTransport] = request.secure ? [.tls] : [.udp, .tcp, .tls]
            candidates = wanted.filter { settings.transports.contains($0) }.map { (srvName($0, name), $0) }
        }
        return services(candidates, host: name, fallback: fallbackTransport, now: now)
    }

    /// The first SRV name (in preference order) with records decides; none at all falls back to A/AAAA
    /// of the host on the transport's default port (§4.2).
    mutating func services(_ candidates: [(DNSName, SIPLocatorTransport)], host: DNSName, fallback: SIPLocatorTransport,
                           now: Int64) -> Plan
    {
        // One at a time, in preference order: a later name is asked only when the earlier ones are empty.
        for (srv, transport) in candidates {
            let question = DNSQuestion(name: srv, type: .srv)
            guard let entry = cache.lookup(question, now: now) else { return .need([question]) }
            let entries: [SRVEntry] = entry.records.compactMap {
                guard case .srv(let priority, let weight, let port, let target) = $0, !target.labels.isEmpty else { return nil }
                return SRVEntry(priority: priority, weight: weight, port: port, target: target)
            }
            guard !entries.isEmpty else { continue }
            return srvTargets(entries, transport: transport, now: now)
        }
        return addresses(host, port: fallback.defaultPort, transport: fallback, now: now)
    }

    mutating func srvTargets(_ entries: [SRVEntry], transport: SIPLocatorTransport, now: Int64) -> Plan {
        var missing: [DNSQuestion] = []
        for entry in entries {
            for question in addressQuestions(entry.target) where cache.lookup(question, now: now) == nil {
                if !missing.contains(question) { missing.append(question) }
            }
        }
        guard missing.isEmpty else { return .need(missing) }
        var targets: [SIPLocatedTarget] = []
        for entry in SRVOrdering.order(entries, using: &random) {
            for address in cachedAddresses(entry.target, now: now) {
                targets.append(SIPLocatedTarget(address: address, port: Int(entry.port), transport: transport))
            }
        }
        return .done(targets)
    }

    func addresses(_ name: DNSName, port: Int, transport: SIPLocatorTransport, now: Int64) -> Plan {
        let missing = addressQuestions(name).filter { cache.lookup($0, now: now) == nil }
        guard missing.isEmpty else { return .need(missing) }
        return .done(cachedAddresses(name, now: now).map { SIPLocatedTarget(address: $0, port: port, transport: transport) })
    }

    func addressQuestions(_ name: DNSName) -> [DNSQuestion] {
        settings.queryAAAA ? [DNSQuestion(name: name, type: .a), DNSQuestion(name: name, type: .aaaa)]
            : [DNSQuestion(name: name, type: .a)]
    }

    func cachedAddresses(_ name: DNSName, now: Int64) -> [String] {
        addressQuestions(name).flatMap { question -> [String] in
            (cache.lookup(question, now: now)?.records ?? []).compactMap { (data: DNSRecordData) -> String? in
                switch data {
                case .a(let bytes), .aaaa(let bytes): return IPLiteral.text(bytes)
                default: return nil
                }
            }
        }
    }

    func srvName(_ transport: SIPLocatorTransport, _ name: DNSName) -> DNSName {
        DNSName(labels: transport.srvPrefix + name.labels)
    }
}

/// IP literal checks and formatting without Foundation or sockets.
enum IPLiteral {
    /// A dotted quad, or anything with a colon (an IPv6 literal; names never contain one).
    static func isNumeric(_ host: String) -> Bool {
        if host.utf8.contains(UInt8(ascii: ":")) { return true }
        let parts = host.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
                && part.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } <= 255
        }
    }

    /// Four bytes as a dotted quad, sixteen as eight uncompressed hex groups; nil otherwise.
    static func text(_ bytes: [UInt8]) -> String? {
        switch bytes.count {
        case 4:
            return bytes.map { String($0) }.joined(separator: ".")
        case 16:
            return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
                .joined(separator: ":")
        default:
            return nil
        }
    }
}
