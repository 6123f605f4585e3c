import Testing
@testable import Relay

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private func command(_ d: NGDictionary) throws -> NGCommand { try NGCommand(d) }

private func offer(_ extra: NGDictionary) throws -> NGOfferAnswerRequest {
    var d: NGDictionary = ["command": .text("offer"), "call-id": .text("c"), "from-tag": .text("f"), "sdp": .text("v=0")]
    d.append(contentsOf: extra)
    guard case .offer(let r) = try NGCommand(d) else { throw NGCommandError.missingCommand }
    return r
}

@Suite struct NGCommandTests {
    /// What the Kamailio rtpengine module sends for `rtpengine_offer("trust-address replace-origin
    /// replace-session-connection ICE=remove rtcp-mux-demux RTP/AVP internal external")` (module-side parsing).
    static let kamailioSDP = String(decoding: SDPSamples.sipp, as: UTF8.self)
    static let kamailioOffer = bytes(
        "5323_1 d7:command5:offer3:sdp\(kamailioSDP.utf8.count):\(kamailioSDP)"
            + "7:call-id31:a84b4c76e66710@pc33.example.com8:from-tag10:1928301774"
            + "10:via-branch18:z9hG4bK776asdhds.013:received-froml3:IP410:192.0.2.44e"
            + "5:flagsl13:trust-addresse7:replacel6:origin18:session-connectione"
            + "8:rtcp-muxl5:demuxe3:ICE6:remove18:transport-protocol7:RTP/AVP"
            + "9:directionl8:internal8:externale" + "e")

    @Test func kamailioOffer() throws {
        let m = try NGMessage(decoding: Self.kamailioOffer)
        #expect(m.encoded() == Self.kamailioOffer)
        guard case .offer(let r) = try NGCommand(m.dictionary) else {
            Issue.record("not an offer")
            return
        }
        #expect(r.callID == "a84b4c76e66710@pc33.example.com")
        #expect(r.fromTag == "1928301774" && r.toTag == nil)
        #expect(r.viaBranch == "z9hG4bK776asdhds.0")
        #expect(r.sdp == SDPSamples.sipp)
        #expect(r.receivedFrom == NGReceivedFrom(family: .ipv4, address: "192.0.2.44"))
        #expect(r.flags == [.trustAddress])
        #expect(r.replace == [.origin, .sessionConnection])
        #expect(r.rtcpMux == [.demux])
        #expect(r.ice == .remove)
        #expect(r.transportProtocol == .rtpAVP)
        #expect(r.direction == ["internal", "external"])
        #expect(r.unknownFlags.isEmpty)
        #expect(try SDPSessionDescription(parsing: r.sdp).media.count == 1)
    }

    @Test func rtppFlagsString() throws {
        let r = try offer(["rtpp-flags": .text(
            "replace-origin replace-session-connection via-branch=auto-next strict-source label=callee OSRTP-accept "
                + "transport-protocol=RTP/AVP address-family=IP6 ICE=remove rtcp-mux-demux rtcp-mux=[offer] "
                + "codec=[transcode=[PCMA PCMU] strip=[EVS]] internal external SIP-source-address "
                + "received-from=[IP4 10.0.0.1] to-tag=t9")])
        #expect(r.replace == [.origin, .sessionConnection])
        #expect(r.viaBranch == "auto-next")
        #expect(r.label == "callee")
        #expect(r.flags == [.strictSource, .sipSourceAddress])
        #expect(r.unknownFlags == ["OSRTP-accept"])
        #expect(r.transportProtocol == .rtpAVP)
        #expect(r.addressFamily == .ipv6)
        #expect(r.ice == .remove)
        #expect(r.rtcpMux == [.demux, .offer])
        #expect(r.direction == ["internal", "external"])
        #expect(r.receivedFrom == NGReceivedFrom(family: .ipv4, address: "10.0.0.1"))
        #expect(r.toTag == "t9")
    }

    @Test(arguments: [
        ("RTP/SAVPF", NGTransportProtocol.rtpSAVPF), ("SRTP AVPF", .rtpSAVPF), ("AVPF", .rtpAVPF),
        ("SRTP", .rtpSAVP), ("DTLS AVPF", .udpTLSRTPSAVPF), ("UDP/TLS/RTP/SAVP", .udpTLSRTPSAVP),
        ("RTP/SAVP RTP", .rtpAVP),
    ])
    func rtppFlagsTransportWords(flags: String, expected: NGTransportProtocol) throws {
        #expect(try offer(["rtpp-flags": .text(flags)]).transportProtocol == expected)
    }

    /// Every spelling rtpengine accepts for a key maps to the same field.
    @Test(arguments: ["call-id", "call ID", "call-ID", "call id", "call_id"])
    func callIDSpellings(key: String) throws {
        let d: NGDictionary = ["command": .text("query"), .init(key): .text("x")]
        #expect(try command(d) == .query(NGQueryRequest(callID: "x")))
    }

    @Test(arguments: [
        ("received from", NGValue.list([.text("IP6"), .text("2001:db8::5")])),
        ("received-from", .list([.text("ip6"), .text("2001:db8::5")])),
        ("received_from", .text("IP6 2001:db8::5")),
        ("Received-From", .text("2001:db8::5")),
    ])
    func receivedFromSpellings(key: String, value: NGValue) throws {
        #expect(try offer([.init(key): value]).receivedFrom == NGReceivedFrom(family: .ipv6, address: "2001:db8::5"))
    }

    @Test(arguments: [
        ("trust address", NGFlag.trustAddress), ("trust-address", .trustAddress), ("trust_address", .trustAddress),
        ("SIP source address", .sipSourceAddress), ("SIP-source-address", .sipSourceAddress),
        ("sip_source_address", .sipSourceAddress), ("symmetric", .symmetric), ("asymmetric", .asymmetric),
        ("strict source", .strictSource), ("strict-source", .strictSource), ("media handover", .mediaHandover),
        ("media-handover", .mediaHandover), ("port latching", .portLatching), ("no-port-latching", .noPortLatching),
        ("unidirectional", .unidirectional), ("reject ICE", .rejectICE), ("ICE-reject", .rejectICE),
        ("trickle ICE", .trickleICE), ("loop-protect", .loopProtect), ("record call", .recordCall),
        ("original-sendrecv", .originalSendrecv), ("no RTCP attribute", .noRTCPAttribute),
        ("full-rtcp-attribute", .fullRTCPAttribute), ("generate mid", .generateMid), ("pierce NAT", .pierceNAT),
        ("debugging", .debug), ("WebRTC", .webRTC), ("reuse codecs", .reuseCodecs),
        ("no codec renegotiation", .reuseCodecs), ("RTCP-mirror", .rtcpMirror), ("mirror RTCP", .rtcpMirror),
        ("block short packets", .blockShort), ("allow asymmetric codec", .allowAsymmetricCodecs),
    ])
    func flagSpellings(flag: String, expected: NGFlag) throws {
        #expect(try offer(["flags": .list([.text(flag)])]).flags == [expected])
        #expect(try offer(["rtpp-flags": .text(flag.replacingSpaces())]).flags == [expected])
    }

    @Test(arguments: [
        ("replace", NGValue.list([.text("origin")]), NGReplaceOption.origin),
        ("replace", .list([.text("SDP version")]), .sdpVersion),
        ("replace", .list([.text("session name")]), .sessionName),
        ("replace", .text("origin-full"), .originFull),
        ("replace", .list([.text("force-increment-SDP-ver")]), .forceIncrementSDPVersion),
        ("flags", .list([.text("replace-SDP-version")]), .sdpVersion),
        ("flags", .list([.text("replace-zero-address")]), .zeroAddress),
        ("rtpp_flags", .text("replace-username"), .username),
    ])
    func replaceSpellings(key: String, value: NGValue, expected: NGReplaceOption) throws {
        #expect(try offer([.init(key): value]).replace == [expected])
    }

    @Test(arguments: [
        ("rtcp-mux", NGValue.list([.text("demux")])), ("rtcp mux", .list([.text("demux")])),
        ("RTCP-mux", .text("demux")), ("flags", .list([.text("rtcp-mux-demux")])),
        ("rtpp-flags", .text("rtcp-mux-demux")), ("rtpp flags", .text("rtcp-mux=[demux]")),
    ])
    func rtcpMuxSpellings(key: String, value: NGValue) throws {
        #expect(try offer([.init(key): value]).rtcpMux == [.demux])
    }

    @Test(arguments: [
        ("ICE", NGValue.text("remove"), NGICEMode.remove), ("ice", .text("force"), .force),
        ("ICE", .list([.text("force-relay")]), .forceRelay), ("ICE", .text("force relay"), .forceRelay),
        ("ICE", .list([.text("default"), .text("trickle")]), .default), ("ICE", .text("optional"), .optional),
    ])
    func iceSpellings(key: String, value: NGValue, expected: NGICEMode) throws {
        #expect(try offer([.init(key): value]).ice == expected)
    }

    @Test func otherKeysAndSpellings() throws {
        let r = try offer([
            "direction": .list([.text("pub"), .text("priv")]), "transport protocol": .text("UDP/TLS/RTP/SAVPF"),
            "address family": .text("IP4"), "media address": .text("192.0.2.9"), "from-label": .text("caller"),
            "via branch": .text("z9"), "to tag": .text("tt"), "flags": .list([.text("SDES-no-NULL_HMAC_SHA1_32"), .int(3)]),
        ])
        #expect(r.direction == ["pub", "priv"])
        #expect(r.transportProtocol == .udpTLSRTPSAVPF)
        #expect(r.addressFamily == .ipv4 && r.mediaAddress == "192.0.2.9" && r.label == "caller")
        #expect(r.viaBranch == "z9" && r.toTag == "tt")
        #expect(r.unknownFlags == ["SDES-no-NULL_HMAC_SHA1_32"])
        let s = try offer(["from-interface": .text("a"), "to-interface": .text("b")])
        #expect(s.direction == ["a", "b"])
    }

    @Test func answerDeleteQueryListStatistics() throws {
        let answer: NGDictionary = ["command": .text("answer"), "call-id": .text("c"), "from-tag": .text("f"),
                                    "to-tag": .text("t"), "sdp": .text("v=0")]
        guard case .answer(let a) = try command(answer) else { throw NGCommandError.missingCommand }
        #expect(a.toTag == "t")

        let delete: NGDictionary = ["command": .text("delete"), "call-id": .text("c"), "from-tag": .text("f"),
                                    "to-tag": .text("t"), "flags": .list([.text("fatal"), .text("to-tag")]),
                                    "delete delay": .text("5")]
        #expect(try command(delete) == .delete(NGDeleteRequest(
            callID: "c", fromTag: "f", toTag: "t", selectsToTag: true, isFatal: true, deleteDelay: 5,
            flags: [.fatal, .toTag])))
        let delete2: NGDictionary = ["command": .text("delete"), "call-id": .text("c"), "delete-delay": .int(0)]
        #expect(try command(delete2) == .delete(NGDeleteRequest(callID: "c", deleteDelay: 0)))

        let query: NGDictionary = ["command": .text("query"), "call-id": .text("c"), "from-tag": .text("f")]
        #expect(try command(query) == .query(NGQueryRequest(callID: "c", fromTag: "f")))

        #expect(try command(["command": .text("list")]) == .list(NGListRequest(limit: 32)))
        #expect(try command(["command": .text("list"), "limit": .text("5")]) == .list(NGListRequest(limit: 5)))
        #expect(try command(["command": .text("list"), "limit": .int(7)]) == .list(NGListRequest(limit: 7)))
        #expect(try command(["command": .text("statistics")]) == .statistics)
    }

    static let errorCases: [(NGDictionary, NGCommandError)] = [
        (["call-id": .text("c")], NGCommandError.missingCommand),
        (["command": .int(1)], .missingCommand),
        (["command": .text("Offer")], .unrecognizedCommand(Array("Offer".utf8))),
        (["command": .text("bogus")], .unrecognizedCommand(Array("bogus".utf8))),
        (["command": .text("offer"), "call-id": .text("c"), "from-tag": .text("f")], .missingSDP),
        (["command": .text("offer"), "sdp": .text("v=0"), "from-tag": .text("f")], .missingCallID),
        (["command": .text("offer"), "sdp": .text("v=0"), "call-id": .text("c")], .missingFromTag),
        (["command": .text("answer"), "sdp": .text("v=0"), "call-id": .text("c"), "from-tag": .text("f")],
         .missingToTag),
        (["command": .text("delete"), "from-tag": .text("f")], .missingCallID),
        (["command": .text("query")], .missingCallID),
        (["command": .text("offer"), "received-from": .list([.text("IP4")])], .invalidValue(key: "received-from")),
        (["command": .text("offer"), "received-from": .text("IPX 1.2.3.4")], .invalidValue(key: "received-from")),
    ]

    @Test(arguments: errorCases)
    func commandErrors(dict: NGDictionary, expected: NGCommandError) {
        #expect(throws: expected) { try NGCommand(dict) }
    }

    @Test func errorReasons() {
        #expect(NGCommandError.missingCallID.reason == "No call-id in message")
        #expect(NGCommandError.missingFromTag.reason == "No from-tag in message")
        #expect(NGCommandError.missingToTag.reason == "No to-tag in message")
        #expect(NGCommandError.missingSDP.reason == "No SDP body in message")
        #expect(NGCommandError.unrecognizedCommand([]).reason == "Unrecognized command")
        #expect(NGCommandError.missingCommand.reason == "Dictionary contains no key \"command\"")
    }

    @Test func jsonOfferEndToEnd() throws {
        let wire = bytes(#"j1 {"command":"offer","call-id":"c\u00e9","from-tag":"f","sdp":"v=0\r\n","#
            + #""ICE":["force","trickle"],"flags":["SIP-source-address","port latching"],"x":null,"trust":true}"#)
        let m = try NGMessage(decoding: wire)
        guard case .offer(let r) = try NGCommand(m.dictionary) else { throw NGCommandError.missingCommand }
        #expect(r.callID == "cé" && r.sdp == bytes("v=0\r\n"))
        #expect(r.ice == .force && r.flags == [.trickleICE, .sipSourceAddress, .portLatching])
        let reply = NGReply.ok(["sdp": .string(r.sdp)]).encoded(cookie: m.cookie, encoding: m.encoding)
        #expect(String(decoding: reply, as: UTF8.self) == #"j1 {"result":"ok","sdp":"v=0\r\n"}"#)
    }
}

private extension String {
    func replacingSpaces() -> String { String(map { $0 == " " ? "-" : $0 }) }
}
