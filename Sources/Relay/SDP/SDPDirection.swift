/// RFC 3264 / RFC 8866 media direction attributes.
public enum SDPDirection: String, Sendable, Equatable, CaseIterable {
    case sendrecv
    case sendonly
    case recvonly
    case inactive

    init?(attributeName: ArraySlice<UInt8>) {
        for d in SDPDirection.allCases where SDPBytes.equalsIgnoringCase(attributeName, d.rawValue) {
            self = d
            return
        }
        return nil
    }
}
