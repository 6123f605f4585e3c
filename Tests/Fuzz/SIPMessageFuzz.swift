// libFuzzer target for the SIP message codec. Build (from the package root):
//   swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/Signaling/Message/*.swift \
//       Tests/Fuzz/SIPMessageFuzz.swift -o /tmp/sipfuzz
//   /tmp/sipfuzz Tests/Fuzz/corpus/sip -max_total_time=120
// Invariants checked: no crash; error offsets stay within the input; a parsed message
// re-serializes to a prefix of the input; the stream framer, fed in input-derived splits, agrees
// with itself; edits keep the message parseable.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let message = try SIPMessage.parse(bytes)
        precondition(bytes.starts(with: message.bytes), "serialization must be a prefix of the input")
        touchEverything(message)
        var edited = message
        edit(&edited)
        touchEverything(edited)
        if let reparsed = try? SIPMessage.parse(edited.bytes) {
            precondition(reparsed.headerIndex.count == edited.headerIndex.count, "edited message must re-index the same")
        }
    } catch {
        precondition(error.offset >= 0 && error.offset <= max(size, SIPLimits.default.maxMessageSize), "offset out of range")
        if let salvaged = SIPMessage.salvageForErrorResponse(bytes) {
            _ = try? SIPMessage.response(to: salvaged, status: 400, reason: "Bad Request", toTag: "fz")
        }
    }
    frame(bytes)
    return 0
}

private func touchEverything(_ m: SIPMessage) {
    _ = m.method
    _ = m.statusCode
    _ = m.reasonPhrase
    _ = m.requestURIText
    _ = try? m.requestURI
    _ = try? m.via
    _ = try? m.topVia
    _ = try? m.cseq
    _ = try? m.callID
    _ = try? m.from
    _ = try? m.to
    _ = try? m.contacts
    _ = try? m.routes
    _ = try? m.recordRoutes
    _ = try? m.maxForwards
    _ = try? m.expires
    _ = m.contentLength
    _ = try? m.contentType
    _ = try? m.validate()
    _ = m.canBuildStatelessResponse
    for entry in m.headerIndex {
        _ = m.name(of: entry)
        _ = m.value(of: entry)
    }
    for kind in SIPHeaderKind.allCases { _ = m.values(kind) }
    if let via = try? m.via.first {
        _ = via.branch
        _ = via.rport
        _ = via.ttl
        _ = via.description
    }
    if let from = try? m.from {
        _ = from.tag
        _ = from.description
        _ = from.uri.decodedUser
    }
    if m.isRequest, let response = try? SIPMessage.response(to: m, status: 200, reason: "OK", toTag: "abc") {
        _ = try? response.validate()
    }
}

private func edit(_ m: inout SIPMessage) {
    _ = try? m.setTopViaReceived("192.0.2.1", rport: 5060)
    _ = m.popVia()
    _ = try? m.pushVia(SIPVia(transport: "UDP", host: SIPHost(kind: .ipv4, text: "192.0.2.9"), port: 5060,
                              parameters: [SIPParameter(name: "branch", value: "z9hG4bKfuzz")]))
    if let mf = try? m.maxForwards, mf > 0 { _ = try? m.setMaxForwards(mf - 1) }
    _ = try? m.addRecordRoute(SIPNameAddress(uri: SIPURI(scheme: .sip, host: SIPHost(kind: .domain, text: "proxy.example"),
                                                         parameters: [SIPParameter(name: "lr")])))
    if m.isRequest { _ = try? m.setRequestURI(SIPURI(scheme: .sip, user: "u", host: SIPHost(kind: .domain, text: "h.example"))) }
    _ = try? m.setBody(Array("v=0\r\n".utf8), contentType: "application/sdp")
    m.removeHeaders(.route)
}

private func frame(_ bytes: [UInt8]) {
    var framer = SIPStreamFramer()
    var offset = 0
    var step = 1
    var seed = bytes.first.map(Int.init) ?? 7
    while offset < bytes.count {
        seed = (seed &* 1_103_515_245 &+ 12_345) & 0x7FFF_FFFF
        step = 1 + seed % 97
        let end = min(bytes.count, offset + step)
        framer.feed(bytes[offset..<end])
        offset = end
        do {
            while let event = try framer.next() {
                if case .message(let m) = event { touchEverything(m) }
            }
        } catch {
            return
        }
    }
}
