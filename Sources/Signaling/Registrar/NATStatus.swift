/// Which NAT tests fired for a message, with nathelper's `nat_uac_test` bit values so that
/// configurations read the same (`[.contactPrivate, .viaReceived, .viaPort]` is "19").
public struct NATStatus: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8

    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// 1: the (first) Contact host is a private address (RFC 1918, 100.64/10, link-local, IPv6 ULA).
    public static let contactPrivate = NATStatus(rawValue: 1)
    /// 2: the top Via sent-by address differs from the packet's source address.
    public static let viaReceived = NATStatus(rawValue: 2)
    /// 4: the top Via sent-by is a private address.
    public static let viaPrivate = NATStatus(rawValue: 4)
    /// 16: the top Via port (5060/5061 when absent) differs from the packet's source port.
    public static let viaPort = NATStatus(rawValue: 16)
    /// 32: the Contact host differs from the packet's source address.
    public static let contactAddress = NATStatus(rawValue: 32)
    /// 64: the Contact port differs from the packet's source port.
    public static let contactPort = NATStatus(rawValue: 64)

    /// nathelper's `nat_uac_test("19")`: the usual test set for phones behind home routers.
    public static let defaultTests: NATStatus = [.contactPrivate, .viaReceived, .viaPort]

    public var isNATed: Bool { !isEmpty }

    public var description: String { "nat(\(rawValue))" }
}

/// Runs the enabled NAT tests against a message and the address it really came from.
public struct NATDetector: Sendable, Hashable {
    /// The tests to run (a bitmask like nathelper's argument).
    public var tests: NATStatus

    public init(tests: NATStatus = .defaultTests) { self.tests = tests }

    /// The fired tests. Via tests apply to requests only: a response's top Via is our own. A header
    /// that does not parse fires no test (the message is rejected elsewhere, not here).
    public func detect(_ message: SIPMessage, source: RegistrarPeer) -> NATStatus {
        let contactTests: NATStatus = [.contactPrivate, .contactAddress, .contactPort]
        let viaTests: NATStatus = [.viaReceived, .viaPrivate, .viaPort]
        let contact = tests.isDisjoint(with: contactTests) ? nil : (try? message.contacts)?.addresses.first
        let via = message.isRequest && !tests.isDisjoint(with: viaTests) ? (try? message.topVia) : nil
        return detect(firstContact: contact, topVia: via, isRequest: message.isRequest, source: source)
    }

    /// `detect` from values the caller has already parsed (the registrar parses each header once
    /// per REGISTER): the first Contact address and the top Via.
    public func detect(firstContact contact: SIPNameAddress?, topVia: SIPVia?, isRequest: Bool,
                       source: RegistrarPeer) -> NATStatus
    {
        var fired: NATStatus = []
        let contactTests: NATStatus = [.contactPrivate, .contactAddress, .contactPort]
        if !tests.isDisjoint(with: contactTests), let contact, let host = contact.uri.host {
            if tests.contains(.contactPrivate) && IPAddressClassifier.isPrivate(host.text) { fired.insert(.contactPrivate) }
            if tests.contains(.contactAddress) && !IPAddressClassifier.sameAddress(host.text, source.host) {
                fired.insert(.contactAddress)
            }
            if tests.contains(.contactPort) {
                let transport = contact.uri.transport.flatMap(RegistrarTransport.init(token:)) ?? source.transport
                let port = contact.uri.port ?? (contact.uri.scheme == .sips ? 5061 : transport.defaultPort)
                if port != source.port { fired.insert(.contactPort) }
            }
        }
        let viaTests: NATStatus = [.viaReceived, .viaPrivate, .viaPort]
        if isRequest, !tests.isDisjoint(with: viaTests), let via = topVia {
            if tests.contains(.viaReceived) && !IPAddressClassifier.sameAddress(via.host.text, source.host) {
                fired.insert(.viaReceived)
            }
            if tests.contains(.viaPrivate) && IPAddressClassifier.isPrivate(via.host.text) { fired.insert(.viaPrivate) }
            if tests.contains(.viaPort) {
                let transport = RegistrarTransport(token: via.transport) ?? source.transport
                if (via.port ?? transport.defaultPort) != source.port { fired.insert(.viaPort) }
            }
        }
        return fired
    }
}
