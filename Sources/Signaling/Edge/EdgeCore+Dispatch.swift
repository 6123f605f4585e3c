import NIOCore

/// The dispatcher's drivers on the edge loop: the probe timer (OPTIONS through the proxy's own
/// client transactions), ESL connections feeding heartbeats, and the admin switches.
extension EdgeCore {
    func startDispatch() {
        syncESLConnections()
        rescheduleDispatchTimer()
    }

    func stopDispatch() {
        dispatchTimer?.cancel()
        dispatchTimer = nil
        dispatchTimerAt = nil
        for link in eslConnections.values {
            link.generation &+= 1
            link.connection?.stop()
        }
        eslConnections = [:]
    }

    // MARK: Probing

    /// Keeps exactly one scheduled task at the dispatcher's next deadline (probe due or probe timeout).
    func rescheduleDispatchTimer() {
        let next = dispatch.nextDispatcherDeadline()
        guard next != dispatchTimerAt else { return }
        dispatchTimer?.cancel()
        dispatchTimerAt = next
        guard let next, !draining else {
            dispatchTimer = nil
            return
        }
        let deadline = NIODeadline.uptimeNanoseconds(UInt64(max(0, next.milliseconds)) &* 1_000_000)
        let bound = NIOLoopBound(self, eventLoop: loop)
        dispatchTimer = loop.scheduleTask(deadline: deadline) {
            let core = bound.value
            core.dispatchTimerAt = nil
            core.dispatchTimer = nil
            core.noteDispatch(core.dispatch.dispatcher.advance(to: EdgeClock.monotonicNow()))
            core.rescheduleDispatchTimer()
        }
    }

    /// Executes dispatcher actions: probes go out, state changes are logged.
    func noteDispatch(_ actions: [DispatcherAction]) {
        for action in actions {
            switch action {
            case .sendProbe(let probeID, let destination, let uri):
                sendProbe(probeID, to: destination, uri: uri)
            case .stateChanged(let id, let from, let to):
                logger.notice("dispatcher destination state", metadata: ["uri": "\(id)", "from": "\(from)", "to": "\(to)"])
            }
        }
    }

    /// An OPTIONS to the box, sent as the proxy's own request so retransmission and timeout are the
    /// transaction layer's; the outcome comes back as `.originatedResponse/.originatedFailure`
    /// with origin `.dispatcher(probeID)` (see `perform`).
    private func sendProbe(_ probeID: UInt64, to destination: DispatcherDestinationID, uri: SIPURI) {
        guard let peer = dispatch.peer(of: destination) else { return }
        let from = listeners.first.map { Self.hostPort($0) } ?? "edge.invalid"
        let headers: [(name: String, value: String)] = [
            ("Max-Forwards", "70"),
            ("From", "<sip:dispatcher@\(from)>;tag=tndp\(String(probeID, radix: 16))"),
            ("To", "<\(uri)>"),
            ("Call-ID", "tndp-\(String(proxy.configuration.instanceSeed, radix: 16))-\(String(probeID, radix: 16))"),
            ("CSeq", "1 OPTIONS"),
        ]
        let now = EdgeClock.monotonicNow()
        guard let request = try? SIPMessage.request(method: .options, uri: uri, headers: headers),
              let sent = try? proxy.sendRequest(request, to: SIPTarget(uri: uri, nextHop: peer), origin: .dispatcher(probeID), now: now)
        else {
            noteDispatch(dispatch.dispatcher.probeResult(probeID, .timeout, now: now))
            return
        }
        perform(sent.actions)
    }

    // MARK: Admin

    /// `POST /dispatcher/disable|enable?uri=`: false when the URI names no configured box.
    func setDispatcherDisabled(_ disabled: Bool, uriText: String) -> Bool {
        guard let id = try? DispatcherDestinationID(configured: uriText), dispatch.dispatcher.state(of: id) != nil else {
            return false
        }
        noteDispatch(dispatch.dispatcher.setDisabled(disabled, for: id, now: EdgeClock.monotonicNow()))
        rescheduleDispatchTimer()
        return true
    }

    // MARK: ESL

    /// One link per box with an `esl` endpoint: new ones start, removed or changed ones stop.
    func syncESLConnections() {
        var wanted: [DispatcherDestinationID: ESLEndpoint] = [:]
        for (id, endpoint) in dispatch.dispatcher.eslEndpoints { wanted[id] = endpoint }
        for (id, link) in eslConnections where wanted[id] != link.endpoint {
            link.generation &+= 1
            link.connection?.stop()
            eslConnections[id] = nil
        }
        for (id, endpoint) in wanted where eslConnections[id] == nil {
            let link = EdgeESLLink(endpoint: endpoint)
            eslConnections[id] = link
            connectESL(id, link: link)
        }
    }

    private func connectESL(_ id: DispatcherDestinationID, link: EdgeESLLink) {
        link.generation &+= 1
        let generation = link.generation
        let bound = NIOLoopBound(self, eventLoop: loop)
        let loop = self.loop
        let connection = ESLConnection(endpoint: link.endpoint) { action in
            // The connection's own thread: hop onto the edge loop before touching the dispatcher.
            switch action {
            case .heartbeat(let beat):
                loop.execute {
                    let core = bound.value
                    guard let link = core.eslConnections[id], link.generation == generation else { return }
                    link.failuresInARow = 0
                    core.dispatch.dispatcher.heartbeat(beat, from: id, now: EdgeClock.monotonicNow())
                }
            case .disconnected(let reason), .authFailed(let reason):
                loop.execute { bound.value.eslEnded(id, generation: generation, reason: reason) }
            default:
                break
            }
        }
        link.connection = connection
        connection.start()
    }

    /// A link ended: reconnect after the back-off (once per connection, whatever it reported).
    private func eslEnded(_ id: DispatcherDestinationID, generation: UInt64, reason: String) {
        guard let link = eslConnections[id], link.generation == generation else { return }
        link.generation &+= 1
        link.connection?.stop()
        link.connection = nil
        let delay = link.backOffMilliseconds
        link.failuresInARow += 1
        logger.info("ESL link down", metadata: ["uri": "\(id)", "reason": "\(reason)", "retry_ms": "\(delay)"])
        let bound = NIOLoopBound(self, eventLoop: loop)
        let expected = link.generation
        loop.scheduleTask(in: .milliseconds(delay)) {
            let core = bound.value
            guard !core.draining, let link = core.eslConnections[id], link.generation == expected else { return }
            core.connectESL(id, link: link)
        }
    }
}
