/// `DNSMessage` → bytes, without name compression (queries carry one name; the test responders'
/// answers are small). Lengths come from the values, so a name over 255 bytes or a character-string
/// over 255 bytes is cut rather than trapping.
public enum DNSMessageEncoder {
    /// A standard recursive query for one question (what the locator sends).
    public static func query(id: UInt16, _ question: DNSQuestion) -> [UInt8] {
        encode(DNSMessage(id: id, recursionDesired: true, questions: [question]))
    }

    public static func encode(_ message: DNSMessage) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        put16(&out, message.id)
        var flags: UInt16 = 0
        if message.isResponse { flags |= 0x8000 }
        flags |= UInt16(message.opcode & 0xF) << 11
        if message.isAuthoritative { flags |= 0x0400 }
        if message.isTruncated { flags |= 0x0200 }
        if message.recursionDesired { flags |= 0x0100 }
        if message.recursionAvailable { flags |= 0x0080 }
        flags |= UInt16(message.responseCode & 0xF)
        put16(&out, flags)
        for count in [message.questions.count, message.answers.count, message.authorities.count, message.additionals.count] {
            put16(&out, UInt16(clamping: count))
        }
        for question in message.questions {
            putName(&out, question.name)
            put16(&out, question.type.rawValue)
            put16(&out, question.questionClass)
        }
        for record in message.answers + message.authorities + message.additionals { putRecord(&out, record) }
        return out
    }

    static func putRecord(_ out: inout [UInt8], _ record: DNSRecord) {
        putName(&out, record.name)
        put16(&out, record.type.rawValue)
        put16(&out, record.recordClass)
        put16(&out, UInt16(truncatingIfNeeded: record.ttl >> 16))
        put16(&out, UInt16(truncatingIfNeeded: record.ttl))
        var rdata: [UInt8] = []
        switch record.data {
        case .a(let bytes), .aaaa(let bytes), .other(_, let bytes):
            rdata = bytes
        case .cname(let name):
            putName(&rdata, name)
        case .srv(let priority, let weight, let port, let target):
            put16(&rdata, priority)
            put16(&rdata, weight)
            put16(&rdata, port)
            putName(&rdata, target)
        case .naptr(let order, let preference, let flags, let services, let regexp, let replacement):
            put16(&rdata, order)
            put16(&rdata, preference)
            for string in [flags, services, regexp] {
                let cut = string.prefix(255)
                rdata.append(UInt8(cut.count))
                rdata += cut
            }
            putName(&rdata, replacement)
        case .soa(let primary, let mailbox, let serial, let minimum):
            putName(&rdata, primary)
            putName(&rdata, mailbox)
            for value in [serial, 3600, 600, 86400, minimum] {
                put16(&rdata, UInt16(truncatingIfNeeded: value >> 16))
                put16(&rdata, UInt16(truncatingIfNeeded: value))
            }
        }
        put16(&out, UInt16(clamping: rdata.count))
        out += rdata.prefix(Int(UInt16.max))
    }

    static func putName(_ out: inout [UInt8], _ name: DNSName) {
        var total = 1
        for label in name.labels {
            let cut = label.prefix(63)
            guard !cut.isEmpty, total + cut.count + 1 <= 255 else { break }
            total += cut.count + 1
            out.append(UInt8(cut.count))
            out += cut
        }
        out.append(0)
    }

    static func put16(_ out: inout [UInt8], _ value: UInt16) {
        out.append(UInt8(value >> 8))
        out.append(UInt8(value & 0xFF))
    }
}
