/// Bytes → `DNSMessage`. Every read is bounds-checked against the datagram; names follow compression
/// pointers (RFC 1035 §4.1.4) only backwards, so a hostile packet cannot loop, and a name is capped at
/// 255 bytes. No Foundation, no String: this file builds alone for a fuzzer.
public struct DNSMessageDecoder {
    let bytes: [UInt8]
    var offset = 0

    public static func decode(_ bytes: [UInt8]) throws(DNSDecodeError) -> DNSMessage {
        var decoder = DNSMessageDecoder(bytes: bytes)
        return try decoder.message()
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func message() throws(DNSDecodeError) -> DNSMessage {
        let id = try u16()
        let flags = try u16()
        let counts = (try u16(), try u16(), try u16(), try u16())
        var message = DNSMessage(id: id, isResponse: flags & 0x8000 != 0, opcode: UInt8((flags >> 11) & 0xF),
                                 isAuthoritative: flags & 0x0400 != 0, isTruncated: flags & 0x0200 != 0,
                                 recursionDesired: flags & 0x0100 != 0, recursionAvailable: flags & 0x0080 != 0,
                                 responseCode: UInt8(flags & 0xF))
        for _ in 0..<counts.0 {
            let owner = try name()
            let type = try u16()
            let questionClass = try u16()
            message.questions.append(DNSQuestion(name: owner, type: DNSRecordType(rawValue: type), questionClass: questionClass))
        }
        // A truncated response may end mid-section: keep the records that arrived whole.
        do {
            for _ in 0..<counts.1 { message.answers.append(try record()) }
            for _ in 0..<counts.2 { message.authorities.append(try record()) }
            for _ in 0..<counts.3 { message.additionals.append(try record()) }
        } catch {
            guard message.isTruncated, error.kind == .truncated else { throw error }
        }
        return message
    }

    mutating func record() throws(DNSDecodeError) -> DNSRecord {
        let owner = try name()
        let type = DNSRecordType(rawValue: try u16())
        let recordClass = try u16()
        let rawTTL = try u32()
        let ttl = rawTTL & 0x8000_0000 != 0 ? 0 : rawTTL
        let lengthOffset = offset
        let length = Int(try u16())
        let start = offset
        guard length <= bytes.count - start else { throw DNSDecodeError(.truncated, at: lengthOffset) }
        let end = start + length
        let data: DNSRecordData
        switch type {
        case .a:
            guard length == 4 else { throw DNSDecodeError(.badRecordLength, at: lengthOffset) }
            data = .a(Array(bytes[start..<end]))
        case .aaaa:
            guard length == 16 else { throw DNSDecodeError(.badRecordLength, at: lengthOffset) }
            data = .aaaa(Array(bytes[start..<end]))
        case .cname:
            data = .cname(try name(within: end))
        case .srv:
            guard length >= 7 else { throw DNSDecodeError(.badRecordLength, at: lengthOffset) }
            data = .srv(priority: try u16(), weight: try u16(), port: try u16(), target: try name(within: end))
        case .naptr:
            data = .naptr(order: try u16(within: end), preference: try u16(within: end), flags: try characterString(within: end),
                          services: try characterString(within: end), regexp: try characterString(within: end),
                          replacement: try name(within: end))
        case .soa:
            let primary = try name(within: end)
            let mailbox = try name(within: end)
            guard end - offset == 20 else { throw DNSDecodeError(.badRecordLength, at: lengthOffset) }
            let serial = try u32()
            offset += 12  // refresh, retry, expire
            data = .soa(primary: primary, mailbox: mailbox, serial: serial, minimum: try u32())
        default:
            data = .other(type: type, bytes: Array(bytes[start..<end]))
        }
        if case .other = data {} else if case .a = data {} else if case .aaaa = data {} else {
            guard offset == end else { throw DNSDecodeError(.badRecordLength, at: lengthOffset) }
        }
        offset = end
        return DNSRecord(name: owner, type: type, recordClass: recordClass, ttl: ttl, data: data)
    }

    // MARK: Primitives

    mutating func u16(within end: Int? = nil) throws(DNSDecodeError) -> UInt16 {
        guard offset + 2 <= min(end ?? bytes.count, bytes.count) else { throw DNSDecodeError(.truncated, at: offset) }
        defer { offset += 2 }
        return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    mutating func u32() throws(DNSDecodeError) -> UInt32 {
        let high = try u16()
        return UInt32(high) << 16 | UInt32(try u16())
    }

    mutating func characterString(within end: Int) throws(DNSDecodeError) -> [UInt8] {
        guard offset < end else { throw DNSDecodeError(.badRecordLength, at: offset) }
        let length = Int(bytes[offset])
        guard offset + 1 + length <= end else { throw DNSDecodeError(.badRecordLength, at: offset) }
        defer { offset += 1 + length }
        return Array(bytes[(offset + 1)..<(offset + 1 + length)])
    }

    /// A name inside rdata must not run past the record (its compressed tail may point anywhere earlier).
    mutating func name(within end: Int) throws(DNSDecodeError) -> DNSName {
        let start = offset
        let name = try name()
        guard offset <= end else { throw DNSDecodeError(.badRecordLength, at: start) }
        return name
    }

    /// Reads a possibly compressed name and leaves `offset` just after its in-place part.
    mutating func name() throws(DNSDecodeError) -> DNSName {
        var labels: [[UInt8]] = []
        var total = 1
        var position = offset
        var resumeAt: Int?
        while true {
            guard position < bytes.count else { throw DNSDecodeError(.truncated, at: position) }
            let length = bytes[position]
            switch length & 0xC0 {
            case 0x00:
                if length == 0 {
                    offset = resumeAt ?? (position + 1)
                    return DNSName(labels: labels)
                }
                let count = Int(length)
                guard position + 1 + count <= bytes.count else { throw DNSDecodeError(.truncated, at: position) }
                total += count + 1
                guard total <= 255 else { throw DNSDecodeError(.nameTooLong, at: position) }
                labels.append(Array(bytes[(position + 1)..<(position + 1 + count)]))
                position += 1 + count
            case 0xC0:
                guard position + 1 < bytes.count else { throw DNSDecodeError(.truncated, at: position) }
                let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                // Strictly backwards of this pointer: each jump lowers the position, so the walk ends.
                guard target < position else { throw DNSDecodeError(.badPointer, at: position) }
                if resumeAt == nil { resumeAt = position + 2 }
                position = target
            default:
                throw DNSDecodeError(.badLabelType, at: position)
            }
        }
    }
}
