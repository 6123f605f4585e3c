/// How a line ended in the original body. Kept per line so an unchanged body serializes byte for byte, and used
/// for new lines so an LF-only body stays LF-only.
public enum SDPLineTerminator: Sendable, Equatable {
    case crlf
    case lf
    /// The last line of a body that does not end with a line break.
    case absent

    @inlinable
    func write(into out: inout [UInt8]) {
        switch self {
        case .crlf: out.append(13); out.append(10)
        case .lf: out.append(10)
        case .absent: break
        }
    }
}
