/// The body of a `query` (and `delete`) reply, shaped like rtpengine's: `created`, `last signal`, `tags` → per tag
/// `medias` → per media `streams` (local port, endpoint, advertised endpoint, last packet, stats), and `totals`
/// for RTP and RTCP.
public enum NGQueryReply {
    /// `fromTag`/`toTag`, when given, limit `tags` to those monologues (rtpengine's query with tags).
    public static func dictionary(_ call: CallSnapshot, fromTag: String? = nil, toTag: String? = nil) -> NGDictionary {
        var reply: NGDictionary = [
            "created": .int(call.created.unixSeconds),
            "created_us": .int(call.created.microseconds),
            "last signal": .int(call.lastSignal.unixSeconds),
        ]
        let wanted = [fromTag, toTag].compactMap { $0 }.filter { !$0.isEmpty }
        var tags = NGDictionary()
        for monologue in call.monologues where wanted.isEmpty || wanted.contains(monologue.tag) {
            tags.append(monologue.tag, .dict(tagDictionary(monologue)))
        }
        reply.append("tags", .dict(tags))
        reply.append("totals", .dict([
            "RTP": .dict(stats(call.rtpTotals)),
            "RTCP": .dict(stats(call.rtcpTotals)),
        ]))
        return reply
    }

    static func tagDictionary(_ monologue: MonologueSnapshot) -> NGDictionary {
        var tag: NGDictionary = [
            "tag": .text(monologue.tag),
            "created": .int(monologue.created.unixSeconds),
        ]
        if let peer = monologue.inDialogueWith { tag.append("in dialogue with", .text(peer)) }
        if let branch = monologue.viaBranch { tag.append("via-branch", .text(branch)) }
        if let label = monologue.label { tag.append("label", .text(label)) }
        if !monologue.aliases.isEmpty { tag.append("aliases", .list(monologue.aliases.map { .text($0) })) }
        tag.append("medias", .list(monologue.medias.map { .dict(mediaDictionary($0)) }))
        return tag
    }

    static func mediaDictionary(_ media: MediaSnapshot) -> NGDictionary {
        var flags: [NGValue] = []
        if media.rtcpMux { flags.append(.text("RTCP-mux")) }
        if media.rejected { flags.append(.text("rejected")) }
        if media.direction.sends { flags.append(.text("send")) }
        if media.direction.receives { flags.append(.text("recv")) }
        if media.unidirectional { flags.append(.text("unidirectional")) }
        return [
            "index": .int(Int64(media.index)),
            "type": .text(media.mediaType),
            "protocol": .text(media.transportProtocol),
            "interface": .text(media.interfaceName),
            "streams": .list(media.streams.map { .dict(streamDictionary($0)) }),
            "flags": .list(flags),
        ]
    }

    static func streamDictionary(_ stream: MediaStreamSnapshot) -> NGDictionary {
        var result: NGDictionary = [
            "local port": .int(Int64(stream.local.port)),
            "local address": .text(stream.local.address.description),
        ]
        if let endpoint = stream.endpoint { result.append("endpoint", .dict(endpointDictionary(endpoint))) }
        if let advertised = stream.advertisedEndpoint {
            result.append("advertised endpoint", .dict(endpointDictionary(advertised)))
        }
        result.append("last packet", .int(stream.lastPacket?.unixSeconds ?? 0))
        var flags: [NGValue] = [.text(stream.kind.rawValue)]
        if stream.muxed { flags.append(.text("RTCP-mux")) }
        if stream.learnedEndpoint != nil { flags.append(.text("filled")) }
        result.append("flags", .list(flags))
        result.append("in kernel", .text(stream.inKernel ? "true" : "false"))
        result.append("stats", .dict(stats(stream.counters)))
        return result
    }

    static func endpointDictionary(_ endpoint: MediaEndpoint) -> NGDictionary {
        [
            "family": .text(endpoint.address.familyName),
            "address": .text(endpoint.address.description),
            "port": .int(Int64(endpoint.port)),
        ]
    }

    static func stats(_ counters: MediaCounters) -> NGDictionary {
        [
            "packets": .int(clamped(counters.packets)),
            "bytes": .int(clamped(counters.bytes)),
            "errors": .int(clamped(counters.errors)),
        ]
    }

    static func clamped(_ value: UInt64) -> Int64 { Int64(exactly: value) ?? .max }
}

/// The body of a `statistics` reply: rtpengine's `currentstatistics` and `totalstatistics` groups with the
/// counters Tandem keeps, plus `ng commands`.
public enum NGStatisticsReply {
    public static func dictionary(_ statistics: SessionStatistics, counters: NGCommandCounters) -> NGDictionary {
        let current: NGDictionary = [
            "sessionsown": .int(Int64(statistics.currentCalls)),
            "sessionsforeign": .int(0),
            "sessionstotal": .int(Int64(statistics.currentCalls)),
            "streams": .int(Int64(statistics.currentStreams)),
        ]
        let total: NGDictionary = [
            "managedsessions": .int(Int64(statistics.totalCalls)),
            "rejectedsessions": .int(Int64(statistics.ranOutOfPorts)),
            "timeoutsessions": .int(Int64(statistics.endedCount(.timeout))),
            "silenttimeoutsessions": .int(Int64(statistics.endedCount(.silentTimeout))),
            "offertimeoutsessions": .int(Int64(statistics.endedCount(.offerTimeout))),
            "finaltimeoutsessions": .int(Int64(statistics.endedCount(.finalTimeout))),
            "regularterminatedsessions": .int(Int64(statistics.endedCount(.deleted))),
            "packets": .int(NGQueryReply.clamped(statistics.relayedPackets)),
            "bytes": .int(NGQueryReply.clamped(statistics.relayedBytes)),
            "errors": .int(NGQueryReply.clamped(statistics.relayedErrors)),
        ]
        var ports: [NGValue] = []
        for usage in statistics.ports {
            ports.append(.dict([
                "name": .text(usage.name), "ports": .int(Int64(usage.capacity)), "free": .int(Int64(usage.free)),
                "used": .int(Int64(usage.used)), "unbindable": .int(Int64(usage.unbindable)),
            ]))
        }
        var commands = NGDictionary()
        for key in counters.replies.keys.sorted() {
            commands.append("\(key.command) \(key.result)", .int(NGQueryReply.clamped(counters.replies[key] ?? 0)))
        }
        return [
            "currentstatistics": .dict(current),
            "totalstatistics": .dict(total),
            "interfaces": .list(ports),
            "ng commands": .dict(commands),
            "ng malformed": .int(NGQueryReply.clamped(counters.malformed)),
            "ng duplicates": .int(NGQueryReply.clamped(counters.duplicates)),
        ]
    }
}
