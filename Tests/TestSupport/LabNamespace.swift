/// A network namespace created by a `NetworkLab`. A plain value: the lab owns the namespace's lifetime.
public struct LabNamespace: Sendable, Hashable, CustomStringConvertible {
    /// The full name under /run/netns, e.g. `tdm4242-1-phone`; what `ip netns exec` takes.
    public let name: String
    /// The short role the test gave it, e.g. `phone`.
    public let role: String

    /// The bind-mount file `setns` opens.
    public var path: String { "\(LabPaths.netnsDirectory)/\(name)" }

    public var description: String { name }
}

/// A namespace holding one Linux bridge (`br0`): an Ethernet segment several lab namespaces can join, like a LAN
/// switch. Its bridge ports are veth ends named `p1`, `p2`, … inside the switch namespace.
public struct LabSwitch: Sendable, Hashable, CustomStringConvertible {
    public let namespace: LabNamespace
    public static let bridgeName = "br0"

    public var description: String { "switch \(namespace.name)" }
}
