import Foundation

/// Links, switches, addresses, routes and sysctls. All of them act inside lab namespaces only (`ip -n NS ...`,
/// sysctl writes from a thread inside the namespace), never on the host's root namespace.
extension NetworkLab {
    /// Linux limits interface names to 15 bytes (IFNAMSIZ - 1).
    static func validateInterface(_ name: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
        guard !name.isEmpty, name.utf8.count <= 15, name.allSatisfy({ allowed.contains($0) }) else {
            throw NetworkLabError.invalidName(name, reason: "interface names are 1...15 of [A-Za-z0-9-_.]")
        }
    }

    /// Connects two namespaces with a veth pair: `aInterface` in `a`, `bInterface` in `b`, both up, with the given
    /// addresses (`10.77.1.1/24`, `fd77:1::1/64`, …). The pair is created inside `a` and its peer end moved straight
    /// into `b`, so it never appears in the root namespace and names only need to be unique per namespace.
    public func link(_ a: LabNamespace, interface aInterface: String, addresses aAddresses: [String] = [],
                     to b: LabNamespace, interface bInterface: String, addresses bAddresses: [String] = []) throws {
        try NetworkLab.validateInterface(aInterface)
        try NetworkLab.validateInterface(bInterface)
        let parsedA = try aAddresses.map(LabAddress.init)
        let parsedB = try bAddresses.map(LabAddress.init)
        try ip(["-n", a.name, "link", "add", aInterface, "type", "veth", "peer", "name", bInterface, "netns", b.name])
        try configure(a, interface: aInterface, addresses: parsedA)
        try configure(b, interface: bInterface, addresses: parsedB)
        if parsedA.contains(where: \.isIPv6) { try waitForIPv6(a, interface: aInterface) }
        if parsedB.contains(where: \.isIPv6) { try waitForIPv6(b, interface: bInterface) }
    }

    /// Waits (≤ 3 s) until IPv6 is running on `interface`. The kernel finishes an interface's IPv6 setup (its
    /// multicast route, without which incoming neighbour solicitations are dropped as "no route") only when the
    /// link-state watcher reports the carrier, up to a second after `link set up`; until then the first IPv6
    /// datagram towards it waits for a neighbour-discovery retry, 1 s later.
    private func waitForIPv6(_ namespace: LabNamespace, interface: String) throws {
        let ipPath = try LabTools.requireIP()
        let argv = [ipPath, "-n", namespace.name, "-6", "route", "show", "table", "local", "dev", interface]
        for _ in 0..<150 {
            if try LabCommand.run(argv).stdout.contains("ff00::/8") { return }
            usleep(20_000)
        }
        throw NetworkLabError.requirementsNotMet("IPv6 did not come up on \(interface) in \(namespace.name) within 3 s")
    }

    private func configure(_ namespace: LabNamespace, interface: String, addresses: [LabAddress]) throws {
        for address in addresses {
            try addAddress(address, to: interface, in: namespace)
        }
        try ip(["-n", namespace.name, "link", "set", interface, "up"])
    }

    private func addAddress(_ address: LabAddress, to interface: String, in namespace: LabNamespace) throws {
        // `nodad`: no duplicate address detection (the namespace default is off too, see `addNamespace`).
        let extra = address.isIPv6 ? ["nodad"] : []
        try ip(["-n", namespace.name, "address", "add", address.cidr, "dev", interface] + extra)
    }

    /// Adds one more address to an existing interface.
    public func addAddress(_ address: String, to interface: String, in namespace: LabNamespace) throws {
        try addAddress(try LabAddress(address), to: interface, in: namespace)
    }

    /// Creates a switch: namespace `prefix + role` holding bridge `br0`, up.
    public func addSwitch(_ role: String) throws -> LabSwitch {
        let namespace = try addNamespace(role)
        try ip(["-n", namespace.name, "link", "add", LabSwitch.bridgeName, "type", "bridge"])
        try ip(["-n", namespace.name, "link", "set", LabSwitch.bridgeName, "up"])
        return LabSwitch(namespace: namespace)
    }

    /// Plugs `namespace` into `labSwitch`: a veth whose `interface` end (with `addresses`) is in `namespace` and
    /// whose other end is a bridge port `p<N>` of the switch.
    public func attach(_ namespace: LabNamespace, to labSwitch: LabSwitch, interface: String, addresses: [String] = []) throws {
        let port = nextSwitchPort(labSwitch)
        try link(labSwitch.namespace, interface: port, addresses: [], to: namespace, interface: interface, addresses: addresses)
        try ip(["-n", labSwitch.namespace.name, "link", "set", port, "master", LabSwitch.bridgeName])
    }

    /// Sets (replaces) the default route of `namespace` via `gateway`; IPv4 or IPv6 follows the gateway's family.
    public func setDefaultRoute(_ namespace: LabNamespace, via gateway: String) throws {
        let parsed = try LabAddress(gateway)
        try ip(["-n", namespace.name] + (parsed.isIPv6 ? ["-6"] : []) + ["route", "replace", "default", "via", parsed.address])
    }

    /// Adds (replaces) a route to `destination` (a lab prefix such as `10.78.2.0/24`) via `gateway`.
    public func addRoute(_ namespace: LabNamespace, to destination: String, via gateway: String) throws {
        let target = try LabAddress(destination)
        let parsed = try LabAddress(gateway)
        try ip(["-n", namespace.name] + (parsed.isIPv6 ? ["-6"] : []) + ["route", "replace", target.cidr, "via", parsed.address])
    }

    /// Turns on IPv4 and IPv6 forwarding inside `namespace` (for namespaces that route: routers, not hosts).
    public func enableForwarding(_ namespace: LabNamespace) throws {
        try setSysctl(namespace, "net.ipv4.ip_forward", "1")
        try setSysctl(namespace, "net.ipv6.conf.all.forwarding", "1")
    }

    /// Writes a `net.*` sysctl inside `namespace`. Only `net.*` keys are accepted: they are per network namespace,
    /// whereas any other sysctl is host-wide and must not be changed by tests.
    ///
    /// Written from a thread that entered the namespace: /proc/sys/net resolves against the *writing thread's*
    /// network namespace, so this never touches the host's values.
    public func setSysctl(_ namespace: LabNamespace, _ key: String, _ value: String) throws {
        let path = try NetworkLab.sysctlPath(key)
        try withNamespace(namespace) {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw NetworkLabError.systemCall("open \(path)", errno: errno) }
            defer { close(fd) }
            let bytes = Array((value + "\n").utf8)
            guard write(fd, bytes, bytes.count) == bytes.count else {
                throw NetworkLabError.systemCall("write \(path) = \(value)", errno: errno)
            }
        }
    }

    /// Reads a `net.*` sysctl as seen inside `namespace`, without the trailing newline.
    public func readSysctl(_ namespace: LabNamespace, _ key: String) throws -> String {
        let path = try NetworkLab.sysctlPath(key)
        return try withNamespace(namespace) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw NetworkLabError.systemCall("read \(path)", errno: errno == 0 ? ENOENT : errno)
            }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    static func sysctlPath(_ key: String) throws -> String {
        guard key.hasPrefix("net."), !key.contains("/"), !key.contains("..") else {
            throw NetworkLabError.invalidName(key, reason: "only per-namespace net.* sysctls may be set by the lab")
        }
        return "/proc/sys/" + key.replacingOccurrences(of: ".", with: "/")
    }

    /// Loads an nftables ruleset (the text `nft -f` reads) inside `namespace`.
    public func loadNFTables(_ namespace: LabNamespace, ruleset: String) throws {
        let path = "\(workDirectory)/\(namespace.role)-\(UUID().uuidString).nft"
        guard FileManager.default.createFile(atPath: path, contents: Data(ruleset.utf8)) else {
            throw NetworkLabError.systemCall("write \(path)", errno: errno)
        }
        defer { unlink(path) }
        try run(namespace, [try LabTools.requireNFT(), "-f", path]).checked()
    }
}
