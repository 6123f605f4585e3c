@testable import Signaling

/// Builders shared by the presence, BLF and messaging suites.
enum PresenceFixture {
    static let phone = SIPPeer(host: "203.0.113.9", port: 5060, transport: .udp)

    static func aor(_ user: String, _ domain: String = "example.com") -> AddressOfRecord {
        AddressOfRecord(user: user, host: domain)
    }

    static func parse(_ lines: [String], body: String = "") -> SIPMessage {
        let text = (lines + ["Content-Length: \(body.utf8.count)"]).joined(separator: "\r\n") + "\r\n\r\n" + body
        // Test input is well-formed; a parse failure is a fixture bug.
        return try! SIPMessage.parse(text)
    }

    static func subscribe(watcher: String = "alice", watcherDomain: String = "example.com", target: String = "bob",
                          event: String = "presence", expires: Int? = 600, callID: String = "sub-1",
                          toTag: String? = nil, cseq: UInt32 = 1) -> SIPMessage
    {
        var lines = [
            "SUBSCRIBE sip:\(target)@example.com SIP/2.0",
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK\(callID)\(cseq)",
            "Max-Forwards: 70",
            "From: <sip:\(watcher)@\(watcherDomain)>;tag=w1",
            "To: <sip:\(target)@example.com>" + (toTag.map { ";tag=\($0)" } ?? ""),
            "Call-ID: \(callID)",
            "CSeq: \(cseq) SUBSCRIBE",
            "Contact: <sip:\(watcher)@192.0.2.10:5060>",
            "Record-Route: <sip:edge.example.com;lr>",
            "Event: \(event)",
        ]
        if let expires { lines.append("Expires: \(expires)") }
        return parse(lines)
    }

    static func publish(user: String = "bob", etag: String? = nil, expires: Int? = 3600, pidf: String? = nil,
                        event: String = "presence", cseq: UInt32 = 1) -> SIPMessage
    {
        var lines = [
            "PUBLISH sip:\(user)@example.com SIP/2.0",
            "Via: SIP/2.0/UDP 192.0.2.20:5060;branch=z9hG4bKpub\(cseq)",
            "Max-Forwards: 70",
            "From: <sip:\(user)@example.com>;tag=p1",
            "To: <sip:\(user)@example.com>",
            "Call-ID: pub-\(user)",
            "CSeq: \(cseq) PUBLISH",
            "Event: \(event)",
        ]
        if let etag { lines.append("SIP-If-Match: \(etag)") }
        if let expires { lines.append("Expires: \(expires)") }
        if pidf != nil { lines.append("Content-Type: application/pidf+xml") }
        return parse(lines, body: pidf ?? "")
    }

    static func pidf(_ user: String = "bob", tuple: String = "t1", basic: String = "open", note: String? = nil,
                     activity: String? = nil) -> String
    {
        var s = """
        <?xml version="1.0" encoding="UTF-8"?>
        <presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model" \
        xmlns:rpid="urn:ietf:params:xml:ns:pidf:rpid" entity="sip:\(user)@example.com">
        <tuple id="\(tuple)"><status><basic>\(basic)</basic></status><contact>sip:\(user)@192.0.2.20</contact></tuple>
        """
        if note != nil || activity != nil {
            s += "<dm:person id=\"p\">"
            if let activity { s += "<rpid:activities><rpid:\(activity)/></rpid:activities>" }
            if let note { s += "<dm:note>\(note)</dm:note>" }
            s += "</dm:person>"
        }
        return s + "</presence>"
    }

    static func message(to user: String = "bob", body: String = "hello") -> SIPMessage {
        parse([
            "MESSAGE sip:\(user)@example.com SIP/2.0",
            "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKmsg1",
            "Max-Forwards: 70",
            "From: \"Alice\" <sip:alice@example.com>;tag=m1",
            "To: <sip:\(user)@example.com>",
            "Call-ID: msg-1",
            "CSeq: 1 MESSAGE",
            "Content-Type: text/plain",
        ], body: body)
    }

    static func responses(_ actions: [SubscriptionAction]) -> [SIPMessage] {
        actions.compactMap { if case .respond(let m) = $0 { return m } else { return nil } }
    }

    static func notifies(_ actions: [SubscriptionAction]) -> [SIPMessage] {
        actions.compactMap { if case .sendNotify(let m, _, _) = $0 { return m } else { return nil } }
    }

    static func expired(_ actions: [SubscriptionAction]) -> [SubscriptionID] {
        actions.compactMap { if case .expired(let id) = $0 { return id } else { return nil } }
    }

    static func header(_ message: SIPMessage, _ name: String) -> String? { message.values(named: name).first }

    static func bodyText(_ message: SIPMessage) -> String { String(decoding: message.body, as: UTF8.self) }
}
