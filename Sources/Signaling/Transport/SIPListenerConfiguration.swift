/// One local address to listen on, and how it is known from outside.
public struct SIPListenerConfiguration: Hashable, Sendable {
    /// The local IP address to bind ("0.0.0.0", "::" or a specific address). Bind a specific address on multi-homed
    /// hosts: replies from a wildcard UDP socket leave with whatever source address the kernel's route picks.
    public var host: String
    /// The local port; 0 picks an ephemeral port (tests), reported by `BoundListener.localAddress`.
    public var port: Int
    /// UDP or TCP.
    public var transport: SIPTransportKind
    /// The address to put in Via/Record-Route/Contact when this host sits behind NAT (a public IP or name); nil means
    /// the bound address. The transport itself never uses it; it is carried for the proxy and registrar.
    public var advertisedHost: String?
    /// The port to advertise; nil means the bound port.
    public var advertisedPort: Int?

    public init(
        host: String,
        port: Int,
        transport: SIPTransportKind,
        advertisedHost: String? = nil,
        advertisedPort: Int? = nil
    ) {
        self.host = host
        self.port = port
        self.transport = transport
        self.advertisedHost = advertisedHost
        self.advertisedPort = advertisedPort
    }
}
