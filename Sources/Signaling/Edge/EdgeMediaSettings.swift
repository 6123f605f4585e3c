/// Media steering as configured (YAML `media:`). No relays = steering off: the edge is then the
/// signaling-only proxy it was before.
public struct EdgeMediaSettings: Sendable, Hashable {
    public var relays: [MediaRelay] = []
    public var steering = MediaSteeringSettings()
    public var client = MediaRelayClientSettings()

    public init() {}

    public var isEnabled: Bool {
        !relays.isEmpty && (steering.policy != .never || (steering.farmPolicy ?? .never) != .never)
    }
}
