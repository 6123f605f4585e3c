/// Builds the generator's datagrams: a 12-byte RTP header (version 2, no CSRC, no extension) followed by the
/// payload, whose first bytes are the `PayloadStamp`.
///
/// A real RTP header matters: relays (rtpengine among them) parse it for statistics and may treat non-RTP
/// differently. The rest of the payload is the G.711 A-law silence byte, so the packet looks like PCMA audio.
public enum RTPPacketWriter {
    public static let headerLength = 12
    /// A-law encoded silence.
    static let silence: UInt8 = 0xD5

    /// Smallest payload that still holds a stamp.
    public static var minimumPayloadSize: Int { PayloadStamp.byteCount }

    /// Fills the fixed parts (header constants, silence padding) once; `stamp(...)` then rewrites only what changes.
    public static func prepare(_ packet: UnsafeMutableRawBufferPointer, payloadType: UInt8) {
        guard packet.count >= headerLength + PayloadStamp.byteCount else { return }
        for i in headerLength..<packet.count { packet[i] = silence }
        packet[0] = 0x80
        packet[1] = payloadType & 0x7F
    }

    /// Writes the per-packet fields: SSRC, RTP sequence number and timestamp, then the stamp.
    public static func stamp(_ packet: UnsafeMutableRawBufferPointer, ssrc: UInt32, rtpSequence: UInt16,
                             rtpTimestamp: UInt32, stamp: PayloadStamp) {
        guard packet.count >= headerLength + PayloadStamp.byteCount else { return }
        packet.storeBytes(of: ssrc.bigEndian, toByteOffset: 8, as: UInt32.self)
        packet.storeBytes(of: rtpSequence.bigEndian, toByteOffset: 2, as: UInt16.self)
        packet.storeBytes(of: rtpTimestamp.bigEndian, toByteOffset: 4, as: UInt32.self)
        stamp.write(into: packet, at: headerLength)
    }
}
