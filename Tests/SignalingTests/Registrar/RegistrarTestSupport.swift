@testable import Signaling

/// Builders shared by the registrar, location and keepalive suites.
enum RegistrarFixture {
    static let t0 = RegistrarInstant(seconds: 1_700_000_000)
    static let phone = RegistrarPeer(host: "203.0.113.7", port: 40_123, transport: .udp)
    static let socket = LocalSocketRef(3)

    /// A REGISTER from a phone at 192.168.1.20:5060 (behind a NAT unless `via` says otherwise).
    static func register(user: String = "alice", domain: String = "example.com", callID: String = "reg-1",
                         cseq: UInt32 = 1, contacts: [String] = ["<sip:alice@192.168.1.20:5060>"],
                         expires: Int? = nil, via: String = "SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK1;rport",
                         extra: [String] = []) -> SIPMessage
    {
        var lines = [
            "REGISTER sip:\(domain) SIP/2.0",
            "Via: \(via)",
            "Max-Forwards: 70",
            "To: <sip:\(user)@\(domain)>",
            "From: <sip:\(user)@\(domain)>;tag=f1",
            "Call-ID: \(callID)",
            "CSeq: \(cseq) REGISTER",
        ]
        lines += contacts.map { "Contact: \($0)" }
        if let expires { lines.append("Expires: \(expires)") }
        lines += extra
        lines.append("Content-Length: 0")
        let text = lines.joined(separator: "\r\n") + "\r\n\r\n"
        // Test input is well-formed; a parse failure is a fixture bug.
        return try! SIPMessage.parse(text)
    }

    static func response(_ output: RegistrarOutput) -> SIPMessage? {
        if case .respond(let m) = output.action { return m }
        return nil
    }

    static func binding(_ user: String, _ contact: String, q: Int = 1000, updatedAt: RegistrarInstant = t0,
                        expiresAt: RegistrarInstant = t0.adding(seconds: 3600),
                        source: RegistrarPeer = phone, nat: NATStatus = [.contactPrivate]) -> RegistrarBinding
    {
        let aor = AddressOfRecord(user: user, host: "example.com")
        return RegistrarBinding(
            key: RegistrarBindingKey(aor: aor, contactURI: contact), contact: "<\(contact)>", callID: "c-\(contact)",
            cseq: 1, expiresAt: expiresAt, q: q, registeredAt: updatedAt, updatedAt: updatedAt, source: source,
            socket: socket, nat: nat, path: ["<sip:p1.example.net;lr>"], userAgent: "UA/1", instance: nil)
    }
}
