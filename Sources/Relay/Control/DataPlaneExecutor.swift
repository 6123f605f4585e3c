import CShims
#if canImport(Glibc)
import Glibc
#endif

/// Carries out the session layer's `DataPlaneAction`s against the real `DataPlane`: binds one UDP socket per
/// `LocalSocket` on the interface address, registers it as a stream, and turns each `ForwardingRule` leg into the
/// socket's forwarding entry.
///
/// Worker placement: streams that forward to each other must live on one worker (the data plane rejects anything
/// else, which keeps the hot path free of cross-thread reads). All sockets of one call therefore go on one worker:
/// the first socket picks the least loaded worker, the rest follow it (`addStream(fd:worker:)`), which covers the
/// RTP/RTCP pair and both legs of every rule.
///
/// rtcp-mux: an RTCP leg multiplexed on its RTP socket gets no entry of its own — the RTP rule already points that
/// socket at its peer. When both sides are muxed that is all (RTP and RTCP share both sockets). When one side is
/// muxed and the other is not (`rtcp-mux: demux`), the non-muxed RTCP socket forwards to the muxed socket like any
/// peer, and the muxed socket's entry gets `rtcpPeer` = the other side's RTCP socket, so the data plane sends RTCP
/// (RFC 5761 §4) from there to that side's RTCP endpoint while RTP keeps leaving from the RTP socket. The two rules
/// can change independently, so the muxed socket's entry is rebuilt from its RTP rule's last entry plus the
/// current RTCP demux target (`rtcpDemux`).
///
/// Only the control thread calls this (it is not Sendable).
public final class DataPlaneExecutor: MediaPlaneExecutor {
    public let dataPlane: DataPlane
    /// The learning window every stream's forwarding entry carries (`learning-window`, `learning-packets`); both
    /// engines read it from the shared stream table.
    public var learningWindow = LearningWindow.standard
    /// Socket receive/send buffer size passed to `UDPSocket.bind`.
    public var socketBufferBytes: Int32?

    /// Every open socket and what the executor knows of it (`OpenSocket`): one dictionary, so that a look-up is
    /// one hash (there were five tables keyed by `LocalSocket`, each hashed per forwarding leg; issue 3).
    var openSockets: [LocalSocket: OpenSocket] = [:]
    /// Freed ports' sockets kept for their next allocation (see `StreamSocketPool`).
    var socketPool = StreamSocketPool()
    /// Whether freed ports keep their socket (on by default; off binds and closes every time, as before).
    public var keepsFreedSockets = true
    /// Descriptors the relay's sockets (open and kept) may hold: a freed socket is closed instead of kept once
    /// open + kept reach it, so that kept sockets never take the descriptors that new calls, the ng listener or
    /// the metrics endpoint need when RLIMIT_NOFILE is below the port range (the relay sets it from the limit).
    public var descriptorBudget = Int.max
    private var callWorkers: [String: (worker: Int, sockets: Int)] = [:]
    /// Sockets removed from the data plane whose close has not been confirmed yet (io_uring closes
    /// asynchronously); a re-bind of the same port waits for it. Only when `keepsFreedSockets` is off.
    private var removing: [LocalSocket: StreamID] = [:]
    var rules: [ForwardingID: ForwardingRule] = [:]
    /// Session streams with a socket of their own (non-muxed legs), for reports.
    /// Muxed socket → the non-muxed RTCP socket its RTCP leaves from (one-sided rtcp-mux).
    private var rtcpDemux: [LocalSocket: LocalSocket] = [:]
    private var mediaStreams: [MediaStreamID: LocalSocket] = [:]
    /// What `reports(at:)` last handed out per stream, so unchanged streams are skipped.
    private var lastReported: [MediaStreamID: ReportInputs] = [:]

    /// The kernel path, when active: established rules are offloaded to it (see DataPlaneExecutor+Kernel.swift).
    public var kernel: KernelForwarder?
    /// Rules the kernel forwards now.
    var offloaded: [ForwardingID: OffloadedRule] = [:]
    /// Per offloaded direction: its kernel counters as last read.
    var kernelLegs: [MediaStreamID: KernelLegCounters] = [:]
    /// Kernel counts of directions already taken back, so a stream's totals never go down (forgotten with the
    /// stream's rule).
    var kernelCarry: [MediaStreamID: KernelStreamCounters] = [:]
    /// The sum of every count ever carried (`kernelStatus` counts the kernel's packets since start, including
    /// calls long gone), kept as a running sum so the counter dump does not walk `kernelCarry`.
    var kernelCarriedTotal = KernelStreamCounters(packets: 0, bytes: 0)
    /// Offloaded direction by its element's mark, so the counter dump is folded in without building a key per
    /// element (`KernelForwarder.forEachLegCounter`).
    var kernelStreamByMark: [UInt32: MediaStreamID] = [:]
    /// The rules of each call (for the offload check right after that call's signalling).
    var callRules: [String: Set<ForwardingID>] = [:]
    /// Rules not offloaded yet, with the monotonic millisecond at which they were last added or changed: the
    /// offload checks look only here (never at all rules), and the frequent check only at recent entries.
    var offloadPending: [ForwardingID: Int64] = [:]
    /// The monotonic millisecond at which a rule last became pending (0: never). The control thread keeps its
    /// full priority while this is recent (`RelayServer.controlThreadNice(latestPendingChange:now:)`).
    public internal(set) var latestOffloadPendingChange: Int64 = 0
    /// Gates of the frequent check (recent rules) and of the clock's full check (every pending rule): without a
    /// new latch lock or a rule change since a check, nothing pending can have become eligible, so the check
    /// costs one read of the worker counters.
    var recentOffloadGate = OffloadCheckGate()
    var fullOffloadGate = OffloadCheckGate()
    /// Elements in the last counter dump (ours and any others in the table): what the next dump will cost.
    var kernelDumpElements = 0
    /// Kernel elements to remove at the end of the current `execute` (one batch).
    var pendingKernelRemovals: [KernelStreamKey] = []
    /// Counts for metrics and `statistics`.
    public internal(set) var kernelStatus = KernelOffloadStatus()

    /// Failures the data plane reported for forwarding updates (should stay 0).
    public private(set) var forwardingErrors = 0
    /// Binds that failed.
    public private(set) var bindFailures = 0

    public init(dataPlane: DataPlane, socketBufferBytes: Int32? = 1 << 20) {
        self.dataPlane = dataPlane
        self.socketBufferBytes = socketBufferBytes
    }

    /// Sockets currently open.
    public var openSocketCount: Int { openSockets.count }

    /// Sockets that answer ICE checks (`ICE: force`): never offloaded to the kernel, which cannot answer STUN.
    /// Kept by the relay's control thread in step with its `ICELiteAgent`.
    public var iceSockets = Set<LocalSocket>()

    /// The data plane stream of an open socket.
    public func stream(of socket: LocalSocket) -> StreamID? { openSockets[socket]?.stream }

    /// The data plane stream of every open socket (tests; the ng path looks up single sockets).
    var streams: [LocalSocket: StreamID] { openSockets.mapValues(\.stream) }

    /// The call (`callID ?? ""` at open) an open socket belongs to.
    func call(of socket: LocalSocket) -> String? { openSockets[socket]?.call }

    /// The descriptor of an open socket (control may send on it: UDP sends from two threads are fine).
    func descriptor(of socket: LocalSocket) -> Int32? { openSockets[socket]?.kept.fd }

    /// Freed ports' sockets currently kept open for reuse.
    public var keptSocketCount: Int { socketPool.count }
    /// Sockets handed out again from the pool instead of binding a new one.
    public var reusedSocketCount: UInt64 { socketPool.reused }
    /// Datagrams that reached a freed port's kept socket and were dropped before its reuse.
    public var strayDatagramCount: UInt64 { socketPool.strayDatagrams }

    /// Closes every kept socket. Call after `dataPlane.stop()` returned (the relay's clean stop), so that sockets
    /// whose removal the workers never confirmed are closed too.
    public func closeKeptSockets() {
        let plane = dataPlane
        socketPool.closeAll(isRemoved: { plane.isRemoved($0) }, force: plane.isStopped)
    }

    deinit { closeKeptSockets() }

    /// Per worker, the last command queued since `takeUnacknowledged()` was last called.
    private var pendingTickets: [Int: CommandTicket] = [:]

    /// Parks the kept sockets of freed ports that rested through a whole clock tick (`StreamSocketPool.parkRested`);
    /// the control loop calls it once a second.
    public func parkRestedSockets() {
        socketPool.parkRested()
    }

    /// True once the worker applied the socket's last forwarding update (`OpenSocket.unsettled`).
    func isSettled(_ socket: LocalSocket) -> Bool {
        guard let ticket = openSockets[socket]?.unsettled else { return true }
        guard dataPlane.isApplied(ticket) else { return false }
        openSockets[socket]?.unsettled = nil
        return true
    }

    /// Carries out `actions` without waiting for the workers: the commands are queued, and the tickets that say
    /// when they are applied collect until `takeUnacknowledged()`. The ng driver holds the reply until they are
    /// applied, so that by the time it leaves, media sent to the new ports is already forwarded — without the
    /// control thread ever blocking on a worker.
    public func execute(_ actions: [DataPlaneAction], callID: String?) -> [LocalSocket] {
        defer { flushKernelRemovals() }
        var failed: [LocalSocket] = []
        let plane = dataPlane
        if !removing.isEmpty {
            for (socket, id) in removing where plane.isRemoved(id) { removing[socket] = nil }
        }
        socketPool.settle(isRemoved: { plane.isRemoved($0) })
        for action in actions {
            switch action {
            case .openPort(let socket):
                if !open(socket, callID: callID) { failed.append(socket) }
            case .addForwarding(let rule), .updateForwarding(let rule):
                // Any change to an offloaded rule (new address, flags, hold) goes back through userspace, which
                // re-learns where needed; the next check offloads it again once both sides are locked.
                takeBackFromKernel(rule.id)
                if kernel != nil {
                    let changed = DataPlaneExecutor.monotonicMilliseconds()
                    offloadPending[rule.id] = changed
                    latestOffloadPendingChange = changed
                    recentOffloadGate.recheck()
                    fullOffloadGate.recheck()
                }
                let previous = rules[rule.id]
                rules[rule.id] = rule
                if let owner = callID ?? call(of: rule.a.local) { callRules[owner, default: []].insert(rule.id) }
                apply(rule, previous: previous)
            case .removeForwarding(let id):
                takeBackFromKernel(id)
                offloadPending[id] = nil
                if let rule = rules.removeValue(forKey: id) {
                    if let owner = callID ?? call(of: rule.a.local) {
                        callRules[owner]?.remove(id)
                        if callRules[owner]?.isEmpty == true { callRules[owner] = nil }
                    }
                    detach(rule)
                }
            case .closePort(let socket):
                close(socket)
            }
        }
        return failed
    }

    /// The tickets of every command queued since the last call (one per worker: commands to a worker apply in
    /// order), and forgets them. A reply that depends on them is sent once `DataPlane.isApplied` holds for all.
    public func takeUnacknowledged() -> [CommandTicket] {
        guard !pendingTickets.isEmpty else { return [] }
        defer { pendingTickets.removeAll(keepingCapacity: true) }
        return Array(pendingTickets.values)
    }

    /// Waits (bounded by `timeout` per worker) until every command queued so far is applied. For callers
    /// without an event loop (shutdown); the control loop uses `takeUnacknowledged()` instead.
    public func waitForWorkers(timeout: Duration = .milliseconds(250)) {
        for ticket in takeUnacknowledged() { _ = dataPlane.waitUntilApplied(ticket, timeout: timeout) }
    }

    private func open(_ socket: LocalSocket, callID: String?) -> Bool {
        if openSockets[socket] != nil { return true }
        if let pending = removing.removeValue(forKey: socket) { _ = dataPlane.waitUntilRemoved(pending) }
        let plane = dataPlane
        let kept: StreamSocketPool.Kept
        if let reused = socketPool.take(socket, waitUntilRemoved: { plane.waitUntilRemoved($0) }) {
            kept = reused
        } else {
            let endpoint = SocketEndpoint(socket.endpoint)
            let fd: Int32
            do {
                fd = try bind(endpoint)
            } catch {
                bindFailures += 1
                return false
            }
            kept = StreamSocketPool.Kept(fd: fd, local: endpoint)
        }
        let fd = kept.fd
        let key = callID ?? ""
        let worker = callWorkers[key]?.worker
        do {
            let id = try dataPlane.addStream(fd: fd, family: kept.local.family, worker: worker)
            openSockets[socket] = OpenSocket(stream: id, kept: kept, call: key)
            let owner = worker ?? dataPlane.worker(of: id) ?? 0
            callWorkers[key] = (owner, (callWorkers[key]?.sockets ?? 0) + 1)
            return true
        } catch {
            Glibc.close(fd)
            bindFailures += 1
            return false
        }
    }

    /// Binds a new socket; when the process is out of descriptors, closes some kept sockets and tries once more.
    private func bind(_ endpoint: SocketEndpoint) throws(DataPlaneError) -> Int32 {
        do {
            return try UDPSocket.bind(endpoint, bufferBytes: socketBufferBytes)
        } catch .systemCall(_, let error) where (error == EMFILE || error == ENFILE) && !socketPool.idle.isEmpty {
            socketPool.evict(limit: 256)
            return try UDPSocket.bind(endpoint, bufferBytes: socketBufferBytes)
        }
    }

    private func close(_ socket: LocalSocket) {
        guard let open = openSockets.removeValue(forKey: socket) else { return }
        let id = open.stream
        let kept = open.kept
        let keep = keepsFreedSockets && openSockets.count + socketPool.count < descriptorBudget
        if let ticket = try? dataPlane.removeStream(id, detach: keep) {
            if keep {
                socketPool.detached(socket, kept: kept, stream: id)
            } else {
                removing[socket] = id
            }
            // The reply to a delete leaves only once the worker has stopped forwarding from this socket.
            pendingTickets[ticket.worker] = ticket
        }
        if !rtcpDemux.isEmpty { rtcpDemux[socket] = nil }
        if let entry = callWorkers[open.call] {
            callWorkers[open.call] = entry.sockets > 1 ? (entry.worker, entry.sockets - 1) : nil
        }
    }

    /// Both legs of a rule; a leg at a time, without building an array of legs per rule (issue 3).
    private func apply(_ rule: ForwardingRule, previous: ForwardingRule?) {
        apply(rule.a, other: rule.b, before: previous?.a, kind: rule.kind)
        apply(rule.b, other: rule.a, before: previous?.b, kind: rule.kind)
    }

    private func apply(_ leg: ForwardingLeg, other: ForwardingLeg, before: ForwardingLeg?, kind: StreamKind) {
        if leg.muxed && kind == .rtcp {
            // One-sided mux: this side's RTCP arrives on its RTP socket and must leave from the other side's
            // RTCP socket. Both muxed: the RTP rule covers everything.
            if !other.muxed { setRTCPDemux(of: leg.local, to: other.local) }
            return
        }
        mediaStreams[leg.stream] = leg.local
        guard let id = openSockets[leg.local]?.stream, let peer = openSockets[other.local]?.stream else { return }
        let forwarding = Forwarding(
            peer: peer, advertised: leg.destination.flatMap(DataPlaneExecutor.socketEndpoint),
            flags: DataPlaneExecutor.flags(leg.learning), learningWindow: learningWindow,
            resetLearning: before != nil && before?.destination != leg.destination)
        send(forwarding, to: leg.local, stream: id)
    }

    private func detach(_ rule: ForwardingRule) {
        detach(rule.a, other: rule.b, kind: rule.kind)
        detach(rule.b, other: rule.a, kind: rule.kind)
    }

    private func detach(_ leg: ForwardingLeg, other: ForwardingLeg, kind: StreamKind) {
        if leg.muxed && kind == .rtcp {
            if !other.muxed, rtcpDemux[leg.local] == other.local { setRTCPDemux(of: leg.local, to: nil) }
            return
        }
        mediaStreams[leg.stream] = nil
        if !lastReported.isEmpty { lastReported[leg.stream] = nil }
        if !kernelCarry.isEmpty { kernelCarry[leg.stream] = nil }
        guard let id = openSockets[leg.local]?.stream else { return }
        send(Forwarding(), to: leg.local, stream: id)
    }

    /// Sets (or clears) where a muxed socket's RTCP leaves from and re-sends its entry when it has one.
    private func setRTCPDemux(of muxed: LocalSocket, to target: LocalSocket?) {
        guard rtcpDemux[muxed] != target else { return }
        rtcpDemux[muxed] = target
        guard let open = openSockets[muxed], var forwarding = open.lastForwarding else { return }
        let id = open.stream
        forwarding.resetLearning = false
        send(forwarding, to: muxed, stream: id)
    }

    /// Queues `forwarding` (plus the socket's current RTCP demux target) for the socket's stream `id`.
    private func send(_ forwarding: Forwarding, to socket: LocalSocket, stream id: StreamID) {
        var stored = forwarding
        stored.resetLearning = false
        var entry = forwarding
        // Demux targets exist only with one-sided rtcp-mux: skip the lookup (a hash) when there are none.
        entry.rtcpPeer = rtcpDemux.isEmpty ? nil : rtcpDemux[socket].flatMap { openSockets[$0]?.stream }
        var ticket: CommandTicket?
        do {
            let queued = try dataPlane.updateForwarding(id, entry)
            pendingTickets[queued.worker] = queued
            ticket = queued
        } catch {
            forwardingErrors += 1
        }
        // One look-up for both fields (the socket is open: `id` came from its entry).
        openSockets[socket]?.sent(stored, ticket: ticket)
    }

    public func report(for stream: MediaStreamID, at now: SessionTime) -> MediaStreamReport? {
        guard let socket = mediaStreams[stream], let id = openSockets[socket]?.stream,
              let snapshot = dataPlane.snapshot(of: id) else { return nil }
        return withKernel(report(stream, snapshot, now: now, monotonicNow: tdm_coarse_now_ns()))
    }

    /// Reports of the streams whose view changed since the last call (counters, last packet, learned source,
    /// kernel state): O(streams), for ng `statistics` only. The clock pulls single streams (`report(for:at:)`) of
    /// the calls that are due; a walk like this one every second was most of the relay's CPU with 10,000 offloaded
    /// streams (issue 4).
    public func reports(at now: SessionTime) -> [MediaStreamReport] {
        let monotonicNow = tdm_coarse_now_ns()
        var result: [MediaStreamReport] = []
        for (stream, socket) in mediaStreams {
            guard let id = openSockets[socket]?.stream, let snapshot = dataPlane.snapshot(of: id) else { continue }
            // Compared before the report is built: with thousands of offloaded streams, building (and converting
            // addresses for) every report once a second only to find it unchanged was most of the clock's work.
            let leg = kernelLegs[stream]
            let inputs = ReportInputs(counters: snapshot.counters, learned: snapshot.learnedSource,
                                      carry: kernelCarry[stream], kernelCounters: leg?.counters,
                                      kernelLastChange: leg?.lastChange, kernelPeer: leg?.key.peer)
            if lastReported[stream] == inputs { continue }
            lastReported[stream] = inputs
            result.append(withKernel(report(stream, snapshot, now: now, monotonicNow: monotonicNow)))
        }
        if lastReported.count > 2 * mediaStreams.count + 1024 {
            lastReported = lastReported.filter { mediaStreams[$0.key] != nil }
        }
        return result
    }

    private func report(_ stream: MediaStreamID, _ snapshot: StreamSnapshot, now: SessionTime,
                        monotonicNow: UInt64) -> MediaStreamReport {
        let counters = snapshot.counters
        var lastPacket: SessionTime?
        if counters.lastPacketNanoseconds != 0 {
            // The data plane stamps packets with the coarse monotonic clock; the session layer keeps wall time.
            let age = monotonicNow >= counters.lastPacketNanoseconds ? monotonicNow - counters.lastPacketNanoseconds : 0
            let ageMicroseconds = Int64(clamping: age / 1000)
            lastPacket = SessionTime(microseconds: now.microseconds &- ageMicroseconds)
        }
        return MediaStreamReport(
            stream: stream,
            counters: MediaCounters(packets: counters.packetsReceived, bytes: counters.bytesReceived,
                                    errors: counters.errors),
            lastPacket: lastPacket, learned: snapshot.learnedSource.map(DataPlaneExecutor.mediaEndpoint))
    }

    static func flags(_ learning: LearningFlags) -> ForwardingFlags {
        var flags: ForwardingFlags = []
        if learning.contains(.asymmetric) { flags.insert(.asymmetric) }
        if learning.contains(.strictSource) { flags.insert(.strictSource) }
        if learning.contains(.mediaHandover) { flags.insert(.mediaHandover) }
        return flags
    }

    static func socketEndpoint(_ endpoint: MediaEndpoint) -> SocketEndpoint? {
        SocketEndpoint(endpoint)
    }

    /// A kernel address as the session layer's value; IPv4-mapped IPv6 sources become IPv4.
    static func mediaEndpoint(_ endpoint: SocketEndpoint) -> MediaEndpoint {
        if endpoint.family == AF_INET {
            return MediaEndpoint(address: .v4(UInt32(truncatingIfNeeded: endpoint.low)), port: endpoint.port)
        }
        guard endpoint.family == AF_INET6 else { return MediaEndpoint(address: .v4(0), port: endpoint.port) }
        if endpoint.high == 0 && endpoint.low >> 32 == 0xFFFF {
            return MediaEndpoint(address: .v4(UInt32(truncatingIfNeeded: endpoint.low)), port: endpoint.port)
        }
        return MediaEndpoint(address: .v6(high: endpoint.high, low: endpoint.low), port: endpoint.port)
    }
}

/// A stream's report as last handed to the session layer, minus the wall-clock conversion of the last-packet time
/// (recomputed each time from the monotonic stamp, so compared by the stamp itself).
/// Everything a stream's report is made from (`report` and `withKernel`): equal inputs give an equal report.
private struct ReportInputs: Equatable {
    var counters: StreamCounters
    var learned: SocketEndpoint?
    var carry: KernelStreamCounters?
    var kernelCounters: KernelStreamCounters?
    var kernelLastChange: SessionTime?
    var kernelPeer: SocketEndpoint?
}
