import Testing
@testable import Relay

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct JSONValueTests {
    @Test func decodesIntoTheBencodeModel() throws {
        let v = try JSONValueDecoder.decode(bytes(
            #" { "s" : "a\"b\\c\/d\b\f\n\r\t" , "i": -12, "z": 0, "f": 1.5, "e": 1e3, "big": 9223372036854775808,"#
                + #" "t": true, "no": false, "n": null, "l": [1, null, "x", []], "d": {} } "#))
        let d = try #require(v.dictValue)
        #expect(d.entries.map(\.keyString) == ["s", "i", "z", "f", "e", "big", "t", "no", "l", "d"])
        #expect(d["s"] == .string(bytes("a\"b\\c/d") + [0x08, 0x0C, 0x0A, 0x0D, 0x09]))
        #expect(d["i"] == .int(-12) && d["z"] == .int(0))
        #expect(d["f"] == .text("1.5") && d["e"] == .text("1e3") && d["big"] == .text("9223372036854775808"))
        #expect(d["t"] == .int(1) && d["no"] == .int(0))
        #expect(d["n"] == nil)
        #expect(d["l"] == .list([.int(1), .text("x"), .list([])]))
        #expect(d["d"] == .dict(NGDictionary()))
    }

    @Test func unicodeEscapesAndSurrogates() throws {
        #expect(try JSONValueDecoder.decode(bytes(#""\u00e9\u20AC\ud83d\ude00""#)) == .text("é€😀"))
        #expect(try JSONValueDecoder.decode(bytes("\"é😀\"")) == .text("é😀"))
        #expect(try JSONValueDecoder.decode(bytes(#""\u0000""#)) == .string([0]))
    }

    @Test(arguments: [
        ("", NGDecodeError.Kind.unexpectedEnd, 0),
        ("{", .unexpectedEnd, 1),
        ("{\"a\"", .unexpectedEnd, 4),
        ("{\"a\":1,}", .invalidKey, 7),
        ("{a:1}", .invalidKey, 1),
        ("{\"a\" 1}", .unexpectedByte, 5),
        ("[1 2]", .unexpectedByte, 3),
        ("[1,]", .unexpectedByte, 3),
        ("tru", .unexpectedEnd, 3),
        ("trux", .unexpectedByte, 0),
        ("01", .invalidInteger, 0),
        ("-", .invalidInteger, 0),
        ("1.", .invalidInteger, 0),
        ("1e", .invalidInteger, 0),
        ("+1", .unexpectedByte, 0),
        ("\"\\x\"", .invalidEscape, 1),
        ("\"\\u12G4\"", .invalidEscape, 1),
        ("\"\\ud83d\"", .invalidSurrogate, 1),
        ("\"\\ud83d\\u0041\"", .invalidSurrogate, 1),
        ("\"\\ude00\"", .invalidSurrogate, 1),
        ("\"a\nb\"", .controlCharacter, 2),
        ("{} x", .trailingData, 3),
        ("null", .notADictionary, 0),
    ])
    func errors(input: String, kind: NGDecodeError.Kind, offset: Int) {
        #expect(throws: NGDecodeError(kind, at: offset)) { try JSONValueDecoder.decode(bytes(input)) }
    }

    @Test func rejectsInvalidUTF8() {
        for bad: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
                             [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], [0x22, 0xE2, 0x82, 0x22]] {
            #expect(throws: NGDecodeError(.invalidUTF8, at: 1)) { try JSONValueDecoder.decode(bad) }
        }
    }

    @Test func limits() {
        var limits = NGLimits()
        limits.maxDepth = 2
        #expect(throws: NGDecodeError(.tooDeep, at: 2)) { try JSONValueDecoder.decode(bytes("[[[]]]"), limits: limits) }
        limits = NGLimits()
        limits.maxStringBytes = 3
        #expect(throws: NGDecodeError(.stringTooLong, at: 0)) { try JSONValueDecoder.decode(bytes("\"abcde\""), limits: limits) }
        limits = NGLimits()
        limits.maxItems = 2
        #expect(throws: NGDecodeError(.tooManyItems, at: 3)) { try JSONValueDecoder.decode(bytes("[1,2,3]"), limits: limits) }
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 100_000)
        #expect(throws: NGDecodeError(.tooDeep, at: 16)) { try JSONValueDecoder.decode(deep) }
    }

    @Test func encoderEscapesAndKeepsOrder() throws {
        let d: NGDictionary = ["b": .text("q\"\\\n\r\t\u{1}é😀"), "a": .list([.int(-1), .dict(["x": .int(0)])])]
        let json = JSONValueEncoder.encode(.dict(d))
        #expect(String(decoding: json, as: UTF8.self) == #"{"b":"q\"\\\n\r\t\u0001é😀","a":[-1,{"x":0}]}"#)
        #expect(try JSONValueDecoder.decode(json) == .dict(d))
        // Bytes that are not UTF-8 (possible from bencode) become U+FFFD.
        #expect(JSONValueEncoder.encode(.string([0x61, 0xFF, 0x62])) == bytes("\"a\u{FFFD}b\""))
    }
}
