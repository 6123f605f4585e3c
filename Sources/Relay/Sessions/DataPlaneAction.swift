/// What the session layer asks the data plane to do, in order. Emitted by offer/answer/delete/tick; the driver
/// executes them as given: opens come first, then rule changes, then removals, then closes, so a rule never points
/// at a socket that is not open.
public enum DataPlaneAction: Hashable, Sendable {
    /// Bind a UDP socket. If the bind fails, the driver reports it with `SessionTable.portUnbindable`.
    case openPort(LocalSocket)
    /// Start relaying between two streams.
    case addForwarding(ForwardingRule)
    /// Replace an existing rule (re-offer, answer, hold, a new answer from a fork). A changed destination means the
    /// data plane should forget what it learned for that leg and learn again.
    case updateForwarding(ForwardingRule)
    /// Stop relaying.
    case removeForwarding(ForwardingID)
    /// Close a socket; its port goes back to the allocator.
    case closePort(LocalSocket)
}
