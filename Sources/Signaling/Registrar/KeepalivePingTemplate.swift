/// The bytes of a keepalive OPTIONS from one local socket, cut where the per-binding Contact and
/// the per-ping id go.
///
/// Why: at 100k bindings pinged every 20 s the edge sends 5,000 pings a second; building each as a
/// `SIPMessage` (header tuples, `String` formatting, a serialiser pass) cost more than the send.
/// Everything but the Request-URI/To (the binding's Contact, kept as bytes) and the id (16 hex
/// digits, twice: branch and Call-ID) is the same for every ping of a socket, so it is formatted
/// once here and a ping is a handful of `append(contentsOf:)` into one reserved array.
///
/// The id has a fixed width so a reply can be matched by position-free byte comparison
/// (`KeepaliveReplyScanner`) and never needs `String` work either.
struct KeepalivePingTemplate: Sendable {
    /// Hex digits of the ping id in Call-ID and branch.
    static let idDigits = 16

    /// `OPTIONS ` (then the Contact).
    private static let requestStart: [UInt8] = Array("OPTIONS ".utf8)
    /// ` SIP/2.0` … `;branch=z9hG4bK<prefix>` (then the id).
    private let beforeBranchID: [UInt8]
    /// `;rport` … `To: <` (then the Contact).
    private let beforeToURI: [UInt8]
    /// `>` … `Call-ID: <prefix>-` (then the id).
    private let beforeCallID: [UInt8]
    /// `CSeq`, `Content-Length` and the blank line.
    private static let tail: [UInt8] = Array("\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n".utf8)

    /// `transport`: the Via transport token (`UDP`); `sentBy`: the socket's `host[:port]`.
    init(prefix: String, fromURI: String, transport: String, sentBy: String) {
        beforeBranchID = Array(" SIP/2.0\r\nVia: SIP/2.0/\(transport) \(sentBy);branch=z9hG4bK\(prefix)".utf8)
        beforeToURI = Array(";rport\r\nMax-Forwards: 70\r\nFrom: <\(fromURI)>;tag=\(prefix)\r\nTo: <".utf8)
        beforeCallID = Array(">\r\nCall-ID: \(prefix)-".utf8)
    }

    /// The whole datagram of ping `pingID` to `contact` (the Request-URI bytes).
    func render(pingID: UInt64, contact: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(Self.requestStart.count + beforeBranchID.count + beforeToURI.count + beforeCallID.count
            + Self.tail.count + 2 * contact.count + 2 * Self.idDigits)
        render(pingID: pingID, contact: contact, into: &out)
        return out
    }

    /// Appends the datagram to `out` (a tick's pings share one array, `KeepalivePingBatch`, which
    /// grows geometrically and keeps its capacity from tick to tick: no reserve per ping here).
    func render(pingID: UInt64, contact: [UInt8], into out: inout [UInt8]) {
        contact.withUnsafeBufferPointer { render(pingID: pingID, contact: $0, into: &out) }
    }

    /// `render(pingID:contact:into:)` from borrowed Contact bytes: the scheduler lends the entry's
    /// array in place (a copy of it per ping was a retain and a release).
    func render(pingID: UInt64, contact: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(contentsOf: Self.requestStart)
        out.append(contentsOf: contact)
        out.append(contentsOf: beforeBranchID)
        Self.appendHex(pingID, to: &out)
        out.append(contentsOf: beforeToURI)
        out.append(contentsOf: contact)
        out.append(contentsOf: beforeCallID)
        Self.appendHex(pingID, to: &out)
        out.append(contentsOf: Self.tail)
    }

    /// `value` as exactly `idDigits` lowercase hex digits.
    /// The digits are written into a 16-byte local and appended at once (one capacity check, not sixteen).
    static func appendHex(_ value: UInt64, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64) = (0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            var shift = UInt64(4 * (idDigits - 1))
            for k in 0..<idDigits {
                let nibble = UInt8(truncatingIfNeeded: (value >> shift) & 0xF)
                d[k] = nibble < 10 ? 0x30 &+ nibble : 0x61 &+ (nibble &- 10)
                shift &-= 4
            }
        }
        withUnsafeBytes(of: &digits) { out.append(contentsOf: $0) }
    }

    /// `value` as the fixed-width hex `String` (Call-ID/branch values for the slow path).
    static func hex(_ value: UInt64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(idDigits)
        appendHex(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
