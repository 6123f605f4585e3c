/// A transaction's handle, handed to the TU in every event. Small and unique for the life of the
/// layer (a counter, never reused), so the TU can key its own state by it safely even after the
/// transaction has terminated.
public struct SIPTransactionID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: SIPTransactionID, rhs: SIPTransactionID) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "tx#\(rawValue)" }
}

/// How a server transaction is found for an incoming request (RFC 3261 §17.2.3): the top Via's
/// branch and sent-by plus the method, with ACK folded into INVITE so that the ACK for a non-2xx
/// lands on the INVITE's transaction. A CANCEL has its own transaction (method CANCEL) and finds
/// its INVITE by looking the same branch up with method INVITE.
///
/// Requests without an RFC 3261 branch (RFC 2543 peers, RFC 4475 badbranch) get a key built from
/// Call-ID, CSeq number, From tag and the whole top Via instead; that approximates §17.2.3's
/// RFC 2543 rule closely enough for retransmission absorption (the To tag part is not checked).
public struct SIPServerTransactionKey: Sendable, Hashable {
    public var branch: String
    public var sentBy: String
    public var method: SIPMethod

    public init(branch: String, sentBy: String, method: SIPMethod) {
        self.branch = branch
        self.sentBy = sentBy
        self.method = method == .ack ? .invite : method
    }

    /// The key of a request, nil when the request has no usable top Via or CSeq.
    public init?(request: SIPMessage) {
        guard let method = request.method, let via = try? request.topVia else { return nil }
        let sentBy = via.host.text.lowercased() + ":" + String(via.port ?? 0)
        if via.hasRFC3261Branch, let branch = via.branch {
            self.init(branch: branch, sentBy: sentBy, method: method)
        } else {
            guard let callID = try? request.callID, let cseq = try? request.cseq else { return nil }
            let fromTag = (try? request.from.tag) ?? ""
            self.init(branch: "2543|\(callID)|\(cseq.sequence)|\(fromTag)|\(via)", sentBy: sentBy, method: method)
        }
    }

    /// The key of the INVITE a CANCEL (same branch and sent-by) refers to.
    public var matchingInvite: SIPServerTransactionKey {
        SIPServerTransactionKey(branch: branch, sentBy: sentBy, method: .invite)
    }
}

/// How a client transaction is found for a response (RFC 3261 §17.1.3): the top Via branch (ours)
/// and the CSeq method, so that the 200 for a CANCEL does not match the INVITE.
public struct SIPClientTransactionKey: Sendable, Hashable {
    public var branch: String
    public var method: SIPMethod

    public init(branch: String, method: SIPMethod) {
        self.branch = branch
        self.method = method
    }

    /// The key of a response (or of a request we send), nil without a branch or CSeq.
    public init?(message: SIPMessage) {
        guard let via = try? message.topVia, let branch = via.branch, let cseq = try? message.cseq else { return nil }
        self.init(branch: branch, method: cseq.method)
    }
}
