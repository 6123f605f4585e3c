/// Why a datagram is not a DNS message, and where (byte offset into the datagram).
public struct DNSDecodeError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The datagram ended inside a header, name, record or rdata.
        case truncated
        /// A label length byte with the reserved 0b01/0b10 top bits.
        case badLabelType
        /// A compression pointer that does not point strictly backwards (which would allow a loop).
        case badPointer
        /// A name longer than 255 bytes once decompressed.
        case nameTooLong
        /// RDLENGTH disagrees with what the record's type says its data holds.
        case badRecordLength
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String { "DNS \(kind) at byte \(offset)" }
}
