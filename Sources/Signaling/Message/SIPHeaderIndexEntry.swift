/// Where one header line sits in the message bytes. The parser records one of these per line and
/// nothing else: values are decoded only when someone asks (see `SIPMessage+Headers.swift`).
///
/// Offsets are `Int32` so that an entry is 20 bytes; messages are bounded by `SIPLimits` far below 2 GiB.
public struct SIPHeaderIndexEntry: Sendable, Equatable {
    public var kind: SIPHeaderKind
    var nameStart32: Int32
    var nameEnd32: Int32
    var valueStart32: Int32
    var valueEnd32: Int32
    /// Just past the CRLF that ends the line (folded continuations included).
    var lineEnd32: Int32

    init(kind: SIPHeaderKind, nameStart: Int, nameEnd: Int, valueStart: Int, valueEnd: Int, lineEnd: Int) {
        self.kind = kind
        nameStart32 = Int32(truncatingIfNeeded: nameStart)
        nameEnd32 = Int32(truncatingIfNeeded: nameEnd)
        valueStart32 = Int32(truncatingIfNeeded: valueStart)
        valueEnd32 = Int32(truncatingIfNeeded: valueEnd)
        lineEnd32 = Int32(truncatingIfNeeded: lineEnd)
    }

    /// The header name as written (possibly compact, any case).
    public var nameRange: Range<Int> { Int(nameStart32)..<Int(nameEnd32) }
    /// The value, without leading/trailing whitespace; may contain folds (CRLF + WSP).
    public var valueRange: Range<Int> { Int(valueStart32)..<Int(valueEnd32) }
    /// The whole line including its CRLF.
    public var lineRange: Range<Int> { Int(nameStart32)..<Int(lineEnd32) }

    mutating func shift(by delta: Int) {
        let d = Int32(truncatingIfNeeded: delta)
        nameStart32 &+= d
        nameEnd32 &+= d
        valueStart32 &+= d
        valueEnd32 &+= d
        lineEnd32 &+= d
    }
}
