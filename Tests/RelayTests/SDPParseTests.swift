import Testing
@testable import Relay

private func text(_ b: some Sequence<UInt8>) -> String { String(decoding: Array(b), as: UTF8.self) }

@Suite struct SDPParseTests {
    @Test(arguments: [
        ("sipp", SDPSamples.sipp), ("freeswitch", SDPSamples.freeSWITCH), ("webrtc", SDPSamples.webRTC),
        ("ipv6", SDPSamples.ipv6), ("hold", SDPSamples.hold), ("rfc8866", SDPSamples.rfc8866),
        ("crypto", SDPSamples.crypto),
    ])
    func unchangedBodyRoundTripsByteForByte(name: String, body: [UInt8]) throws {
        let sdp = try SDPSessionDescription(parsing: body)
        #expect(sdp.serialized() == body, "\(name)")
    }

    @Test func sippDefault() throws {
        let sdp = try SDPSessionDescription(parsing: SDPSamples.sipp)
        #expect(sdp.lineTerminator == .crlf)
        #expect(sdp.session.origin?.address == .ip4("127.0.1.1"))
        #expect(text(sdp.session.origin?.sessionVersion ?? []) == "2353687637")
        #expect(sdp.media.count == 1)
        let m = try #require(sdp.media[0].mediaDescription)
        #expect(m.mediaString == "audio" && m.port == 6000 && m.portCount == nil)
        #expect(m.transportProtocolString == "RTP/AVP" && m.formats == [Array("0".utf8)])
        #expect(sdp.connection(forMediaAt: 0)?.address == .ip4("127.0.1.1"))
        #expect(sdp.media[0].connection == nil)
        #expect(sdp.direction(forMediaAt: 0) == .sendrecv)
        #expect(sdp.media[0].rtpmaps == [SDPRTPMap(payloadType: 0, encodingName: Array("PCMU".utf8), clockRate: 8000,
                                                   encodingParameters: nil)])
        #expect(sdp.session.timings == [SDPTiming(start: 0, stop: 0)])
    }

    @Test func freeSWITCHManyCodecs() throws {
        let sdp = try SDPSessionDescription(parsing: SDPSamples.freeSWITCH)
        #expect(sdp.media.count == 2)
        let audio = sdp.media[0]
        #expect(audio.mediaDescription?.formats.count == 8)
        #expect(audio.rtpmaps.map(\.encodingNameString) ==
                ["opus", "G722", "PCMU", "PCMA", "telephone-event", "AMR-WB", "telephone-event"])
        #expect(audio.rtpmaps[0].encodingParameters == Array("2".utf8))
        #expect(audio.formatParameters.count == 4)
        #expect(audio.ptime == 20)
        #expect(audio.direction == .sendrecv)
        #expect(audio.rtcp == SDPRTCPAttribute(port: 24581, address: .ip4("192.0.2.10")))
        #expect(!audio.isRTCPMux)
        let video = sdp.media[1]
        #expect(video.bandwidths == [SDPBandwidth(type: Array("AS".utf8), value: 2048)])
        #expect(video.port == 20384)
    }

    @Test func webRTCWithICEAndDTLS() throws {
        let sdp = try SDPSessionDescription(parsing: SDPSamples.webRTC)
        let m = sdp.media[0]
        #expect(m.mediaDescription?.transportProtocolString == "UDP/TLS/RTP/SAVPF")
        #expect(m.isRTCPMux)
        #expect(m.rtcp == SDPRTCPAttribute(port: 9, address: .ip4("0.0.0.0")))
        #expect(m.connection?.address.isUnspecified == true)
        let ice = sdp.ice(forMediaAt: 0)
        #expect(ice.ufrag == Array("EsAw".utf8))
        #expect(ice.pwd == Array("bP+XJMM09aR8AiX1jdukzR6Y".utf8))
        #expect(ice.options == [Array("trickle".utf8)])
        #expect(ice.endOfCandidates)
        #expect(ice.candidates.count == 3)
        #expect(ice.candidates[1].type == Array("srflx".utf8))
        #expect(ice.candidates[1].port == 46243 && ice.candidates[1].priority == 1_845_501_695)
        #expect(text(ice.candidates[1].extensions) == "raddr 192.168.0.196 rport 46243 generation 0")
        #expect(m.fingerprint?.hashFunction == Array("sha-256".utf8))
        #expect(m.setup == .actpass)
        #expect(m.mid.map(text) == "0")
        #expect(sdp.session.attributeValue("group").map(text) == "BUNDLE 0")
    }

    @Test func ipv6WithLFLineEnds() throws {
        let sdp = try SDPSessionDescription(parsing: SDPSamples.ipv6)
        #expect(sdp.lineTerminator == .lf)
        #expect(sdp.session.origin?.address == .ip6("2001:db8::10"))
        #expect(sdp.session.connection?.address == .ip6("2001:db8::10"))
        #expect(sdp.media[0].rtcp == SDPRTCPAttribute(port: 49171, address: .ip6("2001:db8::10")))
    }

    @Test func holdWithSendonlyAndZeroAddress() throws {
        let sdp = try SDPSessionDescription(parsing: SDPSamples.hold)
        #expect(sdp.connection(forMediaAt: 0)?.address.isUnspecified == true)
        #expect(sdp.direction(forMediaAt: 0) == .sendonly)
    }

    @Test func multicastPortCountCryptoAndTolerance() throws {
        let rfc = try SDPSessionDescription(parsing: SDPSamples.rfc8866)
        #expect(rfc.session.connection?.multicastSuffix == Array("127".utf8))
        #expect(rfc.session.direction == .recvonly)
        #expect(rfc.direction(forMediaAt: 1) == .recvonly)
        let c = try SDPSessionDescription(parsing: SDPSamples.crypto)
        #expect(c.media[0].mediaDescription?.portCount == 2)
        #expect(c.media[0].mediaDescription?.formats.count == 2)  // trailing spaces ignored
        #expect(c.media[0].cryptos.first?.suite == Array("AES_CM_128_HMAC_SHA1_80".utf8))
        #expect(c.media[0].attributeValue("x-unknown").map(text) == "thing")
        #expect(c.media[0].lines.last?.type == 0)  // trailing blank line kept
    }

    @Test func noFinalLineBreakRoundTrips() throws {
        let body = Array("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1000 RTP/AVP 0".utf8)
        let sdp = try SDPSessionDescription(parsing: body)
        #expect(sdp.serialized() == body)
        #expect(sdp.media[0].port == 1000)
    }

    @Test(arguments: [
        ("", SDPParseError.Kind.empty, 0),
        ("\r\n  \r\n", .empty, 0),
        ("o=- 1 1 IN IP4 1.2.3.4\r\n", .missingVersion, 0),
        ("v=1\r\n", .unsupportedVersion, 2),
        ("v=0\r\nfoo\r\n", .malformedLine, 5),
        ("v=0\r\nX=1\r\n", .malformedLine, 5),
        ("v=0\r\no=- 1 IN IP4 1.2.3.4\r\n", .invalidOrigin, 7),
        ("v=0\r\no=- 1 x1 IN IP4 1.2.3.4\r\n", .invalidOrigin, 11),
        ("v=0\r\nc=IN IP4\r\n", .invalidConnection, 7),
        ("v=0\r\nm=audio 1000\r\n", .invalidMedia, 7),
        ("v=0\r\nm=audio 70000 RTP/AVP 0\r\n", .invalidPort, 13),
        ("v=0\r\nm=audio 1000/0 RTP/AVP 0\r\n", .invalidPort, 18),
        ("v=0\r\nt=0\r\n", .invalidTiming, 7),
        ("v=0\r\nb=AS\r\n", .invalidBandwidth, 7),
        ("v=0\r\nm=audio 1 RTP/AVP 0\r\na=rtcp:abc\r\n", .invalidPort, 33),
        ("v=0\r\nm=audio 1 RTP/AVP 0\r\na=rtcp:5 IN IP4\r\n", .invalidAttribute, 35),
        ("v=0\r\nm=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", .invalidAttribute, 37),
        ("v=0\r\nm=audio 1 RTP/AVP 0\r\na=ptime:x\r\n", .invalidAttribute, 34),
        ("v=0\r\na=\r\n", .invalidAttribute, 7),
    ])
    func errorsCarryKindAndOffset(body: String, kind: SDPParseError.Kind, offset: Int) {
        #expect(throws: SDPParseError(kind, at: offset)) { try SDPSessionDescription(parsing: Array(body.utf8)) }
    }

    @Test func limits() {
        let body = SDPSamples.freeSWITCH
        #expect(throws: SDPParseError(.tooLarge, at: 100)) {
            try SDPSessionDescription(parsing: body, limits: SDPLimits(maxBytes: 100))
        }
        #expect(throws: SDPParseError(.tooManyLines, at: 73)) {
            try SDPSessionDescription(parsing: body, limits: SDPLimits(maxLines: 3))
        }
        #expect(throws: SDPParseError.self) {
            try SDPSessionDescription(parsing: body, limits: SDPLimits(maxMediaSections: 1))
        }
    }

    @Test func malformedLenientAttributesAreSkipped() throws {
        let body = SDPSamples.body(["v=0", "m=audio 1 RTP/AVP 0", "a=candidate:garbage", "a=crypto:x", "a=fingerprint:x"])
        let sdp = try SDPSessionDescription(parsing: body)
        #expect(sdp.media[0].ice.candidates.isEmpty)
        #expect(sdp.media[0].ice.isPresent == false)
        #expect(sdp.media[0].cryptos.isEmpty && sdp.media[0].fingerprint == nil)
        #expect(sdp.serialized() == body)
    }
}
