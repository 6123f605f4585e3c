import Foundation

/// One admin HTTP answer.
struct EdgeAdminResponse {
    var status = "200 OK"
    var contentType = "application/json"
    var body: String
}

/// The admin endpoints, evaluated on the edge's loop against the live core:
/// - `GET /bindings` (`?aor=sip:alice@example.com` filters; substring match without `sip:`),
/// - `DELETE /bindings?aor=…&contact=…` removes one binding (persisted, keepalives stopped),
/// - `GET /counts` registrar / proxy / keepalive numbers as JSON,
/// - `GET /metrics` Prometheus text,
/// - `GET /relays` media steering: relays (state, weight, pinned calls), steered and held calls,
/// - `GET /dispatcher` sets and boxes (state, calls, load) as JSON,
/// - `POST /dispatcher/disable?uri=sip:…` / `POST /dispatcher/enable?uri=…` the admin switch.
enum EdgeAdminAPI {
    static func respond(_ core: EdgeCore, method: String, target: String) -> EdgeAdminResponse {
        let (path, query) = split(target)
        switch (method, path) {
        case ("GET", "/bindings"):
            let now = EdgeClock.wallNow()
            var bindings = core.registrar.store.allBindings.filter { !$0.isExpired(at: now) }
            if let aor = query["aor"] {
                bindings = bindings.filter { $0.key.aor.description == aor || $0.key.aor.description.contains(aor) }
            }
            bindings.sort { $0.key < $1.key }
            return json(bindings.map { EdgeBindingView($0, core: core, now: now) })
        case ("DELETE", "/bindings"):
            guard let aorText = query["aor"], let aor = AddressOfRecord(aorText), let contact = query["contact"] else {
                return EdgeAdminResponse(status: "400 Bad Request", body: "{\"error\":\"aor and contact required\"}\n")
            }
            let key = core.registrar.store.storedBindings(of: aor).first {
                $0.key.contactURI == contact || $0.contact == contact
            }?.key ?? RegistrarBindingKey(aor: aor, contactURI: contact)
            guard let change = core.registrar.removeBinding(key, reason: .administrative) else {
                return EdgeAdminResponse(status: "404 Not Found", body: "{\"error\":\"no such binding\"}\n")
            }
            core.apply([change])
            return EdgeAdminResponse(body: "{\"removed\":1}\n")
        case ("GET", "/counts"):
            let registrar = core.registrar.counters
            let keepalive = core.keepalive.counters
            return json(EdgeCountsView(bindings: registrar.bindings, aors: core.registrar.store.registeredAORCount,
                                       pending: registrar.pending, liveTransactions: core.proxy.transactions.liveTransactionCount,
                                       proxiedInFlight: core.proxy.activeContextCount, keepaliveTracked: keepalive.tracked,
                                       pingsSent: keepalive.pingsSent, pingsLost: keepalive.pingsLost))
        case ("GET", "/metrics"):
            return EdgeAdminResponse(contentType: "text/plain; version=0.0.4; charset=utf-8", body: EdgeMetrics.render(core))
        case ("GET", "/dispatcher"):
            return json(EdgeDispatcherView(core))
        case ("GET", "/relays"):
            return json(EdgeRelaysView(core))
        case ("POST", "/dispatcher/disable"), ("POST", "/dispatcher/enable"):
            guard let uri = query["uri"] else {
                return EdgeAdminResponse(status: "400 Bad Request", body: "{\"error\":\"uri required\"}\n")
            }
            guard core.setDispatcherDisabled(path.hasSuffix("/disable"), uriText: uri) else {
                return EdgeAdminResponse(status: "404 Not Found", body: "{\"error\":\"no such destination\"}\n")
            }
            return json(EdgeDispatcherView(core))
        case (_, "/bindings"), (_, "/counts"), (_, "/metrics"), (_, "/dispatcher"), (_, "/dispatcher/disable"), (_, "/relays"),
             (_, "/dispatcher/enable"):
            return EdgeAdminResponse(status: "405 Method Not Allowed", body: "{\"error\":\"method not allowed\"}\n")
        default:
            return EdgeAdminResponse(status: "404 Not Found", body: "{\"error\":\"try /bindings, /counts, /metrics, /dispatcher\"}\n")
        }
    }

    static func split(_ target: String) -> (String, [String: String]) {
        guard let mark = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let raw = parts.count > 1 ? String(parts[1]).replacingOccurrences(of: "+", with: " ") : ""
            query[name] = raw.removingPercentEncoding ?? raw
        }
        return (String(target[..<mark]), query)
    }

    static func json<T: Encodable>(_ value: T) -> EdgeAdminResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(value) else {
            return EdgeAdminResponse(status: "500 Internal Server Error", body: "{}\n")
        }
        return EdgeAdminResponse(body: String(decoding: data, as: UTF8.self) + "\n")
    }
}

/// A binding as the admin API shows it.
struct EdgeBindingView: Encodable {
    var aor: String
    var contact: String
    var contactURI: String
    var received: String
    var socket: Int
    var expiresIn: Int
    var nat: Bool
    var userAgent: String?
    var keepaliveLost: Int?
    var keepaliveRTTms: Int64?

    init(_ binding: RegistrarBinding, core: EdgeCore, now: RegistrarInstant) {
        aor = binding.key.aor.description
        contact = binding.contact
        contactURI = binding.key.contactURI
        received = binding.source.description
        socket = binding.socket.rawValue
        expiresIn = now.secondsUntil(binding.expiresAt)
        nat = binding.nat.isNATed
        userAgent = binding.userAgent
        let status = core.keepalive.status(of: binding.key)
        keepaliveLost = status?.lostInARow
        keepaliveRTTms = status?.roundTripMilliseconds
    }
}

struct EdgeCountsView: Encodable {
    var bindings: Int
    var aors: Int
    var pending: Int
    var liveTransactions: Int
    var proxiedInFlight: Int
    var keepaliveTracked: Int
    var pingsSent: Int
    var pingsLost: Int
}
