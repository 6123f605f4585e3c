import Testing
@testable import Relay

/// `NGKeySpelling.canonical` writes the folded key straight into the string: same result as folding into an array
/// and decoding it, including for bytes that are not UTF-8 (repaired, never a trap).
@Suite struct NGKeySpellingTests {
    private func reference(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.map { b -> UInt8 in
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return b | 0x20
            case UInt8(ascii: " "), UInt8(ascii: "_"): return UInt8(ascii: "-")
            default: return b
            }
        }, as: UTF8.self)
    }

    @Test func foldsSpellings() {
        #expect(NGKeySpelling.canonical("Call ID") == "call-id")
        #expect(NGKeySpelling.canonical("RTCP_mux") == "rtcp-mux")
        #expect(NGKeySpelling.canonical("") == "")
        #expect(NGKeySpelling.canonical(Array("SIP-source-address, a long one".utf8)) == "sip-source-address,-a-long-one")
    }

    @Test func matchesTheArrayFoldForAnyBytes() {
        let samples: [[UInt8]] = [
            [0xFF], [0xC3], [0xC3, 0xA9], [0x41, 0xE2, 0x82], [0x5F, 0x20, 0x00, 0x7F, 0x80],
            Array(repeating: 0x41, count: 300), (0...255).map { UInt8($0) },
        ]
        for bytes in samples {
            #expect(NGKeySpelling.canonical(bytes) == reference(bytes))
            #expect(NGKeySpelling.canonical(bytes[...]) == reference(bytes))
        }
    }
}
