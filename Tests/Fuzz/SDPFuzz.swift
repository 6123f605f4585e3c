// libFuzzer target for the SDP codec. Build:
//   swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/Relay/SDP/*.swift Tests/Fuzz/SDPFuzz.swift -o /tmp/sdpfuzz
// Run: /tmp/sdpfuzz -max_total_time=120 Tests/Fuzz/corpus/sdp
//
// Checks: parsing never traps; an unchanged description serializes byte-identically; rewrites keep the body
// parseable and keep the number of media sections.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard var sdp = try? SDPSessionDescription(parsing: bytes) else { return 0 }
    precondition(sdp.serialized() == bytes, "round trip changed bytes")

    for i in sdp.media.indices {
        _ = sdp.connection(forMediaAt: i)
        _ = sdp.direction(forMediaAt: i)
        _ = sdp.ice(forMediaAt: i)
        _ = sdp.media[i].rtcp
        _ = sdp.media[i].rtpmaps
        _ = sdp.media[i].formatParameters
        _ = sdp.media[i].cryptos
        _ = sdp.media[i].fingerprint
        _ = sdp.media[i].setup
        _ = sdp.media[i].ptime
        _ = sdp.media[i].bandwidths
    }
    _ = sdp.session.origin
    _ = sdp.session.timings

    let relay = SDPAddress.ip6("2001:db8::1")
    sdp.session.setOriginAddress(relay)
    sdp.session.incrementOriginVersion()
    sdp.setConnectionEverywhere(relay)
    sdp.removeICE()
    for i in sdp.media.indices {
        sdp.media[i].setPort(40000 + i * 2)
        sdp.media[i].setRTCP(SDPRTCPAttribute(port: 40001 + i * 2, address: relay))
        sdp.media[i].setRTCPMux(i % 2 == 0)
        sdp.media[i].setDirection(.sendonly)
    }
    let rewritten = sdp.serialized()
    var limits = SDPLimits.default
    limits.maxBytes = Int.max
    limits.maxLines = Int.max
    let reparsed: SDPSessionDescription
    do {
        reparsed = try SDPSessionDescription(parsing: rewritten, limits: limits)
    } catch {
        preconditionFailure("rewritten SDP does not parse: \(error)")
    }
    precondition(reparsed.media.count == sdp.media.count, "media count changed")
    for i in reparsed.media.indices {
        precondition(reparsed.media[i].port == 40000 + i * 2, "port not rewritten")
        precondition(reparsed.media[i].rtcp?.port == 40001 + i * 2, "rtcp not rewritten")
        precondition(reparsed.media[i].direction == .sendonly, "direction not rewritten")
        precondition(!reparsed.media[i].ice.isPresent, "ICE not removed")
    }
    return 0
}
