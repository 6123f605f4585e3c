/// Writes keepalive OPTIONS requests and recognises their replies. Call-ID and branch both carry
/// the ping id (16 hex digits), so a reply is matched with one dictionary look-up and a stray or
/// forged reply cannot match another ping.
///
/// Pings are rendered from a per-socket byte template (`KeepalivePingTemplate`); replies are
/// matched from their bytes first (`KeepaliveReplyScanner`) and, if the scan declines, from the
/// parsed message (`pingID(of:)`).
struct KeepalivePingBuilder: Sendable {
    /// Random per process so ids never repeat across restarts.
    let prefix: String
    let fromURI: String
    let scanner: KeepaliveReplyScanner

    init(prefix: String, fromURI: String) {
        self.prefix = prefix
        self.fromURI = fromURI
        scanner = KeepaliveReplyScanner(prefix: prefix)
    }

    func callID(_ pingID: UInt64) -> String { "\(prefix)-\(KeepalivePingTemplate.hex(pingID))" }
    func branch(_ pingID: UInt64) -> String { "z9hG4bK\(prefix)\(KeepalivePingTemplate.hex(pingID))" }

    /// The template for pings leaving a socket whose Via says `transport` and `sentBy`.
    func template(transport: RegistrarTransport, sentBy: String) -> KeepalivePingTemplate {
        KeepalivePingTemplate(prefix: prefix, fromURI: fromURI, transport: transport.rawValue.uppercased(), sentBy: sentBy)
    }

    /// The ping id a parsed response answers, or nil when it is not a reply to one of our pings.
    func pingID(of response: SIPMessage) -> UInt64? {
        guard response.isResponse, let cseq = try? response.cseq, cseq.method == .options,
              let callID = try? response.callID, callID.hasPrefix(prefix + "-") else { return nil }
        guard let id = UInt64(callID.dropFirst(prefix.utf8.count + 1), radix: 16) else { return nil }
        if let branch = (try? response.topVia)?.branch, branch != self.branch(id) { return nil }
        return id
    }

    /// The ping id of a reply from its raw bytes; nil sends the message down the normal path.
    func pingID(inReply bytes: UnsafeRawBufferPointer) -> UInt64? { scanner.pingID(bytes) }
}
