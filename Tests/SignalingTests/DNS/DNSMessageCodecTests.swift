import Testing
@testable import Signaling

/// Hand-built packets: the bytes are written out so that the tests check the wire format itself.
@Suite("DNS message codec")
struct DNSMessageCodecTests {
    /// A response to `_sip._udp.farm.test SRV` whose answer names and SRV target use compression pointers.
    static let compressedSRV: [UInt8] = [
        0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01,
        // question at 12: _sip._udp.farm.test
        4, 0x5F, 0x73, 0x69, 0x70, 4, 0x5F, 0x75, 0x64, 0x70, 4, 0x66, 0x61, 0x72, 0x6D, 4, 0x74, 0x65, 0x73, 0x74, 0,
        0x00, 0x21, 0x00, 0x01,
        // answer 1: name = pointer to 12; SRV 10 60 5060 box1.<pointer to farm.test at 22>
        0xC0, 0x0C, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x0D,
        0x00, 0x0A, 0x00, 0x3C, 0x13, 0xC4, 4, 0x62, 0x6F, 0x78, 0x31, 0xC0, 0x16,
        // answer 2: SRV 20 0 5070 BOX2.farm.test (upper case, pointer to 22)
        0xC0, 0x0C, 0x00, 0x21, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x0D,
        0x00, 0x14, 0x00, 0x00, 0x13, 0xCE, 4, 0x42, 0x4F, 0x58, 0x32, 0xC0, 0x16,
        // additional: box1.farm.test A 127.0.0.1 (pointer to the SRV target at 55)
        0xC0, 0x37, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x1E, 0x00, 0x04, 127, 0, 0, 1,
    ]

    @Test func decodesCompressedNames() throws {
        let message = try DNSMessageDecoder.decode(Self.compressedSRV)
        #expect(message.id == 0x1234)
        #expect(message.isResponse && message.recursionDesired && message.recursionAvailable)
        #expect(message.questions == [DNSQuestion(name: DNSName("_sip._udp.farm.test")!, type: .srv)])
        #expect(message.answers.count == 2)
        #expect(message.answers[0].name.text == "_sip._udp.farm.test")
        #expect(message.answers[0].ttl == 60)
        #expect(message.answers[0].data == .srv(priority: 10, weight: 60, port: 5060, target: DNSName("box1.farm.test")!))
        #expect(message.answers[1].data == .srv(priority: 20, weight: 0, port: 5070, target: DNSName("box2.farm.test")!))
        #expect(message.additionals.first?.name.text == "box1.farm.test")
        #expect(message.additionals.first?.data == .a([127, 0, 0, 1]))
    }

    @Test func roundTripsEveryRecordType() throws {
        let name = DNSName("farm.test")!
        let message = DNSMessage(id: 7, isResponse: true, isAuthoritative: true, responseCode: 0,
                                 questions: [DNSQuestion(name: name, type: .naptr)],
                                 answers: [
                                     DNSRecord(name: name, ttl: 30, data: .naptr(order: 10, preference: 5, flags: Array("s".utf8),
                                                                                  services: Array("SIP+D2U".utf8), regexp: [],
                                                                                  replacement: DNSName("_sip._udp.farm.test")!)),
                                     DNSRecord(name: name, ttl: 30, data: .cname(DNSName("other.test")!)),
                                     DNSRecord(name: name, ttl: 30, data: .aaaa(Array(repeating: 0, count: 15) + [1])),
                                     DNSRecord(name: name, ttl: 30, data: .other(type: DNSRecordType(rawValue: 16), bytes: [3, 0x61, 0x62, 0x63])),
                                 ],
                                 authorities: [DNSRecord(name: name, ttl: 300, data: .soa(primary: DNSName("ns.test")!,
                                                                                          mailbox: DNSName("hostmaster.test")!,
                                                                                          serial: 9, minimum: 42))])
        let decoded = try DNSMessageDecoder.decode(DNSMessageEncoder.encode(message))
        #expect(decoded == message)
    }

    @Test func queryLayout() {
        let bytes = DNSMessageEncoder.query(id: 0xBEEF, DNSQuestion(name: DNSName("a.b")!, type: .a))
        #expect(bytes == [0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 1, 0x62, 0, 0, 1, 0, 1])
    }

    @Test func everyTruncationIsAnErrorNotATrap() {
        for length in 0..<Self.compressedSRV.count {
            let prefix = Array(Self.compressedSRV.prefix(length))
            #expect(throws: DNSDecodeError.self) { try DNSMessageDecoder.decode(prefix) }
        }
    }

    @Test func truncatedFlagKeepsWholeRecords() throws {
        var bytes = Array(Self.compressedSRV.prefix(Self.compressedSRV.count - 8))
        bytes[2] |= 0x02  // TC
        let message = try DNSMessageDecoder.decode(bytes)
        #expect(message.isTruncated)
        #expect(message.answers.count == 2)
        #expect(message.additionals.isEmpty)
    }

    @Test func forwardPointerIsRejected() {
        // Question name is a pointer to itself (offset 12): a loop.
        let bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1]
        #expect(throws: DNSDecodeError(.badPointer, at: 12)) { try DNSMessageDecoder.decode(bytes) }
    }

    @Test func reservedLabelTypeIsRejected() {
        let bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 1, 0, 1]
        #expect(throws: DNSDecodeError(.badLabelType, at: 12)) { try DNSMessageDecoder.decode(bytes) }
    }

    @Test func badRecordLengths() {
        var aWithFiveBytes = Self.compressedSRV
        aWithFiveBytes[aWithFiveBytes.count - 5] = 5
        aWithFiveBytes.append(9)
        #expect(throws: DNSDecodeError(.badRecordLength, at: aWithFiveBytes.count - 7)) {
            try DNSMessageDecoder.decode(aWithFiveBytes)
        }
        var srvTooShort = Self.compressedSRV
        srvTooShort[48] = 0x0C  // RDLENGTH of answer 1 one less than its data
        #expect(throws: DNSDecodeError.self) { try DNSMessageDecoder.decode(srvTooShort) }
        var rdataPastEnd = Self.compressedSRV
        rdataPastEnd[rdataPastEnd.count - 5] = 0xFF
        #expect(throws: DNSDecodeError(.truncated, at: rdataPastEnd.count - 6)) { try DNSMessageDecoder.decode(rdataPastEnd) }
    }

    @Test func overlongNameIsRejected() {
        var bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for _ in 0..<5 { bytes += [63] + Array(repeating: 0x61, count: 63) }
        bytes += [0, 0, 1, 0, 1]
        #expect(throws: DNSDecodeError.self) { try DNSMessageDecoder.decode(bytes) }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SplitMix64Generator(seed: 42)
        for _ in 0..<2000 {
            var bytes = Self.compressedSRV
            for _ in 0..<4 {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                bytes[index] = UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? DNSMessageDecoder.decode(bytes)
        }
    }
}
