/// The control thread's side of `ICE: force`: keeping the ICE-lite agent's credentials in step with the
/// signalling, and answering the checks the workers hand over.
extension RelayServer {
    /// Takes the credentials the last ng command set or cleared (after its sockets were opened, so each maps to
    /// its stream).
    func applyICECredentialChanges() {
        let changes = handler.takeICECredentialChanges()
        guard !changes.isEmpty else { return }
        let executor = handler.executor
        iceAgent.apply(changes) { executor.stream(of: $0) }
        for change in changes {
            if change.credentials != nil { executor.iceSockets.insert(change.socket) }
            else { executor.iceSockets.remove(change.socket) }
        }
    }

    /// Forgets streams that were closed (calls deleted or timed out); once a second, from the clock.
    func pruneICECredentials() {
        let executor = handler.executor
        iceAgent.prune { socket, id in executor.stream(of: socket) == id }
        if !executor.iceSockets.isEmpty {
            executor.iceSockets = executor.iceSockets.filter { executor.stream(of: $0) != nil }
        }
    }

    /// Answers every STUN message waiting in the workers' inboxes, from the socket it arrived on. Checks are rare
    /// (a few per second per stream), so one `sendto` each is fine. A nominated check (verified, USE-CANDIDATE)
    /// from a source the stream has not latched to moves the latch there (`DataPlane.latch`): that is the pair
    /// the controlling peer chose, e.g. after a network change; nothing unauthenticated ever moves it.
    func answerICEChecks() {
        let executor = handler.executor
        let agent = iceAgent
        let plane = dataPlane
        var failedSends = 0
        plane.takeSTUNMessages { message in
            guard let answer = agent.answer(message), let fd = executor.descriptor(of: answer.socket) else { return }
            if !UDPSocket.send(answer.response, from: fd, to: message.source) { failedSends += 1 }
            if answer.nominated, plane.snapshot(of: message.stream).map({ $0.latch != .locked
                || $0.learnedSource != message.source }) ?? false {
                _ = try? plane.latch(message.stream, to: message.source)
            }
        }
        if failedSends > 0 {
            logger.debug("ICE check answers not sent", metadata: ["count": "\(failedSends)"])
        }
        let counters = iceAgent.counters
        metrics.state.withLock { $0.ice = counters }
    }
}
