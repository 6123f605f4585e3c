/// Folds the many spellings rtpengine accepts for one key or flag into a single canonical form.
///
/// rtpengine lists variants explicitly (`call-id`, `call ID`, `rtcp_mux`, `RTCP mux`, `SIP-source-address`, ...).
/// Rather than copying those tables we fold: ASCII lowercase, and space and underscore become hyphen. That accepts
/// every spelling rtpengine accepts, plus a few odd mixes it would not (e.g. `CALL_id`), which is harmless.
/// Command names (`offer`, `answer`, ...) are *not* folded: rtpengine matches them exactly.
enum NGKeySpelling {
    /// Written straight into the string's storage: a key of up to 15 bytes (every key rtpengine knows) is then a
    /// small string with no allocation at all, where an intermediate array cost a malloc and a free per key of
    /// every request (issue 3).
    static func canonical<C: Collection<UInt8>>(_ bytes: C) -> String {
        String(unsafeUninitializedCapacity: bytes.count) { out in
            var count = 0
            for b in bytes where count < out.count {
                switch b {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): out[count] = b | 0x20
                case UInt8(ascii: " "), UInt8(ascii: "_"): out[count] = UInt8(ascii: "-")
                default: out[count] = b
                }
                count += 1
            }
            return count
        }
    }

    static func canonical(_ s: String) -> String { canonical(s.utf8) }
}
