@testable import Signaling

/// A tiny authoritative zone for tests: answers a query datagram from a table of records, NXDOMAIN
/// for names it does not know. Used both by the sans-I/O locator tests and the UDP responder.
struct FakeDNSZone: Sendable {
    var records: [DNSRecord] = []
    /// Questions answered so far, in order (what the locator asked).
    var asked: [DNSQuestion] = []

    mutating func add(_ name: String, ttl: UInt32 = 60, _ data: DNSRecordData) {
        records.append(DNSRecord(name: DNSName(name)!, ttl: ttl, data: data))
    }

    mutating func answer(_ datagram: [UInt8]) -> [UInt8]? {
        guard let query = try? DNSMessageDecoder.decode(datagram), let question = query.questions.first else { return nil }
        asked.append(question)
        let answers = records.filter { $0.name == question.name && ($0.type == question.type || $0.type == .cname) }
        let known = records.contains { $0.name == question.name }
        let response = DNSMessage(id: query.id, isResponse: true, isAuthoritative: true, recursionDesired: query.recursionDesired,
                                  responseCode: known ? 0 : 3, questions: [question], answers: answers)
        return DNSMessageEncoder.encode(response)
    }
}
