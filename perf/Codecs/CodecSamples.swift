/// Typical wire messages for the codec benchmarks: what a proxy and a relay parse most often.
/// CRLF line ends, realistic header sets (as SIPp and common phones send them).
enum CodecSamples {
    static let sdpOffer = """
        v=0\r
        o=user1 53655765 2353687637 IN IP4 192.0.2.10\r
        s=-\r
        c=IN IP4 192.0.2.10\r
        t=0 0\r
        m=audio 6000 RTP/AVP 0 8 18 101\r
        a=rtpmap:0 PCMU/8000\r
        a=rtpmap:8 PCMA/8000\r
        a=rtpmap:18 G729/8000\r
        a=fmtp:18 annexb=no\r
        a=rtpmap:101 telephone-event/8000\r
        a=fmtp:101 0-16\r
        a=ptime:20\r
        a=sendrecv\r

        """

    static let invite = """
        INVITE sip:bob@example.com SIP/2.0\r
        Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r
        Max-Forwards: 70\r
        To: Bob <sip:bob@example.com>\r
        From: Alice <sip:alice@example.com>;tag=1928301774\r
        Call-ID: a84b4c76e66710@192.0.2.10\r
        CSeq: 314159 INVITE\r
        Contact: <sip:alice@192.0.2.10:5060>\r
        Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY, MESSAGE\r
        Supported: replaces, timer\r
        User-Agent: Tandem-Bench/1.0\r
        Content-Type: application/sdp\r
        Content-Length: \(sdpOffer.utf8.count)\r
        \r
        \(sdpOffer)
        """

    static let register = """
        REGISTER sip:example.com SIP/2.0\r
        Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds7;rport\r
        Max-Forwards: 70\r
        To: Alice <sip:alice@example.com>\r
        From: Alice <sip:alice@example.com>;tag=456248\r
        Call-ID: 843817637684230@998sdasdh09\r
        CSeq: 1826 REGISTER\r
        Contact: <sip:alice@192.0.2.10:5060>;expires=3600\r
        User-Agent: Tandem-Bench/1.0\r
        Content-Length: 0\r
        \r

        """

    static let ok200 = """
        SIP/2.0 200 OK\r
        Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK4b43c2ff8.1;received=198.51.100.1\r
        Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.10\r
        Record-Route: <sip:198.51.100.1;lr>\r
        To: Bob <sip:bob@example.com>;tag=a6c85cf\r
        From: Alice <sip:alice@example.com>;tag=1928301774\r
        Call-ID: a84b4c76e66710@192.0.2.10\r
        CSeq: 314159 INVITE\r
        Contact: <sip:bob@192.0.2.4>\r
        Content-Length: 0\r
        \r

        """

    /// An ng offer as Kamailio's rtpengine module sends it (bencode).
    static var ngOffer: [UInt8] {
        func s(_ v: String) -> String { "\(v.utf8.count):\(v)" }
        let dict = "d" + s("sdp") + s(sdpOffer) + s("call-id") + s("a84b4c76e66710@192.0.2.10")
            + s("from-tag") + s("1928301774") + s("command") + s("offer")
            + s("flags") + "l" + s("trust-address") + "e"
            + s("replace") + "l" + s("origin") + s("session-connection") + "e"
            + s("received-from") + "l" + s("IP4") + s("192.0.2.10") + "e"
            + s("ICE") + s("remove") + "e"
        return Array(("5323_1 " + dict).utf8)
    }
}
