/// The answering half of an ICE-lite agent (RFC 8445 §2.5, §7.3): what to say to one incoming connectivity check,
/// sans I/O. The caller supplies the request, its source and the local credentials of the stream it arrived on,
/// and sends whatever comes back from that stream's socket to that source.
///
/// Decisions (RFC 8489 §6.3, §9.1.3; RFC 8445 §7.3):
/// - not a well-formed STUN message, a FINGERPRINT that does not match, or not a request (responses and
///   indications: a lite agent sends no requests) → nothing is sent;
/// - a request for another method → 400;
/// - no USERNAME or no MESSAGE-INTEGRITY → 400;
/// - a USERNAME that does not start with our ufrag followed by ':' → 401 (not a username valid here);
/// - MESSAGE-INTEGRITY that does not verify with our password → 401;
/// - unknown comprehension-required attributes → 420 with UNKNOWN-ATTRIBUTES;
/// - otherwise a Binding success: XOR-MAPPED-ADDRESS (the source as seen here), MESSAGE-INTEGRITY with our
///   password, FINGERPRINT.
/// Error responses carry no MESSAGE-INTEGRITY (the request was not authenticated, §9.1.3) but carry FINGERPRINT,
/// as every ICE message does. rtpengine answers checks the same way (401 on a bad integrity), so peers that work
/// with it see the same behaviour here.
public enum ICELiteResponder {
    /// Why a check got no success.
    public enum Failure: String, Hashable, Sendable {
        case malformed
        case badFingerprint
        case notRequest
        case badRequest
        case unknownUsername
        case badIntegrity
        case unknownAttributes
    }

    public enum Verdict: Hashable, Sendable {
        /// Send `response`; `nominated` when the check carried USE-CANDIDATE (the controlling peer picked this
        /// pair).
        case success(response: [UInt8], nominated: Bool)
        /// Send `response` (an error response), counted as `failure`.
        case error(response: [UInt8], failure: Failure)
        /// Send nothing.
        case ignore(Failure)
    }

    /// Attributes a check may carry that we understand (comprehension-required ones outside this set get a 420).
    static let known: Set<UInt16> = [
        STUNAttributeType.username, STUNAttributeType.messageIntegrity, STUNAttributeType.priority,
        STUNAttributeType.useCandidate, STUNAttributeType.xorMappedAddress, STUNAttributeType.mappedAddress,
        STUNAttributeType.errorCode, 0x001C, // MESSAGE-INTEGRITY-SHA256: accepted, not required (§14.6)
    ]

    /// Answers one request received from `source` on a socket whose local ICE credentials are `ufrag`/`password`.
    public static func answer(_ request: [UInt8], from source: STUNTransportAddress, ufrag: [UInt8],
                              password: [UInt8]) -> Verdict {
        let message: STUNMessage
        do {
            message = try STUNMessage(parsing: request)
        } catch {
            return .ignore(.malformed)
        }
        if message.attribute(STUNAttributeType.fingerprint) != nil && !message.fingerprintIsValid {
            return .ignore(.badFingerprint)
        }
        guard message.type.messageClass == .request else { return .ignore(.notRequest) }
        guard message.type.method == STUNMessageType.binding else {
            return .error(response: error(400, "Bad Request", for: message), failure: .badRequest)
        }
        guard let username = message.value(of: STUNAttributeType.username),
              message.attribute(STUNAttributeType.messageIntegrity) != nil else {
            return .error(response: error(400, "Bad Request", for: message), failure: .badRequest)
        }
        let expectedPrefix = ufrag + [UInt8(ascii: ":")]
        guard username.count > expectedPrefix.count, username.starts(with: expectedPrefix) else {
            return .error(response: error(401, "Unauthenticated", for: message), failure: .unknownUsername)
        }
        guard STUNMessageIntegrity.isValid(message, key: password) else {
            return .error(response: error(401, "Unauthenticated", for: message), failure: .badIntegrity)
        }
        let unknown = message.unknownRequiredAttributes(known: known)
        if !unknown.isEmpty {
            var writer = STUNMessageWriter(type: STUNMessageType(method: message.type.method,
                                                                 messageClass: .errorResponse),
                                           transactionID: message.transactionID)
            writer.appendErrorCode(420, reason: "Unknown Attribute")
            writer.append(STUNAttributeType.unknownAttributes,
                          unknown.prefix(16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
            writer.appendFingerprint()
            return .error(response: writer.bytes, failure: .unknownAttributes)
        }
        var writer = STUNMessageWriter(type: STUNMessageType(method: STUNMessageType.binding,
                                                             messageClass: .successResponse),
                                       transactionID: message.transactionID)
        writer.appendXORMappedAddress(source)
        writer.appendMessageIntegrity(key: password)
        writer.appendFingerprint()
        return .success(response: writer.bytes,
                        nominated: message.attribute(STUNAttributeType.useCandidate) != nil)
    }

    static func error(_ code: Int, _ reason: String, for message: STUNMessage) -> [UInt8] {
        var writer = STUNMessageWriter(type: STUNMessageType(method: message.type.method, messageClass: .errorResponse),
                                       transactionID: message.transactionID)
        writer.appendErrorCode(code, reason: reason)
        writer.appendFingerprint()
        return writer.bytes
    }
}
