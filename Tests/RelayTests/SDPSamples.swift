/// Real-world SDP bodies used by the SDP tests (the same bytes are the fuzz seed corpus in Tests/Fuzz/corpus/sdp).
enum SDPSamples {
    /// Joins lines, each followed by `eol` (so CRLF and LF bodies are both expressible without multi-line literals).
    static func body(_ lines: [String], eol: String = "\r\n") -> [UInt8] {
        Array(lines.map { $0 + eol }.joined().utf8)
    }

    static let sipp = body([
        "v=0",
        "o=user1 53655765 2353687637 IN IP4 127.0.1.1",
        "s=-",
        "c=IN IP4 127.0.1.1",
        "t=0 0",
        "m=audio 6000 RTP/AVP 0",
        "a=rtpmap:0 PCMU/8000",
    ])

    static let freeSWITCH = body([
        "v=0",
        "o=FreeSWITCH 1700000000 1700000001 IN IP4 192.0.2.10",
        "s=FreeSWITCH",
        "c=IN IP4 192.0.2.10",
        "t=0 0",
        "m=audio 24580 RTP/AVP 102 9 0 8 103 104 101 13",
        "a=rtpmap:102 opus/48000/2",
        "a=fmtp:102 useinbandfec=1; maxaveragebitrate=30000; maxplaybackrate=48000; ptime=20; minptime=10; maxptime=40",
        "a=rtpmap:9 G722/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:103 telephone-event/48000",
        "a=fmtp:103 0-16",
        "a=rtpmap:104 AMR-WB/16000",
        "a=fmtp:104 octet-align=1",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-16",
        "a=ptime:20",
        "a=sendrecv",
        "a=rtcp:24581 IN IP4 192.0.2.10",
        "m=video 20384 RTP/AVP 96 97",
        "b=AS:2048",
        "a=rtpmap:96 H264/90000",
        "a=fmtp:96 profile-level-id=42e01f;packetization-mode=1",
        "a=rtpmap:97 VP8/90000",
        "a=sendrecv",
        "a=rtcp:20385 IN IP4 192.0.2.10",
        "a=rtcp-fb:96 nack pli",
    ])

    static let webRTC = body([
        "v=0",
        "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
        "s=-",
        "t=0 0",
        "a=group:BUNDLE 0",
        "a=extmap-allow-mixed",
        "a=msid-semantic: WMS stream1",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126",
        "c=IN IP4 0.0.0.0",
        "a=rtcp:9 IN IP4 0.0.0.0",
        "a=candidate:1467250027 1 udp 2122260223 192.168.0.196 46243 typ host generation 0 network-id 1",
        "a=candidate:435653019 1 udp 1845501695 203.0.113.7 46243 typ srflx raddr 192.168.0.196 rport 46243 generation 0",
        "a=candidate:1853887674 1 tcp 1518280447 192.168.0.196 9 typ host tcptype active generation 0",
        "a=ice-ufrag:EsAw",
        "a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y",
        "a=ice-options:trickle",
        "a=fingerprint:sha-256 D2:FA:0E:C3:22:59:5E:14:95:69:92:3D:13:B4:84:24:2C:C2:A2:C0:3E:FD:34:8E:5E:EA:6F:AF:52:CE:E6:0F",
        "a=setup:actpass",
        "a=mid:0",
        "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
        "a=sendrecv",
        "a=msid:stream1 track1",
        "a=rtcp-mux",
        "a=rtcp-rsize",
        "a=rtpmap:111 opus/48000/2",
        "a=rtcp-fb:111 transport-cc",
        "a=fmtp:111 minptime=10;useinbandfec=1",
        "a=rtpmap:63 red/48000/2",
        "a=fmtp:63 111/111",
        "a=rtpmap:9 G722/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:13 CN/8000",
        "a=rtpmap:110 telephone-event/48000",
        "a=rtpmap:126 telephone-event/8000",
        "a=ssrc:3735928559 cname:4TOk42mSjXCkVIa6",
        "a=end-of-candidates",
    ])

    static let ipv6 = body([
        "v=0",
        "o=alice 2890844526 2890844527 IN IP6 2001:db8::10",
        "s=IPv6 call",
        "c=IN IP6 2001:db8::10",
        "t=0 0",
        "m=audio 49170 RTP/AVP 0 8 101",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-15",
        "a=rtcp:49171 IN IP6 2001:db8::10",
        "a=ptime:20",
    ], eol: "\n")

    static let hold = body([
        "v=0",
        "o=- 3800000000 3800000002 IN IP4 198.51.100.5",
        "s=-",
        "c=IN IP4 0.0.0.0",
        "t=0 0",
        "m=audio 30000 RTP/AVP 8 101",
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=sendonly",
    ])

    static let rfc8866 = body([
        "v=0",
        "o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5",
        "s=SDP Seminar",
        "i=A Seminar on the session description protocol",
        "u=http://www.example.com/seminars/sdp.pdf",
        "e=j.doe@example.com (Jane Doe)",
        "c=IN IP4 224.2.17.12/127",
        "t=2873397496 2873404696",
        "a=recvonly",
        "m=audio 49170 RTP/AVP 0",
        "m=video 51372 RTP/AVP 99",
        "a=rtpmap:99 h263-1998/90000",
    ])

    static let crypto = body([
        "v=0",
        "o=- 1 1 IN IP4 10.0.0.1",
        "s=-",
        "t=0 0",
        "m=audio 49170/2 RTP/SAVP 0 8  ",
        "c=IN IP4 10.0.0.1",
        "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:32",
        "a=x-unknown:thing ",
        "a=rtcp-mux",
        "",
    ])

}
