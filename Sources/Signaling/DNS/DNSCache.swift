/// Answers by question, each until its expiry (milliseconds on the locator's clock). An entry with
/// no records is a negative answer (NXDOMAIN / NODATA, RFC 2308) or a failed question; both end the
/// branch of a lookup that asked, and both expire so that the name is asked again later.
public struct DNSCache: Sendable {
    public struct Entry: Sendable, Hashable {
        /// Data of the asked type, CNAMEs already followed.
        public var records: [DNSRecordData]
        public var expires: Int64
        /// The question failed (timeout, SERVFAIL), as opposed to a clean "none".
        public var failed: Bool
    }

    private(set) var entries: [DNSQuestion: Entry] = [:]

    public init() {}

    public func lookup(_ question: DNSQuestion, now: Int64) -> Entry? {
        guard let entry = entries[question], entry.expires > now else { return nil }
        return entry
    }

    mutating func store(_ question: DNSQuestion, _ entry: Entry) { entries[question] = entry }

    /// Drops expired entries (called now and then so that the table does not grow without bound).
    mutating func purge(now: Int64) { entries = entries.filter { $0.value.expires > now } }

    public var count: Int { entries.count }
}
