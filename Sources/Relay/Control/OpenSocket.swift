/// What `DataPlaneExecutor` keeps per open relay socket, as one dictionary value.
///
/// These were five dictionaries keyed by `LocalSocket` (stream, descriptor, call, last forwarding entry, unsettled
/// ticket), so each forwarding leg hashed its socket four or five times; one struct makes it one hash per look-up
/// (issue 3). Every field lives exactly as long as the socket is open, which is what the five tables did too: all
/// were set at open or at a forwarding update of an open socket, and all were cleared at close.
struct OpenSocket {
    /// The socket's data plane stream.
    var stream: StreamID
    /// Its descriptor and bound address, so that closing it can keep it in `StreamSocketPool`.
    var kept: StreamSocketPool.Kept
    /// The call it was opened for (`callID ?? ""`), which picks the worker of the call's other sockets.
    var call: String
    /// The forwarding entry last set from its RTP (or plain RTCP) rule, without `rtcpPeer` and with
    /// `resetLearning` off, so that a change of the RTCP demux target can re-send it.
    var lastForwarding: Forwarding?
    /// Its last forwarding update not yet seen applied: the kernel offload check must not read the socket's latch
    /// before the worker has applied an update that resets it (a re-offer with a new address).
    var unsettled: CommandTicket?

    init(stream: StreamID, kept: StreamSocketPool.Kept, call: String) {
        self.stream = stream
        self.kept = kept
        self.call = call
    }

    /// Records a forwarding update: the entry to re-send later, and its ticket when the data plane queued it.
    mutating func sent(_ forwarding: Forwarding, ticket: CommandTicket?) {
        lastForwarding = forwarding
        if let ticket { unsettled = ticket }
    }
}
