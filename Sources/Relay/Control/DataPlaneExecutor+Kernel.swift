#if canImport(Glibc)
import Glibc
#endif

/// Kernel offload: once both sides of a forwarding rule are established in the userspace data plane, the rule is
/// handed to nftables (`KernelForwarder`) and the kernel forwards it; the userspace sockets stay bound, so
/// anything the kernel does not match (a new source, a stranger) still reaches the latching rules.
///
/// A rule is offloaded when all of these hold:
/// - both legs' latches are `locked` with a learned source (learning is over, so the kernel key — learned
///   source . relay socket — is final). One-way media therefore stays in userspace, also with rtpengine's
///   `unidirectional` flag (which asks to kernelize it): not implemented (see `LearningFlags.unidirectional`);
/// - neither side asked for `media handover` (it needs re-learning on every source change, which only userspace
///   does). `strict source` is offloaded: the key includes the source, so strangers miss the map and the
///   userspace socket drops them exactly as before;
/// - it is not rtcp-mux demux bridging: an RTCP rule with a multiplexed leg, or an RTP rule whose sides disagree
///   on multiplexing (userspace splits those by payload type). An RTP rule with both sides multiplexed carries
///   their RTCP too, as in userspace;
/// - the relay sockets are bound to a concrete address, and both relay sockets, both learned sources and both
///   destinations are of one family: IPv4 (table `ip`) or IPv6 (table `ip6`). A mixed-family call (one leg IPv4,
///   the other IPv6) stays in userspace: a header rewrite cannot change a packet's IP version;
/// - neither relay socket answers ICE checks (`iceSockets`, `ICE: force`): the kernel would forward the peer's
///   STUN (consent freshness every few seconds, RFC 7675) to the other leg unanswered, and the peer would stop
///   sending after 30 s. Those calls stay in userspace.
///
/// Taken back at once (elements removed in the same `execute`) when the session layer updates or removes the
/// rule: a re-offer/answer with a new address (the data plane resets learning for that leg), hold, new flags,
/// delete, timeout.
extension DataPlaneExecutor {
    /// Offloads every eligible rule not offloaded yet, in one batch (one netlink transaction). Returns the Call-IDs
    /// that got new kernel elements (for the journal). Three callers: right after a call's signalling (`callID`:
    /// only that call's rules, so a command costs O(its call)); the frequent check (`changedWithin`: only rules
    /// added or changed in the last that many milliseconds, so a stream is in the kernel a few tens of
    /// milliseconds after both sides locked, and rules that never qualify — unused RTCP, rtcp-mux demux — are
    /// not re-examined ten times a second); and the 1 s clock (every rule still pending). None looks at rules
    /// already offloaded.
    public func offloadEstablishedRules(at now: SessionTime, callID only: String? = nil,
                                        changedWithin recent: Int64? = nil) -> Set<String> {
        guard let kernel, !offloadPending.isEmpty else { return [] }
        var candidates: [ForwardingRule] = []
        if let only {
            candidates = (callRules[only] ?? []).compactMap { offloadPending[$0] != nil ? rules[$0] : nil }
        } else if let recent {
            // Nothing pending can have become eligible unless a latch locked or a rule changed since the last
            // frequent check: then this check is one read of the worker counters.
            guard recentOffloadGate.shouldRun(latchLocks: dataPlane.totals().latchLocks) else { return [] }
            let since = DataPlaneExecutor.monotonicMilliseconds() - recent
            for (id, changed) in offloadPending where changed >= since {
                if let rule = rules[id] { candidates.append(rule) }
            }
        } else {
            // The same gate for the clock's full check: rules that never qualify (an RTCP pair nobody sends on)
            // stay pending for the whole call, and re-examining 10,000 of them every second was 14 % of the
            // control thread with 5000 offloaded calls.
            guard fullOffloadGate.shouldRun(latchLocks: dataPlane.totals().latchLocks) else { return [] }
            candidates = offloadPending.keys.compactMap { rules[$0] }
        }
        // Cheap test first (both latches locked, two lock-free reads), so rules that never qualify — an RTCP pair
        // nobody sends on — cost little; the per-call rtcp-mux bookkeeping below runs only for the survivors.
        candidates.removeAll {
            offloaded[$0.id] != nil || !bothLocked($0) || iceSockets.contains($0.a.local)
                || iceSockets.contains($0.b.local)
        }
        guard !candidates.isEmpty else { return [] }
        // rtcp-mux demux is decided per call: the RTCP rules with a muxed leg (never offloaded, so always pending)
        // of the candidates' calls say which RTP sockets carry RTCP.
        var calls = Set<String>()
        for rule in candidates { if let call = call(of: rule.a.local) { calls.insert(call) } }
        var muxedSockets = Set<LocalSocket>()
        for call in calls {
            for id in callRules[call] ?? [] {
                guard let rule = rules[id], rule.kind == .rtcp else { continue }
                for leg in [rule.a, rule.b] where leg.muxed { muxedSockets.insert(leg.local) }
            }
        }
        var batch: [(ForwardingID, OffloadedRule)] = []
        for rule in candidates {
            let id = rule.id
            // Replies no longer wait for the workers inside `execute`: skip rules whose latest update (which may
            // reset learning) is not applied yet; the next check offloads them.
            guard isSettled(rule.a.local), isSettled(rule.b.local) else {
                recentOffloadGate.recheck()
                fullOffloadGate.recheck()
                continue
            }
            guard let entries = kernelEntries(for: rule, muxedSockets: muxedSockets),
                  let callID = call(of: rule.a.local) else { continue }
            batch.append((id, OffloadedRule(callID: callID, entries: entries, streams: [rule.a.stream, rule.b.stream])))
        }
        guard !batch.isEmpty else { return [] }
        do {
            try kernel.install(batch.flatMap(\.1.entries))
        } catch {
            kernelStatus.installErrors &+= 1
            kernelStatus.lastInstallError = "\(error)"
            fullOffloadGate.recheck()  // retried on the next clock tick
            return []
        }
        var offloadedCalls = Set<String>()
        var marks = kernel.marks(of: batch.flatMap { $0.1.entries.map(\.key) })[...]
        for (id, rule) in batch {
            offloaded[id] = rule
            offloadPending[id] = nil
            for (stream, entry) in zip(rule.streams, rule.entries) {
                let mark = marks.popFirst() ?? nil
                trackKernelLeg(stream, KernelLegCounters(key: entry.key, mark: mark ?? 0,
                                                         counters: KernelStreamCounters(packets: 0, bytes: 0),
                                                         lastChange: nil))
            }
            offloadedCalls.insert(rule.callID)
        }
        kernelStatus.offloadedStreams = kernelLegs.count
        return offloadedCalls
    }

    /// Reads every element's counters in one dump and notes which directions moved since the last read (their
    /// last packet becomes `now`, so a stream idle in the kernel still times out and a busy one does not).
    ///
    /// O(elements) by nature (one netlink dump), so kept to the minimum per element: the dump is walked in its C
    /// buffer and matched by mark (`kernelStreamByMark`), then one in-place update of the leg. No key, address
    /// array or dictionary is built per element; the carried totals are a running sum.
    public func refreshKernelCounters(at now: SessionTime) {
        guard let kernel, !kernelLegs.isEmpty else {
            kernelStatus.offloadedStreams = kernelLegs.count
            return
        }
        var packets = kernelCarriedTotal.packets
        var bytes = kernelCarriedTotal.bytes
        let elements: Int
        do {
            elements = try kernel.forEachLegCounter { mark, localPort, current in
                // `_modify` through the optional subscript: the leg is updated where it is stored.
                guard let stream = kernelStreamByMark[mark],
                      kernelLegs[stream]?.fold(current, localPort: localPort, at: now) == true else { return }
                packets &+= current.packets
                bytes &+= current.bytes
            }
        } catch {
            return
        }
        kernelDumpElements = elements
        kernelStatus.packets = packets
        kernelStatus.bytes = bytes
        kernelStatus.offloadedStreams = kernelLegs.count
    }

    /// Starts tracking an offloaded direction (and its mark, for the counter dump).
    func trackKernelLeg(_ stream: MediaStreamID, _ leg: KernelLegCounters) {
        if let previous = kernelLegs.updateValue(leg, forKey: stream), previous.mark != 0,
           kernelStreamByMark[previous.mark] == stream {
            kernelStreamByMark[previous.mark] = nil
        }
        if leg.mark != 0 { kernelStreamByMark[leg.mark] = stream }
    }

    /// After a restart: matches the elements found in the kernel (`KernelForwarder.adoptExisting`) with the rules
    /// of the calls restored from the journal. Matched rules count as offloaded (their counters continue); the
    /// elements nobody claims are removed. Returns the Call-IDs that were matched.
    public func adoptKernelEntries(_ entries: [KernelStreamEntry], at now: SessionTime) -> Set<String> {
        guard let kernel else { return [] }
        var byKey: [KernelStreamKey: KernelStreamEntry] = [:]
        var byLocal: [SocketEndpoint: KernelStreamEntry] = [:]
        for entry in entries {
            byKey[entry.key] = entry
            byLocal[entry.key.local] = entry
        }
        let counters = (try? kernel.readCounters()) ?? [:]
        var claimed = Set<KernelStreamKey>()
        var calls = Set<String>()
        for (id, rule) in rules where offloaded[id] == nil {
            guard let localA = DataPlaneExecutor.kernelEndpoint(rule.a.local),
                  let localB = DataPlaneExecutor.kernelEndpoint(rule.b.local),
                  let entryA = byLocal[localA], let entryB = byLocal[localB],
                  entryA.source == localB, entryB.source == localA,
                  let callID = call(of: rule.a.local) else { continue }
            offloaded[id] = OffloadedRule(callID: callID, entries: [entryA, entryB], streams: [rule.a.stream, rule.b.stream])
            offloadPending[id] = nil
            let marks = kernel.marks(of: [entryA.key, entryB.key])
            for ((stream, entry), mark) in zip([(rule.a.stream, entryA), (rule.b.stream, entryB)], marks) {
                trackKernelLeg(stream, KernelLegCounters(
                    key: entry.key, mark: mark ?? 0,
                    counters: counters[entry.key] ?? KernelStreamCounters(packets: 0, bytes: 0), lastChange: now))
                claimed.insert(entry.key)
            }
            calls.insert(callID)
        }
        let stale = byKey.keys.filter { !claimed.contains($0) }
        if !stale.isEmpty { try? kernel.remove(stale) }
        kernelStatus.offloadedStreams = kernelLegs.count
        return calls
    }

    /// Whether the rule of `stream` is forwarded by the kernel now.
    public func isInKernel(_ stream: MediaStreamID) -> Bool { kernelLegs[stream] != nil }

    // MARK: Internals

    /// Forgets that the kernel forwards `id` and queues its elements for removal (flushed once per `execute`).
    func takeBackFromKernel(_ id: ForwardingID) {
        guard let rule = offloaded.removeValue(forKey: id) else { return }
        for (stream, entry) in zip(rule.streams, rule.entries) {
            if let leg = kernelLegs.removeValue(forKey: stream) {
                if leg.mark != 0, kernelStreamByMark[leg.mark] == stream { kernelStreamByMark[leg.mark] = nil }
                var carried = kernelCarry[stream] ?? KernelStreamCounters(packets: 0, bytes: 0)
                carried.packets &+= leg.counters.packets
                carried.bytes &+= leg.counters.bytes
                kernelCarry[stream] = carried
                kernelCarriedTotal.packets &+= leg.counters.packets
                kernelCarriedTotal.bytes &+= leg.counters.bytes
            }
            pendingKernelRemovals.append(entry.key)
        }
        kernelStatus.offloadedStreams = kernelLegs.count
    }

    /// Removes the queued elements in one batch.
    func flushKernelRemovals() {
        guard !pendingKernelRemovals.isEmpty else { return }
        let keys = pendingKernelRemovals
        pendingKernelRemovals.removeAll(keepingCapacity: true)
        do {
            try kernel?.remove(keys)
        } catch {
            kernelStatus.installErrors &+= 1
            kernelStatus.lastInstallError = "remove: \(error)"
        }
    }

    /// Adds the kernel's share to a stream's report: packets and payload bytes (the kernel counts whole
    /// datagrams: 28 bytes of IPv4 and UDP header each, 48 for IPv6), the later of the two last-packet times, the
    /// learned source from the element's key when userspace has none (after a restart), and `inKernel`.
    func withKernel(_ report: MediaStreamReport) -> MediaStreamReport {
        var report = report
        var extra = kernelCarry[report.stream] ?? KernelStreamCounters(packets: 0, bytes: 0)
        // The stream's family: its element's key, else its learned source (a stream keeps its family).
        var ipv6 = false
        if case .v6? = report.learned?.address { ipv6 = true }
        if let leg = kernelLegs[report.stream] {
            ipv6 = leg.key.peer.family == AF_INET6
            extra.packets &+= leg.counters.packets
            extra.bytes &+= leg.counters.bytes
            report.inKernel = true
            if let change = leg.lastChange, change > (report.lastPacket ?? SessionTime(microseconds: .min)) {
                report.lastPacket = change
            }
            if report.learned == nil { report.learned = DataPlaneExecutor.mediaEndpoint(leg.key.peer) }
        }
        guard extra.packets > 0 || extra.bytes > 0 else { return report }
        let headers = extra.packets.multipliedReportingOverflow(by: ipv6 ? 48 : 28).partialValue
        report.counters.packets &+= extra.packets
        report.counters.bytes &+= extra.bytes >= headers ? extra.bytes - headers : 0
        return report
    }

    /// The two kernel entries for `rule`, or nil while it must stay in userspace.
    func kernelEntries(for rule: ForwardingRule, muxedSockets: Set<LocalSocket>) -> [KernelStreamEntry]? {
        if rule.kind == .rtcp && (rule.a.muxed || rule.b.muxed) { return nil }
        if rule.kind == .rtp && muxedSockets.contains(rule.a.local) != muxedSockets.contains(rule.b.local) { return nil }
        if rule.a.learning.contains(.mediaHandover) || rule.b.learning.contains(.mediaHandover) { return nil }
        guard let idA = stream(of: rule.a.local), let idB = stream(of: rule.b.local),
              let snapshotA = dataPlane.snapshot(of: idA), let snapshotB = dataPlane.snapshot(of: idB),
              snapshotA.latch == .locked, snapshotB.latch == .locked,
              let learnedA = snapshotA.learnedSource, let learnedB = snapshotB.learnedSource,
              let localA = DataPlaneExecutor.kernelEndpoint(rule.a.local),
              let localB = DataPlaneExecutor.kernelEndpoint(rule.b.local) else { return nil }
        // One family throughout (the kernel tables are per family); a mixed-family call stays in userspace.
        let family = localA.family
        guard family == AF_INET || kernel?.offloadsIPv6 == true,
              localB.family == family, learnedA.family == family, learnedB.family == family,
              DataPlaneExecutor.isOffloadable(learnedA), DataPlaneExecutor.isOffloadable(learnedB) else { return nil }
        // Where each side's packets go is what the data plane would pick: the learned source, or the advertised
        // endpoint for an asymmetric side.
        func destination(_ leg: ForwardingLeg, learned: SocketEndpoint) -> SocketEndpoint? {
            guard leg.learning.contains(.asymmetric) else { return learned }
            guard let advertised = leg.destination.flatMap(DataPlaneExecutor.socketEndpoint),
                  advertised.family == family, DataPlaneExecutor.isOffloadable(advertised) else { return nil }
            return advertised
        }
        guard let toB = destination(rule.b, learned: learnedB), let toA = destination(rule.a, learned: learnedA),
              !DataPlaneExecutor.isLoopback(toA), !DataPlaneExecutor.isLoopback(toB) else {
            return nil
        }
        return [KernelStreamEntry(key: KernelStreamKey(peer: learnedA, local: localA), source: localB, destination: toB),
                KernelStreamEntry(key: KernelStreamKey(peer: learnedB, local: localB), source: localA, destination: toA)]
    }

    /// Both sides' latches are locked (learning is over): the first condition of `kernelEntries`, read without
    /// building anything.
    func bothLocked(_ rule: ForwardingRule) -> Bool {
        guard let idA = stream(of: rule.a.local), let idB = stream(of: rule.b.local) else { return false }
        return dataPlane.snapshot(of: idA)?.latch == .locked && dataPlane.snapshot(of: idB)?.latch == .locked
    }

    /// 127/8 and ::1 are delivered locally after the prerouting rewrite and never reach postrouting, so the source
    /// would not be rewritten: such streams stay in userspace.
    static func isLoopback(_ endpoint: SocketEndpoint) -> Bool {
        if endpoint.family == AF_INET6 { return endpoint.high == 0 && endpoint.low == 1 }
        return endpoint.low >> 24 == 127
    }

    /// Whether the kernel tables can match or write this address: an IPv4 address, or an IPv6 one that is neither
    /// link-local (fe80::/10: the key has no zone, and the kernel never forwards link-local traffic) nor
    /// IPv4-mapped (::ffff:0:0/96: on the wire that is an IPv4 packet, which the `ip6` table never sees).
    static func isOffloadable(_ endpoint: SocketEndpoint) -> Bool {
        let bytes = endpoint.addressBytes
        if endpoint.family == AF_INET { return bytes.count == 4 }
        guard endpoint.family == AF_INET6, bytes.count == 16 else { return false }
        if bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 { return false }
        if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff { return false }
        return true
    }

    /// CLOCK_MONOTONIC in milliseconds (when a rule became pending).
    static func monotonicMilliseconds() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec / 1_000_000)
    }

    /// A relay socket as the kernel sees it: a concrete IPv4 or IPv6 address (not a wildcard, not link-local or
    /// IPv4-mapped), else nil.
    static func kernelEndpoint(_ socket: LocalSocket) -> SocketEndpoint? {
        guard !socket.address.isUnspecified,
              let endpoint = SocketEndpoint(address: socket.address.description, port: socket.port),
              isOffloadable(endpoint) else { return nil }
        return endpoint
    }
}
