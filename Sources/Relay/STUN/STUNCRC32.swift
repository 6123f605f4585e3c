/// CRC-32 (ISO-HDLC: reflected polynomial 0xEDB88320, init and final xor 0xFFFFFFFF), as STUN's FINGERPRINT uses
/// it (RFC 8489 §14.7). Table driven; the table is computed once.
public enum STUNCRC32 {
    static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 != 0 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1 }
        return value
    }

    /// The CRC-32 of `bytes`.
    public static func checksum<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = (crc >> 8) ^ table[Int((crc ^ UInt32(byte)) & 0xFF)] }
        }
        return crc ^ 0xFFFF_FFFF
    }

    /// What FINGERPRINT carries: the CRC-32 xor 0x5354554E ("STUN"), so that a STUN message inside another
    /// protocol's CRC-checked payload does not validate by accident.
    public static let fingerprintXOR: UInt32 = 0x5354_554E
}
