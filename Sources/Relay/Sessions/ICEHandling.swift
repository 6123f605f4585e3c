/// The ng `ICE` key. The session layer does not run ICE; it records the choice and hands it back in the rewrite
/// so the SDP layer strips or adds candidates.
public enum ICEHandling: String, Hashable, Sendable {
    /// Leave ICE attributes as they are.
    case passThrough = "default"
    /// Strip ICE attributes (`ICE=remove`).
    case remove
    /// Replace candidates with the relay's own (`ICE=force`).
    case force
}
