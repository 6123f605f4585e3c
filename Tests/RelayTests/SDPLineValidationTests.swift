import Testing
@testable import Relay

/// The parser checks `o=`, `c=` and `m=` lines with `validate` (no values built); it must accept and reject
/// exactly what `parse` does, with the same error at the same offset.
@Suite struct SDPLineValidationTests {
    static func outcome<T>(_ body: () throws(SDPParseError) -> T) -> SDPParseError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error
        }
    }

    /// `content` placed after a prefix, so offsets are absolute slice indices as in a real body.
    static func slice(_ content: String) -> ArraySlice<UInt8> {
        let bytes = Array(("xx=" + content).utf8)
        return bytes[3...]
    }

    static let origins = [
        "- 1 1 IN IP4 10.0.0.1", "- 1 1 IN IP4 10.0.0.1  ", "- 1 x1 IN IP4 1.2.3.4", "- 1 IN IP4 1.2.3.4",
        "- 1 1 IN IP4 1.2.3.4 extra", "", "   ", "a\tb\t12\tIN\tIP6\t::1", "- 1 99999999999999999999999 IN IP4 h",
    ]
    static let connections = [
        "IN IP4 10.0.0.1", "IN IP4", "IN IP4 224.2.1.1/127/3", "IN IP4 /127", "IN IP4 1.2.3.4 more", "",
        "IN\tIP6\t::1  ", "IN IP4 1.2.3.4/",
    ]
    static let medias = [
        "audio 1000 RTP/AVP 0", "audio 1000", "audio 70000 RTP/AVP 0", "audio 1000/0 RTP/AVP 0",
        "audio 1000/2 RTP/AVP 0 8 101", "video 0 RTP/AVP 96", "audio x RTP/AVP 0", "audio 1000/x RTP/AVP",
        "", "  audio   1000   RTP/AVP  ", "audio /2 RTP/AVP 0", "audio 1000/70000 RTP/AVP 0",
    ]

    @Test(arguments: origins) func originValidationMatchesParse(_ content: String) {
        let line = Self.slice(content)
        #expect(Self.outcome { () throws(SDPParseError) in try SDPOrigin.validate(line) }
                == Self.outcome { () throws(SDPParseError) in try SDPOrigin.parse(line) })
    }

    @Test(arguments: connections) func connectionValidationMatchesParse(_ content: String) {
        let line = Self.slice(content)
        #expect(Self.outcome { () throws(SDPParseError) in try SDPConnection.validate(line) }
                == Self.outcome { () throws(SDPParseError) in try SDPConnection.parse(line) })
    }

    @Test(arguments: medias) func mediaValidationMatchesParse(_ content: String) {
        let line = Self.slice(content)
        #expect(Self.outcome { () throws(SDPParseError) in try SDPMediaDescription.validate(line) }
                == Self.outcome { () throws(SDPParseError) in try SDPMediaDescription.parse(line) })
    }
}
