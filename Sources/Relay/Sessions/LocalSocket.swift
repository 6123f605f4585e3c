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

    public var endpoint: MediaEndpoint { MediaEndpoint(address: address, port: port) }

    public var description: String { "\(endpoint)@\(interface)" }
}
