import Relay

/// The ng client to a set of relays, sans-I/O: requests and received datagrams in, datagrams to send and
/// completions out, time injected (`advance(to:)` at `nextDeadline`).
///
/// - Each request gets a cookie; a copy is re-sent with the SAME cookie every `retransmitMilliseconds`
///   (a relay's cookie cache answers a duplicate without doing the command twice), `attemptsPerRelay` times.
/// - A relay that does not answer counts a failure; a new call's `offer` then moves to the next relay
///   (weighted choice among the healthy ones not tried yet). Requests of a call that already has a relay
///   stay on it: another relay does not know the call.
/// - Health: every relay gets an ng `ping` every `pingIntervalMilliseconds`; `failuresToDown` failures in a
///   row mark it down (no new calls), `successesToUp` pongs in a row bring it back.
/// - The relay that answered a call's first offer is pinned to the Call-ID until `forget(callID:)`.
public struct MediaRelayClient {
    public private(set) var relays: [MediaRelay]
    public private(set) var health: [MediaRelayHealth]
    public var settings: MediaRelayClientSettings
    /// Call-ID → relay index, from the first successful offer until the call is forgotten.
    public private(set) var callRelays: [String: MediaRelayIndex] = [:]
    public private(set) var requestCounts: [MediaRelayRequestKey: UInt64] = [:]

    struct Pending {
        var token: UInt64?
        var request: MediaRelayRequest
        var bytes: [UInt8]
        var relay: MediaRelayIndex
        var tried: Set<MediaRelayIndex>
        var attemptsLeft: Int
        var nextAt: SIPInstant
        var pinned: Bool
    }

    var pending: [[UInt8]: Pending] = [:]
    var nextPingAt: SIPInstant
    var random: SplitMix64Generator
    let cookiePrefix: String
    var cookieCounter: UInt64 = 0

    public init(relays: [MediaRelay], settings: MediaRelayClientSettings = MediaRelayClientSettings(), now: SIPInstant,
                seed: UInt64 = UInt64.random(in: 0...UInt64.max))
    {
        self.relays = relays
        self.health = relays.map { _ in MediaRelayHealth() }
        self.settings = settings
        self.nextPingAt = now
        self.random = SplitMix64Generator(seed: seed)
        self.cookiePrefix = String(seed & 0xFFFF_FFFF, radix: 16) + "_"
    }

    /// Outstanding requests (pings included).
    public var pendingCount: Int { pending.count }

    /// When `advance(to:)` next has work: the next retransmission/timeout or ping round.
    public var nextDeadline: SIPInstant? {
        guard !relays.isEmpty else { return nil }
        var next = nextPingAt
        for entry in pending.values where entry.nextAt < next { next = entry.nextAt }
        return next
    }

    // MARK: Requests

    /// Sends `request`; its completion comes back as `.completed(token:…)`, possibly from a later call.
    public mutating func send(_ request: MediaRelayRequest, token: UInt64, now: SIPInstant) -> [MediaRelayClientAction] {
        let pinnedRelay = request.callID.flatMap { callRelays[$0] }
        guard let relay = pinnedRelay ?? pickRelay(excluding: []) else {
            count(request.command, "no_relay")
            return [.completed(token: token, .failed(.noRelayAvailable))]
        }
        let cookie = nextCookie()
        let entry = Pending(token: token, request: request, bytes: request.encoded(cookie: cookie), relay: relay,
                            tried: [relay], attemptsLeft: settings.attemptsPerRelay - 1,
                            nextAt: now + settings.retransmitMilliseconds, pinned: pinnedRelay != nil)
        pending[cookie] = entry
        return [.transmit(entry.bytes, to: relay)]
    }

    /// Unpins a call (after its delete).
    public mutating func forget(callID: String) { callRelays[callID] = nil }

    /// Pins a call to a relay (a call that already has one, e.g. after a reload).
    public mutating func pin(callID: String, to relay: MediaRelayIndex) { callRelays[callID] = relay }

    /// A datagram from relay `relay`'s ng socket. Replies from another relay than the one a request is
    /// waiting for are ignored (that relay was given up on; the request moved on).
    public mutating func receive(_ bytes: [UInt8], from relay: MediaRelayIndex, now: SIPInstant) -> [MediaRelayClientAction] {
        guard let message = try? NGMessage(decoding: bytes), let entry = pending[message.cookie], entry.relay == relay
        else { return [] }
        pending[message.cookie] = nil
        if entry.request.command == .delete, let callID = entry.request.callID { callRelays[callID] = nil }
        var actions: [MediaRelayClientAction] = []
        if health.indices.contains(relay), health[relay].recordSuccess(successesToUp: entry.token == nil ? settings.successesToUp : 1) {
            actions.append(.relayStateChanged(relay, .up))
        }
        guard let token = entry.token else { return actions }
        let result = message.dictionary["result"]?.stringValue ?? ""
        if result == "ok" || result == "pong" {
            count(entry.request.command, "ok")
            if entry.request.command == .offer, let callID = entry.request.callID { callRelays[callID] = relay }
            actions.append(.completed(token: token, .reply(message.dictionary, relay: relay)))
        } else {
            count(entry.request.command, "error")
            let reason = message.dictionary["error-reason"]?.stringValue ?? result
            actions.append(.completed(token: token, .failed(.errorReply(reason))))
        }
        return actions
    }

    // MARK: Time

    /// Retransmits, gives up on silent relays (failing over), and sends the ping round when due.
    public mutating func advance(to now: SIPInstant) -> [MediaRelayClientAction] {
        var actions: [MediaRelayClientAction] = []
        let due = pending.filter { $0.value.nextAt <= now }.sorted { $0.value.nextAt < $1.value.nextAt }
        for (cookie, var entry) in due {
            if entry.attemptsLeft > 0 {
                entry.attemptsLeft -= 1
                entry.nextAt = now + settings.retransmitMilliseconds
                pending[cookie] = entry
                actions.append(.transmit(entry.bytes, to: entry.relay))
                continue
            }
            pending[cookie] = nil
            actions += failure(of: entry.relay)
            guard let token = entry.token else { continue }
            // A new call's request moves on to another relay, same cookie (each relay caches its own).
            if !entry.pinned, let next = pickRelay(excluding: entry.tried) {
                entry.relay = next
                entry.tried.insert(next)
                entry.attemptsLeft = settings.attemptsPerRelay - 1
                entry.nextAt = now + settings.retransmitMilliseconds
                pending[cookie] = entry
                actions.append(.transmit(entry.bytes, to: next))
            } else {
                if entry.request.command == .delete, let callID = entry.request.callID { callRelays[callID] = nil }
                count(entry.request.command, "timeout")
                actions.append(.completed(token: token, .failed(.timedOut)))
            }
        }
        if now >= nextPingAt {
            nextPingAt = now + settings.pingIntervalMilliseconds
            let pinging = Set(pending.values.filter { $0.token == nil }.map(\.relay))
            for index in relays.indices where !pinging.contains(index) {
                let cookie = nextCookie()
                let bytes = MediaRelayRequest.ping.encoded(cookie: cookie)
                pending[cookie] = Pending(token: nil, request: .ping, bytes: bytes, relay: index, tried: [index], attemptsLeft: 0,
                                          nextAt: now + settings.pingTimeoutMilliseconds, pinned: true)
                actions.append(.transmit(bytes, to: index))
            }
        }
        return actions
    }

    private mutating func failure(of relay: MediaRelayIndex) -> [MediaRelayClientAction] {
        guard health.indices.contains(relay), health[relay].recordFailure(failuresToDown: settings.failuresToDown) else { return [] }
        return [.relayStateChanged(relay, .down)]
    }

    // MARK: Selection

    /// Weighted random choice among the healthy relays with weight > 0 not tried yet; when none is left,
    /// the untried ones marked down (a relay may be back before its pings say so), in order.
    mutating func pickRelay(excluding tried: Set<MediaRelayIndex>) -> MediaRelayIndex? {
        let candidates = relays.indices.filter { !tried.contains($0) && health[$0].state == .up && relays[$0].weight > 0 }
        let total = candidates.reduce(0) { $0 + UInt64(max(0, relays[$1].weight)) }
        if total > 0 {
            var roll = random.next() % total
            for index in candidates {
                let weight = UInt64(relays[index].weight)
                if roll < weight { return index }
                roll -= weight
            }
        }
        return relays.indices.first { !tried.contains($0) && health[$0].state == .down && relays[$0].weight > 0 }
    }

    private mutating func nextCookie() -> [UInt8] {
        cookieCounter &+= 1
        return Array((cookiePrefix + String(cookieCounter)).utf8)
    }

    private mutating func count(_ command: MediaRelayCommand, _ result: String) {
        requestCounts[MediaRelayRequestKey(command: command, result: result), default: 0] &+= 1
    }
}
