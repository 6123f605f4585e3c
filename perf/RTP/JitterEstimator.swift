/// Interarrival jitter as RFC 3550 §6.4.1 defines it, computed in nanoseconds instead of RTP timestamp units.
///
/// D(i,j) = (Rj − Ri) − (Sj − Si) = transit_j − transit_i; J += (|D| − J) / 16. The send time comes from the payload
/// stamp and the receive time from the kernel, so the result is the relay's (and the loopback path's) jitter, not
/// the generator's pacing jitter. Packets are taken in arrival order, as the RFC does.
public struct JitterEstimator: Sendable, Equatable {
    private var lastTransit: Int64?
    /// Current estimate in nanoseconds.
    public private(set) var jitterNanoseconds: Double = 0

    public init() {}

    public mutating func record(sendNanoseconds: UInt64, receiveNanoseconds: UInt64) {
        let transit = Int64(bitPattern: receiveNanoseconds &- sendNanoseconds)
        if let last = lastTransit {
            let (d, overflow) = transit.subtractingReportingOverflow(last)
            let magnitude = overflow ? Double(Int64.max) : Double(d.magnitude)
            jitterNanoseconds += (magnitude - jitterNanoseconds) / 16
        }
        lastTransit = transit
    }
}
