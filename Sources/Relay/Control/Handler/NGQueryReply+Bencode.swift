extension NGQueryReply {
    /// Writes the same body as `dictionary(_:fromTag:toTag:)` straight as bencode (keys in the same order, so the
    /// bytes are those `BencodeEncoder` makes of the tree). Why: the tree cost an array per key and a boxed enum per
    /// value for every stream of every `delete` reply, only to be walked once (issue 3).
    public static func write(_ call: CallSnapshot, fromTag: String? = nil, toTag: String? = nil,
                             into out: inout BencodeWriter) {
        out.beginDictionary()
        writeEntries(call, fromTag: fromTag, toTag: toTag, into: &out)
        out.end()
    }

    /// The body's key/value pairs without the surrounding `d`…`e`, for a reply that puts `result` first.
    static func writeEntries(_ call: CallSnapshot, fromTag: String?, toTag: String?, into out: inout BencodeWriter) {
        out.key("created", int: call.created.unixSeconds)
        out.key("created_us", int: call.created.microseconds)
        out.key("last signal", int: call.lastSignal.unixSeconds)
        out.literal("tags")
        out.beginDictionary()
        for monologue in call.monologues where selects(monologue.tag, fromTag: fromTag, toTag: toTag) {
            out.string(monologue.tag)
            writeTag(monologue, into: &out)
        }
        out.end()
        out.literal("totals")
        out.beginDictionary()
        out.literal("RTP")
        writeStats(call.rtpTotals, into: &out)
        out.literal("RTCP")
        writeStats(call.rtcpTotals, into: &out)
        out.end()
    }

    /// `dictionary`'s filter without its array: every tag when neither is given (or both are empty), otherwise
    /// the tags named.
    static func selects(_ tag: String, fromTag: String?, toTag: String?) -> Bool {
        let from = fromTag.flatMap { $0.isEmpty ? nil : $0 }
        let to = toTag.flatMap { $0.isEmpty ? nil : $0 }
        if from == nil && to == nil { return true }
        return from == tag || to == tag
    }

    static func writeTag(_ monologue: MonologueSnapshot, into out: inout BencodeWriter) {
        out.beginDictionary()
        out.key("tag", text: monologue.tag)
        out.key("created", int: monologue.created.unixSeconds)
        if let peer = monologue.inDialogueWith { out.key("in dialogue with", text: peer) }
        if let branch = monologue.viaBranch { out.key("via-branch", text: branch) }
        if let label = monologue.label { out.key("label", text: label) }
        if !monologue.aliases.isEmpty {
            out.literal("aliases")
            out.beginList()
            for alias in monologue.aliases { out.string(alias) }
            out.end()
        }
        out.literal("medias")
        out.beginList()
        for media in monologue.medias { writeMedia(media, into: &out) }
        out.end()
        out.end()
    }

    static func writeMedia(_ media: MediaSnapshot, into out: inout BencodeWriter) {
        out.beginDictionary()
        out.key("index", int: Int64(media.index))
        out.key("type", text: media.mediaType)
        out.key("protocol", text: media.transportProtocol)
        out.key("interface", text: media.interfaceName)
        out.literal("streams")
        out.beginList()
        for stream in media.streams { writeStream(stream, into: &out) }
        out.end()
        out.literal("flags")
        out.beginList()
        if media.rtcpMux { out.literal("RTCP-mux") }
        if media.rejected { out.literal("rejected") }
        if media.direction.sends { out.literal("send") }
        if media.direction.receives { out.literal("recv") }
        if media.unidirectional { out.literal("unidirectional") }
        out.end()
        out.end()
    }

    static func writeStream(_ stream: MediaStreamSnapshot, into out: inout BencodeWriter) {
        out.beginDictionary()
        out.key("local port", int: Int64(stream.local.port))
        out.key("local address", text: stream.local.address.description)
        if let endpoint = stream.endpoint {
            out.literal("endpoint")
            writeEndpoint(endpoint, into: &out)
        }
        if let advertised = stream.advertisedEndpoint {
            out.literal("advertised endpoint")
            writeEndpoint(advertised, into: &out)
        }
        out.key("last packet", int: stream.lastPacket?.unixSeconds ?? 0)
        out.literal("flags")
        out.beginList()
        out.string(stream.kind.rawValue)
        if stream.muxed { out.literal("RTCP-mux") }
        if stream.learnedEndpoint != nil { out.literal("filled") }
        out.end()
        out.key("in kernel", text: stream.inKernel ? "true" : "false")
        out.literal("stats")
        writeStats(stream.counters, into: &out)
        out.end()
    }

    static func writeEndpoint(_ endpoint: MediaEndpoint, into out: inout BencodeWriter) {
        out.beginDictionary()
        out.key("family", text: endpoint.address.familyName)
        out.key("address", text: endpoint.address.description)
        out.key("port", int: Int64(endpoint.port))
        out.end()
    }

    static func writeStats(_ counters: MediaCounters, into out: inout BencodeWriter) {
        out.beginDictionary()
        out.key("packets", int: clamped(counters.packets))
        out.key("bytes", int: clamped(counters.bytes))
        out.key("errors", int: clamped(counters.errors))
        out.end()
    }
}
