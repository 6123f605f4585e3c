import Testing
@testable import Perf

@Suite struct PayloadStampTests {
    @Test func roundTripsThroughAPacket() throws {
        var packet = [UInt8](repeating: 0, count: RTPPacketWriter.headerLength + 160)
        let stamp = PayloadStamp(runID: 0xDEAD_BEEF, streamID: 7, sequence: 1 << 40 | 3, sendTimeNanoseconds: 1_795_000_000_123_456_789)
        packet.withUnsafeMutableBytes { buf in
            RTPPacketWriter.prepare(buf, payloadType: 8)
            RTPPacketWriter.stamp(buf, ssrc: 0x1234_5678, rtpSequence: 0xFFFF, rtpTimestamp: 160, stamp: stamp)
        }
        #expect(packet[0] == 0x80 && packet[1] == 8)
        #expect(Array(packet[2..<4]) == [0xFF, 0xFF])
        #expect(Array(packet[4..<8]) == [0, 0, 0, 160])
        #expect(Array(packet[8..<12]) == [0x12, 0x34, 0x56, 0x78])
        #expect(packet.last == 0xD5)
        let decoded = try packet.withUnsafeBytes { try PayloadStamp.read(from: $0, at: RTPPacketWriter.headerLength) }
        #expect(decoded == stamp)
    }

    @Test func rejectsShortAndForeignPayloads() {
        let short = [UInt8](repeating: 0, count: 20)
        #expect(throws: PayloadStampError(.truncated, at: 12)) {
            try short.withUnsafeBytes { try PayloadStamp.read(from: $0, at: 12) }
        }
        let foreign = [UInt8](repeating: 0x41, count: 64)
        #expect(throws: PayloadStampError(.badMagic, at: 12)) {
            try foreign.withUnsafeBytes { try PayloadStamp.read(from: $0, at: 12) }
        }
        #expect(throws: PayloadStampError(.truncated, at: 0)) {
            try foreign.withUnsafeBytes { try PayloadStamp.read(from: $0, at: -5) }
        }
    }
}
