/// The `Relay` library: everything `tandem relay` is made of.
///
/// - `Control/`: rtpengine's ng protocol (bencode and JSON), typed commands, the cookie cache, the UDP listener.
/// - `SDP/`: SDP parsing and minimal rewriting.
/// - `Sessions/`: calls, monologues, media and streams as pure state machines with an injected clock.
/// - `DataPlane/`: io_uring and recvmmsg/sendmmsg engines that move RTP in batches.
/// - `Kernel/`: nftables offload over netlink.
public enum RelayLibrary {
    /// The name shown in logs and `--version` output.
    public static let name = "tandem-relay"
}
