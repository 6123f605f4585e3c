/// What the dispatcher core asks its driver to do, or tells it happened.
public enum DispatcherAction: Sendable, Hashable {
    /// Send an OPTIONS to `uri` and report the outcome with `probeResult(probeID, ...)`.
    case sendProbe(probeID: UInt64, destination: DispatcherDestinationID, uri: SIPURI)
    /// A destination's state changed (for logs and metrics).
    case stateChanged(DispatcherDestinationID, from: DestinationState, to: DestinationState)
}
