/// OPTIONS probing (Kamailio `ds_ping_interval`, `ds_probing_threshold`, `ds_inactive_threshold`,
/// `ds_ping_reply_codes`, `ds_probing_mode`).
public struct DispatcherProbingSettings: Sendable, Hashable {
    /// Time between two probes of one destination.
    public var intervalMilliseconds: Int64
    /// A probe with no result after this long counts as a timeout (the driver's own transaction
    /// timeout normally reports first; this bounds a lost report).
    public var timeoutMilliseconds: Int64
    /// Consecutive failures (probes or real calls) that make a destination inactive.
    public var failureThreshold: Int
    /// Consecutive successful probes that make an inactive destination active again.
    public var successThreshold: Int
    /// Reply codes that count as failures besides 408 and 5xx (e.g. 404 if the box answers OPTIONS
    /// for an unknown user only when misconfigured).
    public var extraFailureCodes: Set<Int>
    /// Whether active destinations are probed too (Kamailio probing mode 1); if false only
    /// destinations that have failed are probed.
    public var probesActiveDestinations: Bool

    public init(intervalMilliseconds: Int64 = 10_000, timeoutMilliseconds: Int64 = 5_000, failureThreshold: Int = 3,
                successThreshold: Int = 2, extraFailureCodes: Set<Int> = [], probesActiveDestinations: Bool = true)
    {
        self.intervalMilliseconds = intervalMilliseconds
        self.timeoutMilliseconds = timeoutMilliseconds
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        self.extraFailureCodes = extraFailureCodes
        self.probesActiveDestinations = probesActiveDestinations
    }

    public func validate() throws(DispatcherConfigurationError) {
        guard intervalMilliseconds > 0 else { throw .badProbing("interval must be > 0") }
        guard timeoutMilliseconds > 0 else { throw .badProbing("timeout must be > 0") }
        guard failureThreshold > 0 else { throw .badProbing("failure threshold must be > 0") }
        guard successThreshold > 0 else { throw .badProbing("success threshold must be > 0") }
        for code in extraFailureCodes where !(100...699).contains(code) {
            throw .badProbing("failure code \(code) is not a SIP status")
        }
    }

    /// Whether a final reply (to a probe or to a real request) means the box is unwell.
    public func isFailure(_ outcome: DispatcherProbeOutcome) -> Bool {
        switch outcome {
        case .timeout: return true
        case .response(let code): return code == 408 || (500...599).contains(code) || extraFailureCodes.contains(code)
        }
    }
}

/// What became of a probe or a request sent to a destination.
public enum DispatcherProbeOutcome: Sendable, Hashable {
    case response(Int)
    case timeout
}
