// libFuzzer target for the signaling edge's whole receive path, sans I/O: bytes from a socket → keepalive reply
// scan → parse → NAT tests and Contact fix → SIPProxy (validation, transactions, routing by `EdgeRouter`) →
// registrar (local and pass-through REGISTER) → actions, with the clock injected and no sockets. Build:
//   swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/Signaling/Signaling.swift \
//     Sources/Signaling/Message/*.swift Sources/Signaling/Transaction/*.swift Sources/Signaling/Proxy/*.swift \
//     <Sources/Signaling/Registrar/*.swift but LocationDatabase, LocationPersistence, CoalescingBatchWriter> \
//     Sources/Signaling/Edge/EdgeRouter.swift Sources/Signaling/Edge/EdgeRequestDirection.swift \
//     Sources/Signaling/Edge/EdgeGateway.swift Tests/Fuzz/SIPReceivePathFuzz.swift -o /tmp/sippathfuzz
// (scripts/fuzz.sh sippath does exactly this.)
//
// Why not `EdgeCore` itself: it is the NIO glue (event loop timers, `SIPTransport`, SQLite writer), so it cannot be
// compiled from stdlib-only folders the way `ngpath` compiles the relay. `SIPReceivePathHarness` below replays
// `EdgeCore.handle`/`perform` step for step (EdgeCore+Messages.swift) over the same sans-I/O cores and the real
// `EdgeRouter`; what it leaves out is the dispatcher (one fixed farm box stands in), media steering, presence and DNS.
//
// Input: the whole input is one message. `size % 4` picks how it arrives: 0/2 a UDP datagram from a phone, 1 a UDP
// datagram from the farm box, 3 a TCP chunk from a phone (through `SIPStreamFramer`, as the TCP transport frames).
// The last byte advances the clock (×40 ms) before the message, then proxy timers, registrar expiry and the keepalive
// wheel tick. Requests the edge forwards are answered by their destination (status picked from the input), and
// keepalive pings are answered, so responses, pass-through REGISTER saves and ping replies are driven too.
// Checks: nothing traps; bad input becomes a 400 or a counted drop; everything the edge sends parses again.

private let phone = SIPPeer(host: "203.0.113.5", port: 40000, transport: .udp)
private let phoneTCP = SIPPeer(host: "203.0.113.6", port: 40001, transport: .tcp)
private let farm = SIPPeer(host: "10.0.0.10", port: 5060, transport: .udp)
private let statuses = [100, 180, 200, 200, 401, 404, 486, 503]

/// The edge's state as `EdgeCore` holds it, without the loop: one proxy, one registrar, one keepalive wheel.
private final class SIPReceivePathHarness {
    var proxy: SIPProxy
    var registrar: Registrar
    var keepalive: KeepaliveScheduler
    var framer = SIPStreamFramer()
    var clock: Int64 = 1_000_000
    var inputs = 0

    init() {
        let listeners = [
            SIPProxyListener(socket: LocalSocketRef(0), host: "198.51.100.1", port: 5060, transport: .udp),
            SIPProxyListener(socket: LocalSocketRef(1), host: "198.51.100.1", port: 5060, transport: .tcp),
            SIPProxyListener(socket: LocalSocketRef(2), host: "10.0.0.1", port: 5060, transport: .udp),
        ]
        var settings = SIPProxyConfiguration(listeners: listeners, instanceSeed: 42)
        settings.maxLiveTransactions = 64
        settings.maxPendingTransactions = 32
        proxy = SIPProxy(configuration: settings, router: EdgeRouter(isFarm: { _ in false },
            dispatch: { _, _, _ in .respond(status: 500, reason: "x") }, lookup: { _ in .notFound },
            bindingsByContact: { _ in [] }))
        var registrarSettings = RegistrarConfiguration()
        registrarSettings.maxContacts = 4
        registrarSettings.pendingLimit = 16
        // Domains starting with "p" are pass-through (the farm registers), the rest local.
        registrarSettings.domainMode = { $0.hasPrefix("p") ? .passThrough : .local }
        registrarSettings.pathHost = "198.51.100.1:5060"
        registrar = Registrar(configuration: registrarSettings)
        var keepaliveSettings = KeepaliveConfiguration()
        keepaliveSettings.intervalMilliseconds = 2_000
        keepaliveSettings.tickMilliseconds = 100
        keepaliveSettings.viaSentBy = { _ in "198.51.100.1:5060" }
        keepalive = KeepaliveScheduler(configuration: keepaliveSettings, start: RegistrarInstant(milliseconds: 1_000_000),
                                       callIDPrefix: "kafz")
        installRouter()
    }

    /// The router reads the registrar through closures, as `EdgeCore.installRouter` does.
    func installRouter() {
        proxy.router = EdgeRouter(
            isFarm: { $0.host == farm.host && $0.port == farm.port },
            dispatch: { _, uri, _ in .forward([SIPTarget(uri: uri, nextHop: farm)], .sequential) },
            lookup: { [unowned self] aor in registrar.lookup(aor, now: wall) },
            bindingsByContact: { [unowned self] contact in
                registrar.store.allBindings.filter { $0.key.contactURI == contact && !$0.isExpired(at: wall) }
            },
            registersLocally: { [unowned self] host in registrar.configuration.domainMode(host) == .local })
    }

    var now: SIPInstant { SIPInstant(milliseconds: clock) }
    var wall: RegistrarInstant { RegistrarInstant(milliseconds: clock) }

    // MARK: EdgeCore.handle

    /// One framed message from `source`, as `EdgeCore.handle(.message)`; returns what the edge sent.
    func receive(_ bytes: [UInt8], from source: SIPPeer, local: LocalSocketRef) -> [SIPProxyAction] {
        let isReply = bytes.withUnsafeBytes { keepalive.handleReply($0, now: wall) }
        if isReply { return [] }
        let peer = RegistrarPeer(source)
        keepalive.noteTraffic(from: peer, now: wall)
        guard var message = try? SIPMessage.parse(bytes) else {
            let before = proxy.counters.drops.values.reduce(0, +)
            let actions = proxy.receive(bytes, from: source, local: local, now: now)
            // 400, or 505 for a request line naming another SIP version (`SIPRawErrorResponse`).
            let answered = actions.contains {
                if case .send(let m, _, _) = $0 { m.statusCode == 400 || m.statusCode == 505 } else { false }
            }
            precondition(answered || proxy.counters.drops.values.reduce(0, +) > before,
                         "unparseable input was neither answered with 400/505 nor counted as a drop")
            return perform(actions)
        }
        let trusted = source.host == farm.host && source.port == farm.port
        if message.isResponse {
            if (try? message.cseq)?.method == .options, keepalive.handleResponse(message, now: wall) { return [] }
            if !trusted, message.firstHeader(.contact) != nil { _ = try? message.fixNATedContact(source: peer) }
        } else if !trusted, message.method != .register {
            let nat = NATDetector(tests: registrar.configuration.natTests).detect(message, source: peer)
            if nat.isNATed, message.firstHeader(.contact) != nil { _ = try? message.fixNATedContact(source: peer) }
        }
        return perform(proxy.receive(message, from: source, local: local, now: now))
    }

    // MARK: EdgeCore.perform

    func perform(_ actions: [SIPProxyAction]) -> [SIPProxyAction] {
        var sent: [SIPProxyAction] = []
        for action in actions {
            switch action {
            case .send(let message, _, _):
                precondition((try? SIPMessage.parse(message.bytes)) != nil, "the edge sent a message that does not parse")
                if message.isResponse, registrar.hasPendingRegistrations, (try? message.cseq)?.method == .register,
                   let output = registrar.handleBackendResponse(message, now: wall)
                {
                    keepalive.apply(output.changes)
                }
                sent.append(action)
            case .deliverLocal(let message, let server?, let source, let local):
                sent += deliverLocal(message, server: server, source: source, local: local)
            case .deliverLocal(let message, nil, let source, let local):
                guard message.method == .register else { continue }
                let topVia = try? message.topVia
                let output = registrar.handleRegister(message, topVia: topVia, from: RegistrarPeer(source), socket: local,
                                                      now: wall)
                keepalive.apply(output.changes)
                switch output.action {
                case .respond(let response), .relay(let response, _, _):
                    sent += perform(proxy.sendStatelessResponse(response, to: message, topVia: topVia, source: source,
                                                                local: local))
                case .forward, .none:
                    sent += perform(proxy.respondStatelessly(to: message, status: 500, reason: "Server Internal Error",
                                                             source: source, local: local))
                }
            case .originatedResponse, .originatedFailure:
                break
            }
        }
        return sent
    }

    private func deliverLocal(_ message: SIPMessage, server: SIPTransactionID, source: SIPPeer,
                              local: LocalSocketRef) -> [SIPProxyAction]
    {
        guard message.method == .register else {
            return perform(proxy.respond(to: server, status: 501, reason: "Not Implemented", now: now))
        }
        let output = registrar.handleRegister(message, from: RegistrarPeer(source), socket: local, now: wall)
        keepalive.apply(output.changes)
        switch output.action {
        case .respond(let response), .relay(let response, _, _):
            return perform(proxy.sendResponse(response, on: server, now: now))
        case .forward(let register):
            let uri = (try? register.requestURI) ?? SIPURI(scheme: .sip)
            return perform(proxy.forward(server, replacing: register, to: [SIPTarget(uri: uri, nextHop: farm)],
                                         mode: .sequential, now: now))
        case .none:
            return perform(proxy.respond(to: server, status: 500, reason: "Server Internal Error", now: now))
        }
    }

    // MARK: The far ends

    /// Requests the edge sent are answered by whoever they went to (one round, so it cannot loop).
    func answer(_ sent: [SIPProxyAction], pick: UInt8) {
        for action in sent {
            guard case .send(let request, let peer, let local) = action, request.isRequest, request.method != .ack,
                  let response = try? SIPMessage.response(to: request, status: statuses[Int(pick) % statuses.count],
                                                          reason: "Fuzz", toTag: "far")
            else { continue }
            _ = receive(response.bytes, from: peer, local: local ?? LocalSocketRef(0))
        }
    }

    /// Timers as the edge's loop fires them: proxy deadlines, registrar expiry, the keepalive wheel (pings answered).
    func tick(pick: UInt8) {
        let fired = perform(proxy.advance(to: now))
        keepalive.apply(registrar.expire(now: wall))
        for action in keepalive.tick(now: wall) {
            switch action {
            case .sendPing(let bytes, let peer, let socket, _):
                guard pick & 1 == 0, let ping = try? SIPMessage.parse(bytes),
                      let reply = try? SIPMessage.response(to: ping, status: 200, reason: "OK", toTag: "ph")
                else { continue }
                _ = receive(reply.bytes, from: SIPPeer(peer), local: socket)
            case .sendCRLFPing:
                break
            case .bindingUnreachable(let key, _):
                if let change = registrar.removeBinding(key, reason: .keepaliveTimeout) { keepalive.apply([change]) }
            }
        }
        answer(fired, pick: pick)
    }
}

nonisolated(unsafe) private var harness = SIPReceivePathHarness()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSIPReceivePath(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    // A fresh edge now and then, so state stays bounded and a crash depends on a short history.
    harness.inputs += 1
    if harness.inputs % 2_000 == 0 { harness = SIPReceivePathHarness() }
    let edge = harness
    let last = bytes.last ?? 0
    edge.clock &+= Int64(last) * 40
    edge.tick(pick: last)
    switch size % 4 {
    case 1:
        edge.answer(edge.receive(bytes, from: farm, local: LocalSocketRef(2)), pick: last >> 3)
    case 3:
        // A TCP chunk: framed like the stream transport does; a framing error closes the "connection".
        edge.framer.feed(bytes)
        while true {
            let event: SIPStreamFramer.Event?
            do { event = try edge.framer.next() } catch {
                edge.framer = SIPStreamFramer()
                break
            }
            guard let event else { break }
            if case .message(let message) = event {
                edge.answer(edge.receive(message.bytes, from: phoneTCP, local: LocalSocketRef(1)), pick: last >> 3)
            }
        }
        if edge.framer.bufferedByteCount > 70_000 { edge.framer = SIPStreamFramer() }
    default:
        edge.answer(edge.receive(bytes, from: phone, local: LocalSocketRef(0)), pick: last >> 3)
    }
    edge.clock &+= 40
    edge.tick(pick: last >> 1)
    precondition(edge.proxy.transactions.liveTransactionCount <= 64 + 16, "transactions beyond the overload limit")
    return 0
}
