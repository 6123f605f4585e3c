/// A named logical interface of the relay (rtpengine's `--interface=name/addr!advertised`) with its own port range.
/// Offers pick interfaces by name through ng `direction`, which is how the relay bridges a private and a public
/// network.
public struct RelayInterface: Hashable, Sendable {
    public var name: String
    /// Where the data plane binds sockets.
    public var address: MediaAddress
    /// What goes into rewritten SDP (the public address behind a 1:1 NAT); defaults to `address`.
    public var advertisedAddress: MediaAddress
    /// Inclusive port range (rtpengine's `port-min`/`port-max`). Only whole even/odd pairs inside it are used.
    public var portMin: UInt16
    public var portMax: UInt16

    public init(
        name: String,
        address: MediaAddress,
        advertisedAddress: MediaAddress? = nil,
        portMin: UInt16 = 30000,
        portMax: UInt16 = 40000
    ) {
        self.name = name
        self.address = address
        self.advertisedAddress = advertisedAddress ?? address
        self.portMin = portMin
        self.portMax = portMax
    }
}
