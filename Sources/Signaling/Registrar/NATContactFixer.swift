/// How `fixNATedContact` makes a NATed Contact reachable.
public enum NATContactFixMode: Sendable, Hashable {
    /// Replace the Contact host:port with the packet source (nathelper `fix_nated_contact`). Simple,
    /// but the phone then sees a foreign Contact echoed in some responses.
    case rewriteHostPort
    /// Keep the Contact and append `;alias=IP~port~proto` to its URI (nathelper `add_contact_alias`);
    /// the proxy routes in-dialog requests by the alias and strips it again.
    case aliasParameter
}

extension SIPMessage {
    /// Makes the first Contact of a dialog-forming request or response reachable through the NAT:
    /// in-dialog requests target the remote Contact, which behind a NAT is an unroutable private
    /// address. Only the first Contact is changed (a dialog has one). Returns false when there is
    /// no Contact (or `*`) and nothing was changed. Contact header lines are merged into one.
    @discardableResult
    public mutating func fixNATedContact(source: RegistrarPeer, mode: NATContactFixMode = .rewriteHostPort)
        throws(SIPParseError) -> Bool
    {
        guard case .addresses(var list) = try contacts, !list.isEmpty,
              let position = headerIndex.firstIndex(where: { $0.kind == .contact }) else { return false }
        var uri = list[0].uri
        switch mode {
        case .rewriteHostPort:
            let literal = source.uriHost
            uri.host = SIPHost(kind: literal.hasPrefix("[") ? .ipv6 : .ipv4, text: literal)
            uri.port = source.port
        case .aliasParameter:
            let alias = "\(source.uriHost)~\(source.port)~\(source.transport.aliasNumber)"
            uri.parameters.removeAll { $0.name.lowercased() == "alias" }
            uri.parameters.append(SIPParameter(name: "alias", value: alias))
        }
        list[0].uri = uri
        removeHeaders(.contact)
        try insertHeader(.contact, value: list.map(\.description).joined(separator: ", "), at: position)
        return true
    }
}
