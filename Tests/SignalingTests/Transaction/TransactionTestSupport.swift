@testable import Signaling

/// Messages and event inspection shared by the transaction and proxy tests.
enum TransactionTestSupport {
    static let client = SIPPeer(host: "192.0.2.10", port: 5060, transport: .udp)
    static let socket = LocalSocketRef(0)

    /// A request as text, CRLF line ends.
    static func request(_ method: String, uri: String = "sip:bob@example.com", branch: String = "z9hG4bKc1",
                        viaHost: String = "192.0.2.10:5060", transport: String = "UDP", cseq: Int = 1,
                        maxForwards: Int? = 70, toTag: String? = nil, callID: String = "call-1",
                        extra: [String] = []) -> SIPMessage
    {
        var lines = ["\(method) \(uri) SIP/2.0", "Via: SIP/2.0/\(transport) \(viaHost);branch=\(branch)"]
        if let maxForwards { lines.append("Max-Forwards: \(maxForwards)") }
        lines.append("From: <sip:alice@example.com>;tag=a1")
        lines.append("To: <sip:bob@example.com>" + (toTag.map { ";tag=\($0)" } ?? ""))
        lines.append("Call-ID: \(callID)")
        lines.append("CSeq: \(cseq) \(method)")
        lines += extra
        lines.append("Content-Length: 0")
        // The test inputs are well-formed by construction.
        return try! SIPMessage.parse(lines.joined(separator: "\r\n") + "\r\n\r\n")
    }

    static func response(to request: SIPMessage, _ status: Int, _ reason: String = "Whatever", toTag: String? = "b1",
                         extra: [SIPHeaderLine] = []) -> SIPMessage
    {
        try! SIPMessage.response(to: request, status: status, reason: reason, toTag: toTag, extraHeaders: extra.map(\.tuple))
    }
}

extension SIPTransactionEvent {
    var sent: SIPMessage? {
        if case .send(let m, _, _) = self { return m }
        return nil
    }

    var sentTo: SIPPeer? {
        if case .send(_, let peer, _) = self { return peer }
        return nil
    }

    var isTerminated: Bool {
        if case .terminated = self { return true }
        return false
    }

    var timeoutTimer: SIPTimerName? {
        if case .timeout(_, let timer) = self { return timer }
        return nil
    }

    var deliveredRequest: SIPMessage? {
        if case .request(let m, _, _, _) = self { return m }
        return nil
    }

    var deliveredResponse: SIPMessage? {
        if case .response(let m, _) = self { return m }
        return nil
    }

    var serverID: SIPTransactionID? {
        if case .request(_, let id, _, _) = self { return id }
        return nil
    }
}

extension Array where Element == SIPTransactionEvent {
    var sent: [SIPMessage] { compactMap(\.sent) }
    var sentStatuses: [Int] { sent.compactMap(\.statusCode) }
    var sentMethods: [SIPMethod] { sent.compactMap(\.method) }
    var terminated: Bool { contains { $0.isTerminated } }
    var timeouts: [SIPTimerName] { compactMap(\.timeoutTimer) }
}

extension SIPInstant {
    static func ms(_ value: Int64) -> SIPInstant { SIPInstant(milliseconds: value) }
}
