/// One stream in a `query` reply.
public struct MediaStreamSnapshot: Hashable, Sendable {
    public var id: MediaStreamID
    public var kind: StreamKind
    /// The relay socket (`local port`); under rtcp-mux the RTCP stream reports the RTP socket.
    public var local: LocalSocket
    public var muxed: Bool
    /// What the side advertised in SDP (`advertised endpoint`); nil before it signalled.
    public var advertisedEndpoint: MediaEndpoint?
    /// What the data plane learned from packets, if anything.
    public var learnedEndpoint: MediaEndpoint?
    public var lastPacket: SessionTime?
    public var counters: MediaCounters
    /// The kernel forwards this stream (`in kernel`).
    public var inKernel: Bool = false

    /// The endpoint used for forwarding (`endpoint`): the learned one, else the advertised one.
    public var endpoint: MediaEndpoint? { learnedEndpoint ?? advertisedEndpoint }
}

/// One media section of one monologue in a `query` reply.
public struct MediaSnapshot: Hashable, Sendable {
    public var index: Int
    public var mediaType: String
    public var transportProtocol: String
    public var interfaceName: String
    public var direction: MediaFlowDirection
    public var rtcpMux: Bool
    /// Rejected (port 0): no streams.
    public var rejected: Bool
    /// `unidirectional` was asked for this party's media (rtpengine lists it among the media flags).
    public var unidirectional: Bool = false
    public var streams: [MediaStreamSnapshot]
}

/// One monologue (SIP tag) in a `query` reply.
public struct MonologueSnapshot: Hashable, Sendable {
    /// The tag; empty for the side of an unanswered offer (rtpengine's null-string entry).
    public var tag: String
    public var aliases: [String]
    public var viaBranch: String?
    public var created: SessionTime
    /// The peer's tag (`in dialogue with`); nil when there is no peer, "" when the peer is untagged.
    public var inDialogueWith: String?
    /// ng `label` the party's messages carried (nil when none did).
    public var label: String?
    public var medias: [MediaSnapshot]
}

/// A call as `query` (and the reply to `delete`) reports it.
public struct CallSnapshot: Hashable, Sendable {
    public var callID: String
    public var created: SessionTime
    public var lastSignal: SessionTime
    /// When a delayed delete will remove the call.
    public var deleteAt: SessionTime?
    public var monologues: [MonologueSnapshot]
    /// Sums over every stream (`totals`).
    public var rtpTotals: MediaCounters
    public var rtcpTotals: MediaCounters
}

extension SessionTable {
    func snapshot(of call: Call) -> CallSnapshot {
        var rtpTotals = MediaCounters()
        var rtcpTotals = MediaCounters()
        let monologues = call.orderedMonologues.map { monologue -> MonologueSnapshot in
            let medias = monologue.medias.map { media -> MediaSnapshot in
                let streams = media.streams.map { stream -> MediaStreamSnapshot in
                    let advertised = stream.kind == .rtp ? media.advertised : media.advertisedRTCP
                    switch stream.kind {
                    case .rtp: rtpTotals = rtpTotals + stream.counters
                    case .rtcp: rtcpTotals = rtcpTotals + stream.counters
                    }
                    return MediaStreamSnapshot(
                        id: stream.id, kind: stream.kind, local: stream.local, muxed: stream.muxed,
                        advertisedEndpoint: advertised, learnedEndpoint: stream.learned,
                        lastPacket: stream.lastPacket, counters: stream.counters, inKernel: stream.inKernel)
                }
                return MediaSnapshot(
                    index: media.index, mediaType: media.mediaType, transportProtocol: media.transportProtocol,
                    interfaceName: interface(media.interface).name, direction: media.direction,
                    rtcpMux: media.mux, rejected: !media.isActive,
                    unidirectional: media.learning.contains(.unidirectional), streams: streams)
            }
            let peerTag = monologue.peer.flatMap { call.monologues[$0] }.map { $0.tag ?? "" }
            return MonologueSnapshot(
                tag: monologue.tag ?? "", aliases: monologue.aliases, viaBranch: monologue.viaBranch,
                created: monologue.created, inDialogueWith: peerTag, label: monologue.label, medias: medias)
        }
        return CallSnapshot(
            callID: call.callID, created: call.created, lastSignal: call.lastSignal, deleteAt: call.deleteAt,
            monologues: monologues, rtpTotals: rtpTotals, rtcpTotals: rtcpTotals)
    }

    /// ng `query`.
    public func query(callID: String) throws -> CallSnapshot {
        guard let call = calls[callID] else { throw SessionError.unknownCallID }
        return snapshot(of: call)
    }

    /// ng `list`: up to `limit` call-ids, oldest first (rtpengine's default limit is 32; the Control layer
    /// applies it).
    public func list(limit: Int) throws -> [String] {
        guard limit > 0 else { throw SessionError.invalidLimit }
        return calls.values
            .sorted { ($0.created, $0.callID) < ($1.created, $1.callID) }
            .prefix(limit)
            .map(\.callID)
    }
}
