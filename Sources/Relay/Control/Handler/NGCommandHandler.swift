/// The relay's ng command path: datagram in, reply datagram out. Decodes the message, answers duplicates from the
/// cookie cache, maps the command onto the `SessionTable`, has the executor carry out the resulting data plane
/// actions (binding before replying, so the SDP never names a port the relay could not open), rewrites the SDP and
/// encodes the reply in the request's form.
///
/// Sans I/O: the time comes in with each call and sockets live behind `MediaPlaneExecutor`, so the same code runs
/// under the UDP listener, in tests and in the fuzzer. Not thread-safe by design: one control thread owns it (and
/// with it the session table), which is also what makes duplicate cookies safe without locking.
public final class NGCommandHandler<Executor: MediaPlaneExecutor> {
    public internal(set) var sessions: SessionTable
    public let executor: Executor
    public internal(set) var counters = NGCommandCounters()
    public let limits: NGLimits
    var cookies: CookieCache
    /// Extra `statistics` reply keys the driver keeps current (the kernel offload's counters under `kernel`).
    public var statisticsExtra = NGDictionary()
    /// The relay's ICE credentials for `ICE=force`.
    public var iceCredentials = ICECredentialSource()
    /// ICE credential changes not yet taken by the driver (`takeICECredentialChanges()`).
    var iceCredentialChanges: [ICECredentialChange] = []
    /// Sockets whose last offer/answer forced ICE (so a later one without it clears their credentials).
    var iceSockets = Set<LocalSocket>()

    public init(sessions: SessionTable, executor: Executor, limits: NGLimits = .default,
                cookieCache: CookieCache = CookieCache()) {
        self.sessions = sessions
        self.executor = executor
        self.limits = limits
        self.cookies = cookieCache
    }

    /// Handles one request datagram.
    public func handle(_ datagram: [UInt8], at now: SessionTime) -> NGExchange {
        guard let cookie = NGMessage.cookie(of: datagram, limits: limits) else {
            counters.malformed &+= 1
            counters.unanswerable &+= 1
            return NGExchange(reply: nil, command: "unknown", result: "error", detail: "no cookie", callID: nil,
                              duplicate: false, events: [])
        }
        if let cached = cookies.reply(for: cookie, at: now) {
            counters.duplicates &+= 1
            return NGExchange(reply: cached, command: "duplicate", result: "cached", detail: nil, callID: nil,
                              duplicate: true, events: [])
        }
        var exchange: NGExchange
        do {
            let message = try NGMessage(decoding: datagram, limits: limits)
            exchange = process(message.dictionary, at: now)
            exchange.reply = encodeReply(exchange, cookie: cookie, encoding: message.encoding)
        } catch {
            counters.malformed &+= 1
            let encoding = NGMessage.probableEncoding(of: datagram)
            let reason = error.reason(for: encoding)
            exchange = NGExchange(reply: NGReply.error(reason).encoded(cookie: cookie, encoding: encoding),
                                  command: "unknown", result: "error", detail: reason, callID: nil,
                                  duplicate: false, events: [])
        }
        pendingExtra = .none
        counters.count(command: exchange.command, result: exchange.result)
        if let reply = exchange.reply { cookies.store(reply, for: cookie, at: now) }
        return exchange
    }

    /// Extra reply keys of the command being processed (set by the command handlers).
    var pendingExtra = NGReplyExtra.none

    /// The reply datagram: bencode is written straight from `pendingExtra` (`BencodeWriter`), JSON goes through
    /// the dictionary tree. Both have the keys in the same order, so bencode replies are byte for byte what
    /// encoding the tree gives (`NGReplyWriterTests`).
    func encodeReply(_ exchange: NGExchange, cookie: [UInt8], encoding: NGEncoding) -> [UInt8] {
        guard encoding == .bencode else {
            return NGReply(dictionary: replyDictionary(exchange, extra: pendingExtra.dictionary))
                .encoded(cookie: cookie, encoding: encoding)
        }
        var out = BencodeWriter(cookie: cookie, capacity: 32 + pendingExtra.estimatedBytes)
        out.beginDictionary()
        switch exchange.result {
        case "pong":
            out.key("result", literal: "pong")
        case "error":
            out.key("result", literal: "error")
            out.key("error-reason", text: exchange.detail ?? "error")
        case "warning":
            out.key("result", literal: "ok")
            pendingExtra.write(into: &out)
            out.key("warning", text: exchange.detail ?? "")
        default:
            out.key("result", literal: "ok")
            pendingExtra.write(into: &out)
        }
        out.end()
        return out.bytes
    }

    func replyDictionary(_ exchange: NGExchange, extra: NGDictionary) -> NGDictionary {
        switch exchange.result {
        case "pong": return NGReply.pong.dictionary
        case "error": return NGReply.error(exchange.detail ?? "error").dictionary
        case "warning": return NGReply.warning(exchange.detail ?? "", extra).dictionary
        default: return NGReply.ok(extra).dictionary
        }
    }

    /// Runs a decoded request dictionary; the reply's extra keys go to `pendingExtra`.
    func process(_ dictionary: NGDictionary, at now: SessionTime) -> NGExchange {
        let command: NGCommand
        do {
            command = try NGCommand(dictionary)
        } catch {
            let name: String
            if case .unrecognizedCommand = error { name = "unknown" } else {
                name = dictionary["command"]?.stringValue.map(ngKnownCommandName) ?? "unknown"
            }
            return failure(name, error.reason, callID: dictionary["call-id"]?.stringValue)
        }
        switch command {
        case .ping:
            return NGExchange(reply: nil, command: "ping", result: "pong", detail: nil, callID: nil,
                              duplicate: false, events: [])
        case .offer(let request):
            return offerAnswer(request, isOffer: true, at: now)
        case .answer(let request):
            return offerAnswer(request, isOffer: false, at: now)
        case .delete(let request):
            return delete(request, at: now)
        case .query(let request):
            return query(request, at: now)
        case .list(let request):
            do {
                let calls = try sessions.list(limit: request.limit)
                pendingExtra = .keys(["calls": .list(calls.map { .text($0) })])
                return success("list", callID: nil)
            } catch let error as SessionError {
                return failure("list", error.reason, callID: nil)
            } catch {
                return failure("list", "\(error)", callID: nil)
            }
        case .statistics:
            // The relayed totals are sums of the streams' counters, which the table holds only as last pulled:
            // the one command that refreshes every stream (O(streams), only when asked).
            refreshCounters(at: now)
            var keys = NGStatisticsReply.dictionary(sessions.statistics(), counters: counters)
            keys.append(contentsOf: statisticsExtra)
            pendingExtra = .keys(keys)
            return success("statistics", callID: nil)
        }
    }


    func success(_ command: String, callID: String?, events: [SessionEvent] = []) -> NGExchange {
        NGExchange(reply: nil, command: command, result: "ok", detail: nil, callID: callID, duplicate: false,
                   events: events)
    }

    func failure(_ command: String, _ reason: String, callID: String?) -> NGExchange {
        pendingExtra = .none
        return NGExchange(reply: nil, command: command, result: "error", detail: reason, callID: callID,
                          duplicate: false, events: [])
    }

    // MARK: - Clock and data plane reports

    /// Pulls every stream's counters and learned source from the executor into the session table. O(streams):
    /// only `statistics` does this; the clock refreshes just the calls that are due (`tick(at:)`).
    public func refreshCounters(at now: SessionTime) {
        for report in executor.reports(at: now) { apply(report) }
    }

    /// Pulls the reports of the streams whose call the clock is about to judge (`SessionTable.streamsDueForRefresh`).
    func refreshDueStreams(at now: SessionTime) {
        let due = sessions.streamsDueForRefresh(now: now)
        guard !due.isEmpty else { return }
        var reports: [MediaStreamReport] = []
        reports.reserveCapacity(due.count)
        for stream in due {
            if let report = executor.report(for: stream, at: now) { reports.append(report) }
        }
        for report in reports { apply(report) }
    }

    func apply(_ report: MediaStreamReport) {
        sessions.applyReport(stream: report.stream, counters: report.counters, lastPacket: report.lastPacket,
                             learned: report.learned, inKernel: report.inKernel)
    }

    /// The once-a-second duty: run timeouts and delayed deletes, close what they free. Pull, not push: only the
    /// calls whose deadline has passed get fresh data plane reports first (so one whose media kept flowing is
    /// rescheduled, not ended), and a tick with nothing due reads nothing. Its cost follows the due calls, not the
    /// number of streams (issue 4: a walk over every stream each second was most of the relay's CPU with 10,000
    /// offloaded streams).
    @discardableResult
    public func tick(at now: SessionTime) -> SessionOutcome {
        refreshDueStreams(at: now)
        let outcome = sessions.tick(now: now)
        _ = executor.execute(outcome.actions, callID: nil)
        for event in outcome.events {
            switch event {
            case .callEnded(_, let reason), .branchEnded(_, _, let reason):
                counters.callsEnded[reason, default: 0] &+= 1
            }
        }
        return outcome
    }

    /// Deletes every call now (shutdown): closes all their ports. Returns how many calls were deleted.
    @discardableResult
    public func deleteAllCalls(at now: SessionTime) -> Int {
        let callIDs = (try? sessions.list(limit: Int.max)) ?? []
        for callID in callIDs {
            if let (_, outcome) = try? sessions.delete(callID: callID, deleteDelay: 0, at: now) {
                _ = executor.execute(outcome.actions, callID: callID)
            }
        }
        return callIDs.count
    }
}

/// The command name for counting: a known command, or `unknown` (so hostile input cannot grow the label set).
func ngKnownCommandName(_ name: String) -> String {
    ["ping", "offer", "answer", "delete", "query", "list", "statistics"].contains(name) ? name : "unknown"
}
