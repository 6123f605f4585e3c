import Relay

/// One step of a call's life as an ng client drives it.
public enum NGCallStep: String, Sendable, CaseIterable, Codable {
    case offer, answer, delete
}

/// What an ng client sends for one call: offer (caller's SDP), answer (callee's SDP), delete — or a prefix of that.
public struct NGCallScript: Sendable {
    public var callID: String
    public var fromTag: String
    public var toTag: String
    public var offerSDP: [UInt8]
    public var answerSDP: [UInt8]
    public var steps: [NGCallStep]

    public init(callID: String, fromTag: String, toTag: String, offerSDP: [UInt8], answerSDP: [UInt8],
                steps: [NGCallStep]) {
        self.callID = callID
        self.fromTag = fromTag
        self.toTag = toTag
        self.offerSDP = offerSDP
        self.answerSDP = answerSDP
        self.steps = steps
    }

    /// The ng dictionary for `step`, with the keys rtpengine documents (and `tandem relay` accepts).
    public func request(for step: NGCallStep) -> NGDictionary {
        var d: NGDictionary = ["command": .text(step.rawValue), "call-id": .text(callID), "from-tag": .text(fromTag)]
        switch step {
        case .offer:
            d.append("sdp", .string(offerSDP))
        case .answer:
            d.append("to-tag", .text(toTag))
            d.append("sdp", .string(answerSDP))
        case .delete:
            break
        }
        return d
    }

    /// A minimal audio SDP as a SIP UA would send it: one PCMA stream at `port` on `address`.
    public static func audioSDP(address: String, port: Int, sessionID: UInt64, ptime: Int = 20) -> [UInt8] {
        let text = "v=0\r\n" +
            "o=- \(sessionID) 1 IN IP4 \(address)\r\n" +
            "s=tandem-perf\r\n" +
            "c=IN IP4 \(address)\r\n" +
            "t=0 0\r\n" +
            "m=audio \(port) RTP/AVP 8\r\n" +
            "a=rtpmap:8 PCMA/8000\r\n" +
            "a=ptime:\(ptime)\r\n" +
            "a=sendrecv\r\n"
        return Array(text.utf8)
    }

    /// The first audio stream's connection address and port in a relay's rewritten SDP.
    public static func mediaEndpoint(inSDP sdp: [UInt8]) -> IPv4Endpoint? {
        guard let parsed = try? SDPSessionDescription(parsing: sdp), !parsed.media.isEmpty,
              let port = parsed.media[0].port, let connection = parsed.connection(forMediaAt: 0) else { return nil }
        return IPv4Endpoint(host: String(decoding: connection.address.address, as: UTF8.self), port: port)
    }
}

/// How one scripted call ended.
public struct NGCallOutcome: Sendable {
    public var offerReplySDP: [UInt8]?
    public var answerReplySDP: [UInt8]?
    /// The first step that failed and why (an error reply's reason, or "timeout").
    public var failure: (step: NGCallStep, reason: String)?

    public init() {}
    public var succeeded: Bool { failure == nil }
}
