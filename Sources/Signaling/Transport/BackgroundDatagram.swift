import NIOCore

/// Which datagrams nobody waits on, for the read coalescer's longer pause: responses to OPTIONS.
///
/// Why: the edge's own OPTIONS (NAT keepalive pings, dispatcher probes) are answered at thousands a second, and
/// reading each of them as soon as it arrives is what keepalive costs. No caller waits on those answers the way a
/// phone waits on a 180 or a 200 to its INVITE. The test is a byte scan, not a parse: a status line, then a line
/// ending in `OPTIONS` (the CSeq's method). A wrong guess only changes when the next read happens; the message
/// itself is parsed and handled as always.
enum BackgroundDatagram {
    /// The longest datagram scanned; keepalive and probe replies are a few hundred bytes.
    static let scanLimit = 1500

    static func isOptionsResponse(_ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { isOptionsResponse($0) }
    }

    static func isOptionsResponse(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let status: StaticString = "SIP/2.0 "
        let count = min(bytes.count, scanLimit)
        guard count > 16 else { return false }
        var i = 0
        while i < status.utf8CodeUnitCount {
            if bytes[i] != status.utf8Start[i] { return false }
            i += 1
        }
        // "OPTIONS\r\n" anywhere in the head: scan for the CR of each line end and look back.
        let method: StaticString = "OPTIONS"
        let length = method.utf8CodeUnitCount
        i = 8
        while i + 1 < count {
            if bytes[i] == 0x0D && bytes[i + 1] == 0x0A {
                if i >= length + 8 {
                    var k = 0
                    while k < length, bytes[i - length + k] == method.utf8Start[k] { k += 1 }
                    if k == length { return true }
                }
                if i + 3 < count && bytes[i + 2] == 0x0D && bytes[i + 3] == 0x0A { return false }  // end of headers
            }
            i += 1
        }
        return false
    }
}
