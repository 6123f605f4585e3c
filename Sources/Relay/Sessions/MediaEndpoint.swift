/// A transport address (IP and UDP port): what a side advertised in SDP, or what the data plane learned from the
/// source of its packets.
public struct MediaEndpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: MediaAddress
    public var port: UInt16

    public init(address: MediaAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// True for hold addresses (`0.0.0.0`) and port 0: the relay must not send there.
    public var isSendable: Bool { !address.isUnspecified && port != 0 }

    public var description: String {
        switch address {
        case .v4: return "\(address):\(port)"
        case .v6: return "[\(address)]:\(port)"
        }
    }
}
