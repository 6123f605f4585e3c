/// Folds the many spellings rtpengine accepts for one key or flag into a single canonical form.
///
/// rtpengine lists variants explicitly (`call-id`, `call ID`, `rtcp_mux`, `RTCP mux`, `SIP-source-address`, ...).
/// Rather than copying those tables we fold: ASCII lowercase, and space and underscore become hyphen. That accepts
/// every spelling rtpengine accepts, plus a few odd mixes it would not (e.g. `CALL_id`), which is harmless.
/// Command names (`offer`, `answer`, ...) are *not* folded: rtpengine matches them exactly.
enum NGKeySpelling {
    static func canonical<C: Collection<UInt8>>(_ bytes: C) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): out.append(b | 0x20)
            case UInt8(ascii: " "), UInt8(ascii: "_"): out.append(UInt8(ascii: "-"))
            default: out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func canonical(_ s: String) -> String { canonical(Array(s.utf8)) }
}
