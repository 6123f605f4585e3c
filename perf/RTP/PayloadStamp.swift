/// What the RTP load generator writes at the start of every payload, so the receiving side can tell, for each
/// datagram alone, which stream it belongs to, where it is in that stream, and when it left.
///
/// Layout (little-endian, 32 bytes): magic `TDPF`, run id (u32), stream id (u32), reserved (u32), sequence (u64),
/// send time in CLOCK_REALTIME nanoseconds (u64). The run id keeps packets of an earlier probe (or any stray
/// datagram) out of the statistics of the current one; the 64-bit sequence never wraps within a bounded run, so
/// duplicates and losses are exact rather than inferred from the 16-bit RTP sequence.
public struct PayloadStamp: Sendable, Equatable {
    public static let byteCount = 32
    static let magic: UInt32 = 0x4650_4454  // "TDPF" read as little-endian

    public var runID: UInt32
    public var streamID: UInt32
    public var sequence: UInt64
    public var sendTimeNanoseconds: UInt64

    public init(runID: UInt32, streamID: UInt32, sequence: UInt64, sendTimeNanoseconds: UInt64) {
        self.runID = runID
        self.streamID = streamID
        self.sequence = sequence
        self.sendTimeNanoseconds = sendTimeNanoseconds
    }

    /// Writes the stamp at `offset`; the caller guarantees `offset + byteCount <= buffer.count`.
    public func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        buffer.storeBytes(of: PayloadStamp.magic.littleEndian, toByteOffset: offset, as: UInt32.self)
        buffer.storeBytes(of: runID.littleEndian, toByteOffset: offset + 4, as: UInt32.self)
        buffer.storeBytes(of: streamID.littleEndian, toByteOffset: offset + 8, as: UInt32.self)
        buffer.storeBytes(of: UInt32(0), toByteOffset: offset + 12, as: UInt32.self)
        buffer.storeBytes(of: sequence.littleEndian, toByteOffset: offset + 16, as: UInt64.self)
        buffer.storeBytes(of: sendTimeNanoseconds.littleEndian, toByteOffset: offset + 24, as: UInt64.self)
    }

    /// Reads a stamp at `offset`. Anything shorter than a stamp or without the magic is a typed error.
    public static func read(from buffer: UnsafeRawBufferPointer, at offset: Int) throws(PayloadStampError) -> PayloadStamp {
        guard offset >= 0, buffer.count - offset >= byteCount else {
            throw PayloadStampError(.truncated, at: max(0, min(offset, buffer.count)))
        }
        guard UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) == magic else {
            throw PayloadStampError(.badMagic, at: offset)
        }
        return PayloadStamp(
            runID: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)),
            streamID: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)),
            sequence: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 16, as: UInt64.self)),
            sendTimeNanoseconds: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: offset + 24, as: UInt64.self))
        )
    }
}

/// Why a received datagram carried no usable stamp.
public struct PayloadStampError: Error, Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case truncated
        case badMagic
    }
    public var kind: Kind
    public var offset: Int
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }
}
