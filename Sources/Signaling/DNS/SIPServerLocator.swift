/// RFC 3263 §4 client-side server location, sans I/O: a lookup goes in, DNS queries come out as
/// datagrams to send, answers go back in, and the lookup ends with an ordered list of
/// (address, port, transport) targets. The clock (milliseconds, monotonic) and randomness (query ids,
/// SRV weights) are injected, so tests drive it without sockets or sleeps.
///
/// How it works: what a lookup needs is a pure function of the cache (`plan`): either the questions
/// still missing, or the targets. Every answer, timeout or new lookup stores into the cache and
/// re-plans the pending lookups; a question is sent once however many lookups wait for it.
public struct SIPServerLocator: Sendable {
    public var settings: SIPLocatorSettings
    public private(set) var cache = DNSCache()
    var random: SplitMix64Generator

    struct Inflight: Sendable {
        var question: DNSQuestion
        var datagram: [UInt8]
        var sends: Int
        var deadline: Int64
    }

    var inflight: [UInt16: Inflight] = [:]
    var inflightQuestions: [DNSQuestion: UInt16] = [:]
    var lookups: [SIPLocatorLookupID: SIPLocatorRequest] = [:]
    var nextLookup: UInt64 = 1
    var lastPurge: Int64 = 0

    /// Counters for metrics and tests.
    public private(set) var queriesSent: UInt64 = 0
    public private(set) var queryTimeouts: UInt64 = 0
    public private(set) var failedLookups: UInt64 = 0

    public init(settings: SIPLocatorSettings = SIPLocatorSettings(), seed: UInt64) {
        self.settings = settings
        self.random = SplitMix64Generator(seed: seed)
    }

    /// Lookups still waiting for answers.
    public var pendingLookups: Int { lookups.count }

    /// The earliest query timeout, if any query is out.
    public var nextDeadline: Int64? { inflight.values.map(\.deadline).min() }

    /// Starts a lookup. A numeric host or a fully cached chain finishes in the returned actions.
    public mutating func locate(_ request: SIPLocatorRequest, now: Int64) -> (SIPLocatorLookupID, [SIPLocatorAction]) {
        let id = SIPLocatorLookupID(nextLookup)
        nextLookup += 1
        lookups[id] = request
        return (id, replan(now: now))
    }

    /// An answer from the nameserver. Datagrams that do not parse, do not match a query out, or ask a
    /// different question are ignored (RFC 5452: id and question must both match).
    public mutating func receive(_ datagram: [UInt8], now: Int64) -> [SIPLocatorAction] {
        guard let message = try? DNSMessageDecoder.decode(datagram), message.isResponse,
              let query = inflight[message.id], message.questions.first == query.question
        else { return [] }
        inflight[message.id] = nil
        inflightQuestions[query.question] = nil
        store(answer: message, for: query.question, now: now)
        return replan(now: now)
    }

    /// Re-sends or fails the queries whose timeout passed.
    public mutating func advance(now: Int64) -> [SIPLocatorAction] {
        var actions: [SIPLocatorAction] = []
        var failed = false
        for (id, var query) in inflight where query.deadline <= now {
            if query.sends < settings.attempts {
                query.sends += 1
                query.deadline = now + settings.queryTimeoutMilliseconds
                inflight[id] = query
                queriesSent += 1
                actions.append(.send(query.datagram))
            } else {
                queryTimeouts += 1
                inflight[id] = nil
                inflightQuestions[query.question] = nil
                storeFailure(query.question, now: now)
                failed = true
            }
        }
        if failed { actions += replan(now: now) }
        return actions
    }

    // MARK: Internals

    mutating func replan(now: Int64) -> [SIPLocatorAction] {
        if now - lastPurge > 60_000 {
            cache.purge(now: now)
            lastPurge = now
        }
        var actions: [SIPLocatorAction] = []
        for (id, request) in lookups.sorted(by: { $0.key < $1.key }) {
            switch plan(request, now: now) {
            case .need(let questions):
                for question in questions where inflightQuestions[question] == nil {
                    actions.append(.send(startQuery(question, now: now)))
                }
            case .done(let targets):
                lookups[id] = nil
                if targets.isEmpty { failedLookups += 1 }
                actions.append(.finished(id, targets))
            }
        }
        return actions
    }

    mutating func startQuery(_ question: DNSQuestion, now: Int64) -> [UInt8] {
        var id = UInt16.random(in: 0...UInt16.max, using: &random)
        while inflight[id] != nil { id = id &+ 1 }
        let datagram = DNSMessageEncoder.query(id: id, question)
        inflight[id] = Inflight(question: question, datagram: datagram, sends: 1,
                                deadline: now + settings.queryTimeoutMilliseconds)
        inflightQuestions[question] = id
        queriesSent += 1
        return datagram
    }

    /// Caches an answer: the records of the asked type at the end of the CNAME chain (RFC 1034
    /// §3.6.2), plus A/AAAA sets from the additional section (SRV answers often carry them).
    mutating func store(answer message: DNSMessage, for question: DNSQuestion, now: Int64) {
        switch DNSResponseCode(rawValue: message.responseCode) {
        case .noError, .nameError:
            break
        default:
            storeFailure(question, now: now)
            return
        }
        var chain: Set<DNSName> = [question.name]
        var ttl = UInt32.max
        for _ in 0..<min(message.answers.count, 16) {
            var grew = false
            for record in message.answers where record.type == .cname && chain.contains(record.name) {
                if case .cname(let target) = record.data, !chain.contains(target) {
                    chain.insert(target)
                    ttl = min(ttl, record.ttl)
                    grew = true
                }
            }
            if !grew { break }
        }
        let matching = message.answers.filter { $0.type == question.type && chain.contains($0.name) }
        if matching.isEmpty {
            var negative = settings.negativeTTLSeconds
            for record in message.authorities {
                if case .soa(_, _, _, let minimum) = record.data { negative = min(negative, record.ttl, minimum) }
            }
            cache.store(question, .init(records: [], expires: now + Int64(clampTTL(negative)) * 1000, failed: false))
        } else {
            ttl = matching.reduce(ttl) { min($0, $1.ttl) }
            cache.store(question, .init(records: matching.map(\.data), expires: now + Int64(clampTTL(ttl)) * 1000, failed: false))
        }
        var extra: [DNSQuestion: (records: [DNSRecordData], ttl: UInt32)] = [:]
        for record in message.additionals where record.type == .a || record.type == .aaaa {
            let key = DNSQuestion(name: record.name, type: record.type)
            var set = extra[key] ?? ([], UInt32.max)
            set.records.append(record.data)
            set.ttl = min(set.ttl, record.ttl)
            extra[key] = set
        }
        for (key, value) in extra where cache.lookup(key, now: now) == nil {
            cache.store(key, .init(records: value.records, expires: now + Int64(clampTTL(value.ttl)) * 1000, failed: false))
        }
    }

    mutating func storeFailure(_ question: DNSQuestion, now: Int64) {
        cache.store(question, .init(records: [], expires: now + Int64(settings.failureTTLSeconds) * 1000, failed: true))
    }

    func clampTTL(_ ttl: UInt32) -> UInt32 { max(settings.minimumTTLSeconds, min(ttl, settings.maximumTTLSeconds)) }
}
