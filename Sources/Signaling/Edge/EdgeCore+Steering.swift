import NIOCore
import NIOPosix

/// Media steering on the message path: messages go through `receiveSteered` instead of straight into
/// the proxy; SDP-carrying ones are held while their ng request is out and resumed with the relay's SDP.
///
/// Failure mode, chosen: when no relay answers (all tried, or none up), the held message is forwarded
/// UNCHANGED and counted (`tandem_media_forwarded_unsteered_total`). A 503 would fail every call while the
/// relays are out, including the many that work without a relay (phones not behind NAT, symmetric RTP);
/// an unsteered call at least has a chance, and the counter and relay states tell the operator.
extension EdgeCore {
    // MARK: Start / stop

    /// Creates the steering state and binds the ng UDP socket (IPv4 any-address, ephemeral port) on
    /// the edge's loop. No relays configured: nothing is created and messages go straight to the proxy.
    func startSteering() {
        guard configuration.media.isEnabled else { return }
        let state = EdgeSteering(settings: configuration.media, now: EdgeClock.monotonicNow())
        steering = state
        let bound = NIOLoopBound(self, eventLoop: loop)
        DatagramBootstrap(group: loop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = EdgeNGChannelHandler { address, bytes in bound.value.steeringReceive(bytes, from: address) }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "0.0.0.0", port: 0)
            .whenComplete { result in
                let core = bound.value
                switch result {
                case .success(let channel):
                    core.steering?.channel = channel
                    core.logger.info("media steering started", metadata: [
                        "relays": "\(core.configuration.media.relays.map(\.description))",
                        "policy": "\(core.configuration.media.steering.policy.rawValue)",
                    ])
                case .failure(let error):
                    core.logger.error("media steering: cannot bind the ng socket", metadata: ["error": "\(error)"])
                }
            }
        state.sweep = loop.scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
            let core = bound.value
            guard let steering = core.steering else { return }
            for (request, token) in steering.steering.expire(now: EdgeClock.monotonicNow()) {
                core.ngSend(request, token: token)
            }
            core.rescheduleSteeringTimer()
        }
        rescheduleSteeringTimer()
    }

    func stopSteering() {
        guard let state = steering else { return }
        state.sweep?.cancel()
        state.timer?.cancel()
        state.channel?.close(promise: nil)
        steering = nil
    }

    // MARK: Message path

    /// Where `handle` delivers a parsed message: straight to the proxy without steering, else through the
    /// steering state machine (and the call's queue when it has an ng request outstanding).
    func receiveSteered(_ message: SIPMessage, from source: SIPPeer, local: LocalSocketRef, fromFarm: Bool, nated: Bool,
                        now: SIPInstant)
    {
        guard let state = steering, let callID = try? message.callID else {
            perform(proxy.receive(message, from: source, local: local, now: now))
            return
        }
        var party = MediaSteeringParty(isFarm: fromFarm, isNATed: nated, sourceAddress: source.host)
        if fromFarm, message.method == .invite, (try? message.to)?.tag == nil {
            party.calleeIsNATed = calleeIsNATed(message)
        }
        let item = HeldSIPMessage(message: message, source: source, local: local, party: party)
        if var queue = state.held[callID] {
            guard queue.count < EdgeSteering.maxQueuedPerCall, !queue.contains(where: { $0.message.bytes == message.bytes }) else {
                state.queueDrops &+= 1
                return
            }
            queue.append(item)
            state.held[callID] = queue
            return
        }
        process(item, callID: callID, state: state)
    }

    /// One message through the state machine: forwarded now, or held (then it heads its call's queue).
    private func process(_ item: HeldSIPMessage, callID: String, state: EdgeSteering) {
        let now = EdgeClock.monotonicNow()
        // A retransmitted request the proxy already has a transaction for: the proxy absorbs it.
        if item.message.isRequest, item.message.method != .ack, proxy.transactions.matchesServerTransaction(item.message) {
            forward(item, body: nil, now: now)
            return
        }
        switch state.steering.inspect(item.message, from: item.party, now: now) {
        case .pass:
            forward(item, body: nil, now: now)
        case .rewrite(let body):
            forward(item, body: body, now: now)
        case .passAndSend(let request, let token):
            forward(item, body: nil, now: now)
            ngSend(request, token: token)
        case .hold(let request, let token):
            state.held[callID] = [item]
            state.heldTokens[token] = callID
            ngSend(request, token: token)
        }
    }

    private func forward(_ item: HeldSIPMessage, body: [UInt8]?, now: SIPInstant) {
        var message = item.message
        if let body {
            do { try message.setBody(body) } catch { message = item.message }
        }
        perform(proxy.receive(message, from: item.source, local: item.local, now: now))
    }

    /// A response the proxy sends towards the caller: a final failure of the initial INVITE deletes the call.
    func noteSteeringSend(_ message: SIPMessage) {
        guard let state = steering, message.isResponse, let status = message.statusCode, status >= 300,
              let (request, token) = state.steering.noteForwardedResponse(message, now: EdgeClock.monotonicNow())
        else { return }
        ngSend(request, token: token)
    }

    /// For the `nat` policy on calls from the farm: is any live binding of the Request-URI's AOR NATed?
    private func calleeIsNATed(_ message: SIPMessage) -> Bool {
        guard let uri = try? message.requestURI, let aor = AddressOfRecord(uri: uri),
              case .found(let bindings) = registrar.lookup(aor, now: EdgeClock.wallNow()) else { return false }
        return bindings.contains { $0.nat.isNATed }
    }

    // MARK: ng

    func ngSend(_ request: MediaRelayRequest, token: UInt64) {
        guard let state = steering else { return }
        ngPerform(state.client.send(request, token: token, now: EdgeClock.monotonicNow()))
    }

    func steeringReceive(_ bytes: [UInt8], from address: SocketAddress) {
        guard let state = steering, let relay = state.relayIndex(of: address) else { return }
        ngPerform(state.client.receive(bytes, from: relay, now: EdgeClock.monotonicNow()))
    }

    private func ngPerform(_ actions: [MediaRelayClientAction]) {
        guard let state = steering else { return }
        for action in actions {
            switch action {
            case .transmit(let bytes, let relay):
                guard let channel = state.channel, let address = state.relayAddresses[relay] else {
                    state.sendFailures &+= 1
                    continue
                }
                channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: ByteBuffer(bytes: bytes)), promise: nil)
            case .completed(let token, let outcome):
                ngCompleted(token: token, outcome: outcome)
            case .relayStateChanged(let relay, let newState):
                logger.notice("media relay \(newState.rawValue)", metadata: ["relay": "\(state.client.relays[relay])"])
            }
        }
        rescheduleSteeringTimer()
    }

    /// Resumes the held message of `token`'s call with the relay's SDP (or unchanged), then the messages
    /// queued behind it until one needs the relay again.
    private func ngCompleted(token: UInt64, outcome: MediaRelayOutcome) {
        guard let state = steering, let callID = state.heldTokens.removeValue(forKey: token),
              var queue = state.held.removeValue(forKey: callID), !queue.isEmpty else { return }
        let now = EdgeClock.monotonicNow()
        let head = queue.removeFirst()
        let body = state.steering.complete(token: token, outcome: outcome, now: now)
        if body == nil, case .failed(let failure) = outcome {
            logger.warning("media steering: forwarding without relay", metadata: ["call-id": "\(callID)", "reason": "\(failure)"])
        }
        forward(head, body: body, now: now)
        while !queue.isEmpty {
            let next = queue.removeFirst()
            process(next, callID: callID, state: state)
            if state.held[callID] != nil {
                state.held[callID]?.append(contentsOf: queue)
                break
            }
        }
    }

    // MARK: Timer

    /// Keeps one scheduled task at the ng client's next deadline (retransmission, timeout, ping round).
    func rescheduleSteeringTimer() {
        guard let state = steering else { return }
        let next = state.client.nextDeadline
        guard next != state.timerAt else { return }
        state.timer?.cancel()
        state.timerAt = next
        guard let next else {
            state.timer = nil
            return
        }
        let deadline = NIODeadline.uptimeNanoseconds(UInt64(max(0, next.milliseconds)) &* 1_000_000)
        let bound = NIOLoopBound(self, eventLoop: loop)
        state.timer = loop.scheduleTask(deadline: deadline) {
            let core = bound.value
            guard let state = core.steering else { return }
            state.timer = nil
            state.timerAt = nil
            core.ngPerform(state.client.advance(to: EdgeClock.monotonicNow()))
        }
    }
}
