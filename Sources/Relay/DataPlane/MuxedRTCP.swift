/// Tells RTCP from RTP on an rtcp-mux socket, per RFC 5761 §4: the second byte of an RTCP packet is its packet
/// type (192–223 in use or reserved for RTCP), which for RTP would be marker bit + payload type 64–95 — payload
/// types that §4 keeps free for exactly this reason. So one byte test, after masking the marker bit, decides.
///
/// Hot path: called per packet only on streams that demultiplex (`Forwarding.rtcpPeer` set).
enum MuxedRTCP {
    @inline(__always)
    static func matches(_ payload: UnsafeRawPointer, length: Int) -> Bool {
        guard length >= 2 else { return false }
        let type = payload.load(fromByteOffset: 1, as: UInt8.self) & 0x7F
        return type >= 64 && type <= 95
    }
}
