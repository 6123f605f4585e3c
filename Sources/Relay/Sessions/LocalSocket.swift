/// A UDP socket the relay owns: an interface's bind address and an allocated port. The data plane binds one
/// socket per distinct value; an RTCP stream multiplexed on its RTP socket shares the RTP stream's value.
public struct LocalSocket: Hashable, Sendable, CustomStringConvertible {
    public var interface: InterfaceID
    public var address: MediaAddress
    public var port: UInt16

    public init(interface: InterfaceID, address: MediaAddress, port: UInt16) {
        self.interface = interface
        self.address = address
        self.port = port
    }

    /// One 64-bit word for an IPv4 socket instead of the synthesized field-by-field hash: several dictionaries
    /// of the ng path are keyed by `LocalSocket` (issue 3). Equality stays the synthesized one.
    public func hash(into hasher: inout Hasher) {
        switch address {
        case .v4(let value):
            hasher.combine(UInt64(interface.rawValue) << 48 | UInt64(port) << 32 | UInt64(value))
        case .v6(let high, let low):
            hasher.combine(UInt64(interface.rawValue) << 48 | UInt64(port) << 32 | 1 << 31)
            hasher.combine(high)
            hasher.combine(low)
        }
    }

    public var endpoint: MediaEndpoint { MediaEndpoint(address: address, port: port) }

    public var description: String { "\(endpoint)@\(interface)" }
}
