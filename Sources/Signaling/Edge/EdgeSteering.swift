import NIOCore

/// A SIP message waiting for its call's ng request (or queued behind another message of the same call that is).
struct HeldSIPMessage {
    var message: SIPMessage
    var source: SIPPeer
    var local: LocalSocketRef
    var party: MediaSteeringParty
}

/// Media steering as the edge runs it, confined to the edge's loop like `EdgeCore`: the steering state
/// machine, the ng client, the ng UDP channel, and the messages held while their ng request is out.
///
/// Per-call FIFO: while a call has an ng request outstanding, every later message of that call waits
/// behind it (an ACK cannot overtake the 200 it acknowledges, a BYE cannot overtake the answer). Other
/// calls are not held up: the loop keeps serving them while the relay thinks.
final class EdgeSteering {
    var steering: MediaSteering
    var client: MediaRelayClient
    /// Resolved ng addresses, parallel to `client.relays` (nil: not an IP literal; never sent to).
    let relayAddresses: [SocketAddress?]
    var channel: (any Channel)?
    /// Call-ID → messages in arrival order; the first one waits for `heldTokens`' request.
    var held: [String: [HeldSIPMessage]] = [:]
    var heldTokens: [UInt64: String] = [:]
    var timer: Scheduled<Void>?
    var timerAt: SIPInstant?
    var sweep: RepeatedTask?
    /// Messages dropped because their call's queue was full or they duplicated a queued one (retransmissions).
    var queueDrops: UInt64 = 0
    /// ng datagrams that could not be sent (no channel yet, unresolvable relay).
    var sendFailures: UInt64 = 0

    static let maxQueuedPerCall = 32

    init(settings: EdgeMediaSettings, now: SIPInstant) {
        steering = MediaSteering(settings: settings.steering)
        client = MediaRelayClient(relays: settings.relays, settings: settings.client, now: now)
        relayAddresses = settings.relays.map { try? SocketAddress(ipAddress: $0.host, port: $0.port) }
    }

    /// The relay index a datagram came from (by address and port).
    func relayIndex(of address: SocketAddress) -> MediaRelayIndex? {
        relayAddresses.firstIndex { $0 == address }
    }
}
