/// One tick's UDP keepalive pings, rendered back to back into one byte array.
///
/// Why: at 100k bindings the edge sends 5,000 pings a second. As one `.sendPing` action each, every
/// ping was its own array, its own send buffer and its own address conversion. Here a tick's pings
/// share one buffer (the driver copies it into one send buffer and slices it per datagram) and each
/// carries `trackingID`, a small integer stable for as long as the binding is tracked, so the
/// driver can keep the ping's ready socket address in an array indexed by it (checked against
/// `peer`, since an id is reused after a binding goes) instead of converting text every ping.
///
/// The driver keeps one batch and calls `removeAll()` between ticks, so its storage is reused.
public struct KeepalivePingBatch: Sendable {
    public struct Ping: Sendable {
        /// The datagram's bytes in `bytes`.
        public var range: Range<Int>
        public var peer: RegistrarPeer
        public var socket: LocalSocketRef
        /// The scheduler's slot for the binding (0 ..< a bound that grows with the tracked count):
        /// the same for every ping of a binding while it is tracked; reused after it is untracked.
        public var trackingID: Int
        public var pingID: UInt64
    }

    public private(set) var bytes: [UInt8] = []
    public private(set) var pings: [Ping] = []

    public init() {}

    public var isEmpty: Bool { pings.isEmpty }

    /// Forgets the pings, keeping the storage for the next tick.
    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        pings.removeAll(keepingCapacity: true)
    }

    /// The datagram of one ping (tests, fallbacks).
    public func datagram(_ ping: Ping) -> ArraySlice<UInt8> { bytes[ping.range] }

    mutating func append(template: KeepalivePingTemplate, pingID: UInt64, contact: UnsafeBufferPointer<UInt8>,
                         peer: RegistrarPeer,
                         socket: LocalSocketRef, trackingID: Int)
    {
        let start = bytes.count
        template.render(pingID: pingID, contact: contact, into: &bytes)
        pings.append(Ping(range: start..<bytes.count, peer: peer, socket: socket, trackingID: trackingID,
                          pingID: pingID))
    }
}
