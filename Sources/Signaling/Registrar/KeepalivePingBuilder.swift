/// Writes keepalive OPTIONS requests. Call-ID and branch both carry the ping id, so a reply is
/// matched with one dictionary look-up and a stray or forged reply cannot match another ping.
struct KeepalivePingBuilder: Sendable {
    /// Random per process so ids never repeat across restarts.
    let prefix: String
    let fromURI: String

    func callID(_ pingID: UInt64) -> String { "\(prefix)-\(String(pingID, radix: 16))" }
    func branch(_ pingID: UInt64) -> String { "z9hG4bK\(prefix)\(String(pingID, radix: 16))" }

    func ping(_ pingID: UInt64, to contact: SIPURI, transport: RegistrarTransport, sentBy: String) -> SIPMessage? {
        let headers: [(name: String, value: String)] = [
            ("Via", "SIP/2.0/\(transport.rawValue.uppercased()) \(sentBy);branch=\(branch(pingID));rport"),
            ("Max-Forwards", "70"),
            ("From", "<\(fromURI)>;tag=\(prefix)"),
            ("To", "<\(contact)>"),
            ("Call-ID", callID(pingID)),
            ("CSeq", "1 OPTIONS"),
        ]
        return try? SIPMessage.request(method: .options, uri: contact, headers: headers)
    }

    /// The ping id a response answers, or nil when it is not a reply to one of our pings.
    func pingID(of response: SIPMessage) -> UInt64? {
        guard response.isResponse, let cseq = try? response.cseq, cseq.method == .options,
              let callID = try? response.callID, callID.hasPrefix(prefix + "-") else { return nil }
        guard let id = UInt64(callID.dropFirst(prefix.utf8.count + 1), radix: 16) else { return nil }
        if let branch = (try? response.topVia)?.branch, branch != self.branch(id) { return nil }
        return id
    }
}
