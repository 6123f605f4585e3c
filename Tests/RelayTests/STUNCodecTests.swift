import Testing
@testable import Relay

/// The STUN codec against RFC 5769's test vectors, plus the ICE-lite answering rules.
@Suite struct STUNCodecTests {
    /// RFC 5769 §2.1: a Binding request (an ICE check) with USERNAME "evtj:h6vY", password
    /// "VOkJxbRl1RmTxUk/WvJxBt", MESSAGE-INTEGRITY and FINGERPRINT.
    static let sampleRequest: [UInt8] = [
        0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
        0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74, 0x65, 0x73,
        0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
        0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36, 0x00, 0x06, 0x00, 0x09,
        0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20, 0x00, 0x08, 0x00, 0x14,
        0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49,
        0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf,
    ]
    /// RFC 5769 §2.2: the IPv4 success response (SOFTWARE "test vector", 192.0.2.1:32853).
    static let sampleIPv4Response: [UInt8] = [
        0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
        0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
        0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
        0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
        0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96,
    ]
    /// RFC 5769 §2.3: the IPv6 success response ([2001:db8:1234:5678:11:2233:4455:6677]:32853).
    static let sampleIPv6Response: [UInt8] = [
        0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
        0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
        0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
        0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
        0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
        0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c,
    ]
    static let password = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)
    static let ipv6: [UInt8] = [0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78, 0x00, 0x11, 0x22, 0x33,
                                0x44, 0x55, 0x66, 0x77]

    @Test func sampleRequestParsesAndVerifies() throws {
        let message = try STUNMessage(parsing: STUNCodecTests.sampleRequest)
        #expect(message.type == STUNMessageType(method: STUNMessageType.binding, messageClass: .request))
        #expect(message.type.rawValue == 0x0001)
        #expect(message.transactionID.bytes == Array(STUNCodecTests.sampleRequest[8..<20]))
        #expect(message.value(of: STUNAttributeType.username).map(Array.init) == Array("evtj:h6vY".utf8))
        #expect(message.value(of: STUNAttributeType.priority).map(Array.init) == [0x6e, 0x00, 0x01, 0xff])
        #expect(message.fingerprintIsValid)
        #expect(STUNMessageIntegrity.isValid(message, key: STUNCodecTests.password))
        #expect(!STUNMessageIntegrity.isValid(message, key: Array("wrong".utf8)))
    }

    @Test func sampleResponsesVerifyAndDecodeTheMappedAddress() throws {
        let v4 = try STUNMessage(parsing: STUNCodecTests.sampleIPv4Response)
        #expect(v4.type == STUNMessageType(method: STUNMessageType.binding, messageClass: .successResponse))
        #expect(v4.fingerprintIsValid)
        #expect(STUNMessageIntegrity.isValid(v4, key: STUNCodecTests.password))
        let mapped4 = try #require(v4.value(of: STUNAttributeType.xorMappedAddress))
        #expect(STUNTransportAddress.xorDecoded(mapped4, transactionID: v4.transactionID)
            == STUNTransportAddress(address: [192, 0, 2, 1], port: 32853))

        let v6 = try STUNMessage(parsing: STUNCodecTests.sampleIPv6Response)
        #expect(v6.fingerprintIsValid)
        #expect(STUNMessageIntegrity.isValid(v6, key: STUNCodecTests.password))
        let mapped6 = try #require(v6.value(of: STUNAttributeType.xorMappedAddress))
        #expect(STUNTransportAddress.xorDecoded(mapped6, transactionID: v6.transactionID)
            == STUNTransportAddress(address: STUNCodecTests.ipv6, port: 32853))
    }

    /// The writer reproduces §2.2 and §2.3 byte for byte (their SOFTWARE padding is spaces, so it is written as
    /// part of the value here and the length field is fixed up the way the RFC's sender did).
    @Test func writerReproducesTheSampleResponses() throws {
        for (sample, address) in [(STUNCodecTests.sampleIPv4Response, [UInt8]([192, 0, 2, 1])),
                                  (STUNCodecTests.sampleIPv6Response, STUNCodecTests.ipv6)] {
            let id = try #require(STUNTransactionID(Array(sample[8..<20])))
            var writer = STUNMessageWriter(type: STUNMessageType(method: STUNMessageType.binding,
                                                                 messageClass: .successResponse), transactionID: id)
            writer.append(STUNAttributeType.software, Array("test vector ".utf8))
            var bytes = writer.bytes
            bytes[23] = 0x0b // SOFTWARE's declared length is 11; the 12th byte is its padding
            var patched = STUNMessageWriter(rawPrefix: bytes)
            patched.appendXORMappedAddress(try #require(STUNTransportAddress(address: address, port: 32853)))
            patched.appendMessageIntegrity(key: STUNCodecTests.password)
            patched.appendFingerprint()
            #expect(patched.bytes == sample)
        }
    }

    @Test func crc32KnownValue() {
        #expect(STUNCRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func messageTypeRoundTrips() {
        for raw: UInt16 in [0x0001, 0x0101, 0x0111, 0x0011, 0x3EEF, 0x0004] {
            #expect(STUNMessageType(rawValue: raw).rawValue == raw)
        }
    }

    @Test func isSTUNAcceptsChecksAndRejectsMedia() {
        func check(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { STUNHeader.isSTUN($0.baseAddress!, count: $0.count) } }
        #expect(check(STUNCodecTests.sampleRequest))
        #expect(!check(Array(STUNCodecTests.sampleRequest.dropLast(4))))
        var rtp = STUNCodecTests.sampleRequest
        rtp[0] = 0x80
        #expect(!check(rtp))
        var cookie = STUNCodecTests.sampleRequest
        cookie[5] = 0
        #expect(!check(cookie))
        #expect(!check([0, 1, 0, 0]))
    }

    /// Every truncation and every single-byte corruption of the sample is a typed error or a parsed message,
    /// never a trap.
    @Test func hostileInputNeverTraps() {
        let sample = STUNCodecTests.sampleRequest
        for cut in 0..<sample.count {
            #expect(throws: STUNParseError.self) { try STUNMessage(parsing: Array(sample[0..<cut])) }
        }
        for index in 0..<sample.count {
            for value: UInt8 in [0x00, 0x7F, 0xFF] {
                var bytes = sample
                bytes[index] = value
                if let message = try? STUNMessage(parsing: bytes) {
                    _ = message.fingerprintIsValid
                    _ = ICELiteResponder.answer(bytes, from: STUNTransportAddress(address: [1, 2, 3, 4], port: 5)!,
                                                ufrag: Array("evtj".utf8), password: STUNCodecTests.password)
                }
            }
        }
        var overlong = sample
        overlong[62] = 0xFF // USERNAME length past the end
        #expect(throws: STUNParseError(.truncatedAttribute, at: 60)) { try STUNMessage(parsing: overlong) }
    }

    // MARK: - ICE-lite answers

    static let source = STUNTransportAddress(address: [192, 0, 2, 1], port: 32853)!

    static func respond(_ request: [UInt8] = sampleRequest, ufrag: String = "evtj",
                        password: [UInt8] = password) -> ICELiteResponder.Verdict {
        ICELiteResponder.answer(request, from: source, ufrag: Array(ufrag.utf8), password: password)
    }

    @Test func validCheckGetsAnAuthenticatedSuccess() throws {
        guard case .success(let response, let nominated) = STUNCodecTests.respond() else {
            Issue.record("no success")
            return
        }
        #expect(!nominated)
        let message = try STUNMessage(parsing: response)
        #expect(message.type == STUNMessageType(method: STUNMessageType.binding, messageClass: .successResponse))
        #expect(message.transactionID.bytes == Array(STUNCodecTests.sampleRequest[8..<20]))
        #expect(message.fingerprintIsValid)
        #expect(STUNMessageIntegrity.isValid(message, key: STUNCodecTests.password))
        let mapped = try #require(message.value(of: STUNAttributeType.xorMappedAddress))
        #expect(STUNTransportAddress.xorDecoded(mapped, transactionID: message.transactionID) == STUNCodecTests.source)
        // The RFC's own response carries the same mapped address bytes.
        #expect(Array(mapped) == Array(STUNCodecTests.sampleIPv4Response[40..<48]))
    }

    @Test func wrongPasswordOrUsernameGets401WithoutIntegrity() throws {
        for verdict in [STUNCodecTests.respond(password: Array("not the password".utf8)),
                        STUNCodecTests.respond(ufrag: "h6vY")] {
            guard case .error(let response, let failure) = verdict else {
                Issue.record("expected an error response")
                continue
            }
            #expect(failure == .badIntegrity || failure == .unknownUsername)
            let message = try STUNMessage(parsing: response)
            #expect(message.type.messageClass == .errorResponse)
            #expect(message.value(of: STUNAttributeType.errorCode).map(Array.init)?.prefix(4) == [0, 0, 4, 1])
            #expect(message.attribute(STUNAttributeType.messageIntegrity) == nil)
            #expect(message.fingerprintIsValid)
        }
    }

    @Test func brokenFingerprintResponsesAndGarbageGetNothing() {
        var badFingerprint = STUNCodecTests.sampleRequest
        badFingerprint[107] ^= 1
        #expect(STUNCodecTests.respond(badFingerprint) == .ignore(.badFingerprint))
        #expect(STUNCodecTests.respond(STUNCodecTests.sampleIPv4Response) == .ignore(.notRequest))
        #expect(STUNCodecTests.respond([0x80, 0, 0, 0]) == .ignore(.malformed))
    }

    @Test func requestWithoutCredentialsGets400() throws {
        let id = STUNTransactionID.random()
        var writer = STUNMessageWriter(type: STUNMessageType(method: STUNMessageType.binding, messageClass: .request),
                                       transactionID: id)
        writer.appendFingerprint()
        guard case .error(let response, .badRequest) = STUNCodecTests.respond(writer.bytes) else {
            Issue.record("expected 400")
            return
        }
        let message = try STUNMessage(parsing: response)
        #expect(message.value(of: STUNAttributeType.errorCode).map(Array.init)?.prefix(4) == [0, 0, 4, 0])
        #expect(message.transactionID == id)
    }

    @Test func useCandidateIsReportedAsNomination() {
        let id = STUNTransactionID.random()
        var writer = STUNMessageWriter(type: STUNMessageType(method: STUNMessageType.binding, messageClass: .request),
                                       transactionID: id)
        writer.append(STUNAttributeType.username, Array("evtj:peer".utf8))
        writer.append(STUNAttributeType.useCandidate, [])
        writer.appendMessageIntegrity(key: STUNCodecTests.password)
        writer.appendFingerprint()
        guard case .success(_, let nominated) = STUNCodecTests.respond(writer.bytes) else {
            Issue.record("no success")
            return
        }
        #expect(nominated)
    }

    @Test func ipv4MappedSourceIsAnsweredAsIPv4() {
        let mapped = STUNTransportAddress(address: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 10, 0, 0, 1], port: 9)
        #expect(mapped?.address == [10, 0, 0, 1])
    }
}
