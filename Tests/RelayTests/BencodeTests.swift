import Testing
@testable import Relay

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

@Suite struct BencodeTests {
    @Test(arguments: [
        "i0e", "i-42e", "i9223372036854775807e", "i-9223372036854775808e", "0:", "4:spam", "le", "de",
        "l4:spami42ee", "d3:bar4:spam3:fooi42ee", "d1:zi1e1:ai2ee", "d4:listl1:a1:bd1:xleeee", "d1:ai1e1:ai2ee",
    ])
    func roundTripsByteIdentically(input: String) throws {
        let value = try BencodeDecoder.decode(bytes(input))
        #expect(BencodeEncoder.encode(value) == bytes(input))
    }

    @Test func decodesValues() throws {
        let v = try BencodeDecoder.decode(bytes("d1:zi1e1:al1:xi-3eee"))
        let d = try #require(v.dictValue)
        #expect(d.entries.map(\.keyString) == ["z", "a"])  // order kept, not sorted
        #expect(d["a"] == .list([.text("x"), .int(-3)]))
        #expect(try BencodeDecoder.decode(bytes("3:a:b")) == .text("a:b"))
        #expect(try BencodeDecoder.decode([0x32, 0x3A, 0x00, 0xFF]) == .string([0x00, 0xFF]))
        #expect(try BencodeDecoder.decode(bytes("i1e\r\n")) == .int(1))  // trailing line end tolerated
    }

    @Test(arguments: [
        ("", NGDecodeError.Kind.unexpectedEnd, 0),
        ("i12", .unexpectedEnd, 3),
        ("l", .unexpectedEnd, 1),
        ("d3:foo", .unexpectedEnd, 6),
        ("5:abc", .unexpectedEnd, 5),
        ("x", .unexpectedByte, 0),
        ("li1ex", .unexpectedByte, 4),
        ("lxe", .unexpectedByte, 1),
        ("i01e", .invalidInteger, 0),
        ("i-0e", .invalidInteger, 0),
        ("ie", .invalidInteger, 0),
        ("i-e", .invalidInteger, 0),
        ("i1.5e", .invalidInteger, 0),
        ("i9223372036854775808e", .invalidInteger, 0),
        ("i123456789012345678901234e", .invalidInteger, 0),
        ("3x", .invalidStringLength, 1),
        ("di1ei2ee", .invalidKey, 1),
        ("i1ei2e", .trailingData, 3),
    ])
    func errors(input: String, kind: NGDecodeError.Kind, offset: Int) {
        #expect(throws: NGDecodeError(kind, at: offset)) { try BencodeDecoder.decode(bytes(input)) }
    }

    @Test func limits() {
        var limits = NGLimits()
        limits.maxDepth = 3
        #expect(throws: Never.self) { try BencodeDecoder.decode(bytes("llleee"), limits: limits) }
        #expect(throws: NGDecodeError(.tooDeep, at: 3)) { try BencodeDecoder.decode(bytes("lllleeee"), limits: limits) }
        limits = NGLimits()
        limits.maxStringBytes = 4
        #expect(throws: NGDecodeError(.stringTooLong, at: 0)) { try BencodeDecoder.decode(bytes("5:abcde"), limits: limits) }
        #expect(throws: NGDecodeError(.stringTooLong, at: 0)) {
            try BencodeDecoder.decode(bytes("99999999999999999999999:"), limits: limits)
        }
        limits = NGLimits()
        limits.maxItems = 3
        #expect(throws: Never.self) { try BencodeDecoder.decode(bytes("li1ei2ee"), limits: limits) }
        #expect(throws: NGDecodeError(.tooManyItems, at: 7)) { try BencodeDecoder.decode(bytes("li1ei2ei3ee"), limits: limits) }
        // Deep nesting from hostile input fails cleanly instead of overflowing the stack.
        let deep = [UInt8](repeating: UInt8(ascii: "l"), count: 100_000)
        #expect(throws: NGDecodeError(.tooDeep, at: 16)) { try BencodeDecoder.decode(deep) }
    }
}
