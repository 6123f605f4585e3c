import Foundation

/// An address (optionally with a prefix length) that the lab agrees to configure.
///
/// Only the project's own test ranges are accepted: IPv4 10.77.0.0/16 and 10.78.0.0/16, IPv6 fd77::/16 and
/// fd78::/16. Refusing anything else means a typo in a test can never route traffic to a real network.
public struct LabAddress: Sendable, Equatable, CustomStringConvertible {
    public let address: String
    public let prefixLength: Int?
    public let isIPv6: Bool

    /// `text` is `10.77.1.2`, `10.77.1.2/24`, `fd77::2` or `fd77::2/64`.
    public init(_ text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else {
            throw NetworkLabError.invalidAddress(text, reason: "expected ADDRESS or ADDRESS/PREFIX")
        }
        let address = String(parts[0])
        if parts.count == 2 {
            guard let length = Int(parts[1]) else { throw NetworkLabError.invalidAddress(text, reason: "bad prefix length") }
            prefixLength = length
        } else {
            prefixLength = nil
        }
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, address, &v4) == 1 {
            let octets = withUnsafeBytes(of: &v4) { Array($0) }
            guard octets[0] == 10, octets[1] == 77 || octets[1] == 78 else {
                throw NetworkLabError.invalidAddress(text, reason: "IPv4 lab addresses must be in 10.77.0.0/16 or 10.78.0.0/16")
            }
            if let length = prefixLength, !(16...32).contains(length) {
                throw NetworkLabError.invalidAddress(text, reason: "IPv4 prefix must be 16...32")
            }
            isIPv6 = false
        } else if inet_pton(AF_INET6, address, &v6) == 1 {
            let bytes = withUnsafeBytes(of: &v6) { Array($0) }
            guard bytes[0] == 0xfd, bytes[1] == 0x77 || bytes[1] == 0x78 else {
                throw NetworkLabError.invalidAddress(text, reason: "IPv6 lab addresses must be in fd77::/16 or fd78::/16")
            }
            if let length = prefixLength, !(16...128).contains(length) {
                throw NetworkLabError.invalidAddress(text, reason: "IPv6 prefix must be 16...128")
            }
            isIPv6 = true
        } else {
            throw NetworkLabError.invalidAddress(text, reason: "not an IPv4 or IPv6 address")
        }
        self.address = address
    }

    /// The unspecified address, for binding sockets only.
    init(wildcard isIPv6: Bool) {
        address = isIPv6 ? "::" : "0.0.0.0"
        prefixLength = nil
        self.isIPv6 = isIPv6
    }

    /// The form `ip address add` takes; a missing prefix means a host address.
    var cidr: String { "\(address)/\(prefixLength ?? (isIPv6 ? 128 : 32))" }

    public var description: String { prefixLength.map { "\(address)/\($0)" } ?? address }
}
