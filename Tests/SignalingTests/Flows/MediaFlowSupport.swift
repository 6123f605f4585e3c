import Foundation
import TestSupport

/// A SIP endpoint made of one UDP socket inside a lab namespace: a phone or the "FreeSWITCH" backend of the
/// media flows. Answers keepalive OPTIONS while waiting.
final class MediaFlowEndpoint: @unchecked Sendable {
    let socket: LabUDPSocket
    let host: String
    let port: Int

    init(_ socket: LabUDPSocket, host: String, port: Int) {
        self.socket = socket
        self.host = host
        self.port = port
    }

    func send(_ message: String, to host: String, port: Int) throws {
        try socket.send(Array(message.utf8), to: host, port: UInt16(port))
    }

    /// The first message `match` accepts within `seconds` (OPTIONS are answered with 200 and skipped).
    func waitFor(seconds: Double, _ match: (String) -> Bool) throws -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let left = max(0.01, deadline.timeIntervalSinceNow)
            guard let datagram = try socket.receive(timeout: .milliseconds(Int(left * 1000))) else { continue }
            let message = text(datagram.bytes)
            if message.hasPrefix("OPTIONS ") {
                try socket.send(Array(responseText(to: message, status: "200 OK").utf8), to: datagram.host, port: datagram.port)
                continue
            }
            if match(message) { return message }
        }
        return nil
    }
}

enum MediaFlowSIP {
    /// An SDP offering PCMA on `host:port`.
    static func sdp(host: String, port: Int, origin: String) -> String {
        "v=0\r\no=\(origin) 1 1 IN IP4 \(host)\r\ns=-\r\nc=IN IP4 \(host)\r\nt=0 0\r\nm=audio \(port) RTP/AVP 8\r\n" +
            "a=rtpmap:8 PCMA/8000\r\na=sendrecv\r\n"
    }

    /// The body of a message's text.
    static func body(_ message: String) -> String {
        guard let range = message.range(of: "\r\n\r\n") else { return "" }
        return String(message[range.upperBound...])
    }

    /// `(c= address, m=audio port)` of an SDP.
    static func media(_ sdp: String) -> (host: String, port: Int)? {
        var host: String?, port: Int?
        for line in sdp.components(separatedBy: "\r\n") {
            if line.hasPrefix("c=IN IP4 ") { host = String(line.dropFirst("c=IN IP4 ".count)) }
            if line.hasPrefix("m=audio ") { port = Int(line.dropFirst("m=audio ".count).split(separator: " ").first ?? "") }
        }
        guard let host, let port else { return nil }
        return (host, port)
    }

    /// A response with an SDP body (from `responseText`, which builds it without one).
    static func response(to request: String, status: String, contact: String, sdp: String, toTag: String) -> String {
        let base = responseText(to: request, status: status, extra: ["Contact: <\(contact)>", "Content-Type: application/sdp"],
                                toTag: toTag)
        return base.replacingOccurrences(of: "Content-Length: 0\r\n\r\n", with: "Content-Length: \(sdp.utf8.count)\r\n\r\n") + sdp
    }

    static func register(user: String, host: String, port: Int, callID: String) -> String {
        sipRequest([
            "REGISTER sip:example.com SIP/2.0", "Via: SIP/2.0/UDP \(host):\(port);branch=z9hG4bKreg\(user);rport",
            "From: <sip:\(user)@example.com>;tag=r\(user)", "To: <sip:\(user)@example.com>", "Call-ID: \(callID)",
            "CSeq: 1 REGISTER", "Contact: <sip:\(user)@\(host):\(port)>", "Expires: 600", "Max-Forwards: 70",
        ])
    }

    static func invite(from: String, to: String, via host: String, port: Int, callID: String, tag: String, sdp: String) -> String {
        sipRequest([
            "INVITE sip:\(to)@example.com SIP/2.0", "Via: SIP/2.0/UDP \(host):\(port);branch=z9hG4bK\(callID);rport",
            "From: <sip:\(from)@example.com>;tag=\(tag)", "To: <sip:\(to)@example.com>", "Call-ID: \(callID)", "CSeq: 1 INVITE",
            "Contact: <sip:\(from)@\(host):\(port)>", "Max-Forwards: 70", "Content-Type: application/sdp",
        ], body: sdp)
    }

    /// RTP-like packets from `sender` to `host:port`, counting those with `marker` at `receiver`.
    static func exchangeRTP(from sender: LabUDPSocket, to host: String, port: Int, expectAt receiver: LabUDPSocket,
                            marker: UInt8, count: Int) throws -> Int
    {
        var received = 0
        func drain(_ timeout: Duration) throws {
            while let datagram = try receiver.receive(timeout: timeout) {
                if datagram.bytes.count == 172, datagram.bytes[12] == marker { received += 1 }
            }
        }
        for i in 0..<count {
            var packet: [UInt8] = [0x80, 0x08, 0, UInt8(i), 0, 0, UInt8(i >> 8), UInt8(i & 0xFF), marker, 0, 0, 1]
            packet += [marker, UInt8(i)] + Array(repeating: 0xD5, count: 158)
            try sender.send(packet, to: host, port: UInt16(port))
            usleep(2_000)
            try drain(.milliseconds(1))
        }
        try drain(.milliseconds(300))
        return received
    }
}
