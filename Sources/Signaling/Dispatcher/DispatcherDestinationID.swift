/// A destination's identity: its URI in canonical wire form (as `SIPURI` prints it). Live reload
/// matches old and new destinations by it, and one box listed in two sets shares one state (calls,
/// health, load) because it is one box.
public struct DispatcherDestinationID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// Parses a configured URI; only sip/sips URIs with a host are destinations.
    init(configured text: String) throws(DispatcherConfigurationError) {
        guard let uri = try? SIPURI(text), uri.host != nil,
              uri.scheme == .sip || uri.scheme == .sips
        else { throw .badURI(set: "", uri: text) }
        rawValue = uri.description
    }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { rawValue }
}

/// A destination as selection hands it out: the URI to relay to, the set-specific weight and the
/// box attributes. A value: a call keeps it even if a reload removes the destination.
public struct DispatcherDestination: Sendable, Hashable, CustomStringConvertible {
    public var id: DispatcherDestinationID
    public var uri: SIPURI
    public var setName: String
    public var weight: Int
    public var attributes: DispatcherDestinationAttributes

    public init(id: DispatcherDestinationID, uri: SIPURI, setName: String, weight: Int,
                attributes: DispatcherDestinationAttributes)
    {
        self.id = id
        self.uri = uri
        self.setName = setName
        self.weight = weight
        self.attributes = attributes
    }

    public var description: String { id.rawValue }
}
