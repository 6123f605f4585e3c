import Testing
@testable import Relay

private func text(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

@Suite struct SDPRewriteTests {
    let relay = SDPAddress.ip4("203.0.113.1")

    @Test func relayRewriteOfSIPpOfferChangesOnlyTargetedBytes() throws {
        var sdp = try SDPSessionDescription(parsing: SDPSamples.sipp)
        sdp.session.setOriginAddress(relay)
        sdp.session.incrementOriginVersion()
        sdp.setConnectionEverywhere(relay)
        sdp.media[0].setPort(30000)
        sdp.media[0].setRTCP(SDPRTCPAttribute(port: 30001))
        #expect(text(sdp.serialized()) == """
            v=0\r
            o=user1 53655765 2353687638 IN IP4 203.0.113.1\r
            s=-\r
            c=IN IP4 203.0.113.1\r
            t=0 0\r
            m=audio 30000 RTP/AVP 0\r
            a=rtpmap:0 PCMU/8000\r
            a=rtcp:30001\r

            """)
    }

    @Test func webRTCToPlainRTP() throws {
        var sdp = try SDPSessionDescription(parsing: SDPSamples.webRTC)
        sdp.removeICE()
        sdp.media[0].setConnection(relay)
        sdp.media[0].setPort(40000)
        sdp.media[0].setRTCPMux(false)
        sdp.media[0].setRTCP(SDPRTCPAttribute(port: 40001, address: relay))
        let out = text(sdp.serialized())
        #expect(!out.contains("candidate") && !out.contains("ice-") && !out.contains("end-of-candidates"))
        #expect(!out.contains("a=rtcp-mux\r\n"))
        #expect(out.contains("a=rtcp-rsize\r\n"))
        #expect(out.contains("m=audio 40000 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126\r\nc=IN IP4 203.0.113.1\r\n"))
        #expect(out.contains("a=rtcp:40001 IN IP4 203.0.113.1\r\n"))
        // Everything else is untouched, in order.
        let original = text(SDPSamples.webRTC).split(separator: "\r\n")
        let kept = original.filter {
            !$0.hasPrefix("a=candidate") && !$0.hasPrefix("a=ice-") && $0 != "a=end-of-candidates"
                && $0 != "a=rtcp-mux" && !$0.hasPrefix("c=") && !$0.hasPrefix("m=") && !$0.hasPrefix("a=rtcp:")
        }
        let now = out.split(separator: "\r\n").filter {
            !$0.hasPrefix("c=") && !$0.hasPrefix("m=") && !$0.hasPrefix("a=rtcp:")
        }
        #expect(now == kept)
        let reparsed = try SDPSessionDescription(parsing: sdp.serialized())
        #expect(!reparsed.ice(forMediaAt: 0).isPresent)
    }

    @Test func addRTCPMuxAndSetDirectionKeepLFStyle() throws {
        var sdp = try SDPSessionDescription(parsing: SDPSamples.ipv6)
        sdp.media[0].setRTCPMux(true)
        sdp.media[0].setRTCPMux(true)  // idempotent
        sdp.media[0].setDirection(.recvonly)
        let relay6 = SDPAddress.ip6("2001:db8::99")
        sdp.setConnectionEverywhere(relay6)
        sdp.session.setOriginAddress(.ip4("198.51.100.1"))
        let out = text(sdp.serialized())
        #expect(!out.contains("\r"))
        #expect(out.hasSuffix("a=ptime:20\na=rtcp-mux\na=recvonly\n"))
        #expect(out.contains("c=IN IP6 2001:db8::99\n"))
        #expect(out.contains("o=alice 2890844526 2890844527 IN IP4 198.51.100.1\n"))
    }

    @Test func directionRewrittenInPlaceAndDuplicatesRemoved() throws {
        let body = SDPSamples.body(["v=0", "m=audio 1 RTP/AVP 0", "a=sendonly", "a=x", "a=inactive"])
        var sdp = try SDPSessionDescription(parsing: body)
        sdp.media[0].setDirection(.sendrecv)
        #expect(sdp.serialized() == SDPSamples.body(["v=0", "m=audio 1 RTP/AVP 0", "a=sendrecv", "a=x"]))
    }

    @Test func holdResumeKeepsPortCountAndTrailingWhitespaceElsewhere() throws {
        var sdp = try SDPSessionDescription(parsing: SDPSamples.crypto)
        sdp.media[0].setPort(50000)
        let out = text(sdp.serialized())
        #expect(out.contains("m=audio 50000/2 RTP/SAVP 0 8  \r\n"))
        #expect(out.contains("a=x-unknown:thing \r\n"))
        // Inserted attributes go before the trailing blank line.
        sdp.media[0].setDirection(.inactive)
        #expect(text(sdp.serialized()).hasSuffix("a=rtcp-mux\r\na=inactive\r\n\r\n"))
    }

    @Test func insertionsAfterUnterminatedLastLine() throws {
        let body = Array("v=0\r\no=- 1 9 IN IP4 1.2.3.4\r\ns=-\r\nt=0 0\r\nm=audio 1000 RTP/AVP 0".utf8)
        var sdp = try SDPSessionDescription(parsing: body)
        sdp.media[0].setRTCPMux(true)
        #expect(text(sdp.serialized()).hasSuffix("m=audio 1000 RTP/AVP 0\r\na=rtcp-mux"))
        sdp.media[0].setConnection(relay)
        #expect(text(sdp.serialized()).hasSuffix("m=audio 1000 RTP/AVP 0\r\nc=IN IP4 203.0.113.1\r\na=rtcp-mux"))
        sdp.media[0].setRTCPMux(false)
        #expect(text(sdp.serialized()).hasSuffix("c=IN IP4 203.0.113.1"))
        sdp.session.incrementOriginVersion()
        #expect(sdp.session.origin?.sessionVersion == Array("10".utf8))
    }

    @Test func sessionConnectionInsertedInRFCOrder() throws {
        let body = SDPSamples.body(["v=0", "o=- 1 1 IN IP4 1.2.3.4", "s=-", "t=0 0", "m=audio 1 RTP/AVP 0"])
        var sdp = try SDPSessionDescription(parsing: body)
        sdp.setConnectionEverywhere(relay)
        #expect(sdp.serialized() == SDPSamples.body([
            "v=0", "o=- 1 1 IN IP4 1.2.3.4", "s=-", "c=IN IP4 203.0.113.1", "t=0 0", "m=audio 1 RTP/AVP 0",
        ]))
    }

    @Test func originVersionIncrementBeyond64Bits() throws {
        let body = SDPSamples.body(["v=0", "o=- 1 99999999999999999999999 IN IP4 1.2.3.4", "s=-"])
        var sdp = try SDPSessionDescription(parsing: body)
        sdp.session.incrementOriginVersion()
        #expect(sdp.session.origin?.sessionVersion == Array("100000000000000000000000".utf8))
    }

    @Test func connectionMulticastSuffixDroppedOnRewrite() throws {
        var sdp = try SDPSessionDescription(parsing: SDPSamples.rfc8866)
        sdp.setConnectionEverywhere(relay)
        #expect(sdp.session.connection == SDPConnection(networkType: Array("IN".utf8), address: relay,
                                                        multicastSuffix: nil))
        #expect(sdp.media.allSatisfy { $0.connection == nil })
    }
}
