extension NGCommandHandler {
    /// ng `delete`: the reply carries the call's state and totals as `query` shows them.
    func delete(_ request: NGDeleteRequest, at now: SessionTime) -> NGExchange {
        refreshCounters(of: request.callID, at: now)
        do {
            let (snapshot, outcome) = try sessions.delete(
                callID: request.callID, fromTag: request.fromTag,
                toTag: request.selectsToTag ? request.toTag : nil,
                viaBranch: request.viaBranch, deleteDelay: request.deleteDelay.map { Int64($0) }, at: now)
            _ = executor.execute(outcome.actions, callID: request.callID)
            pendingExtra = .call(snapshot, fromTag: nil, toTag: nil)
            return success("delete", callID: request.callID, events: outcome.events)
        } catch let error as SessionError {
            if request.isFatal { return failure("delete", error.reason, callID: request.callID) }
            return NGExchange(reply: nil, command: "delete", result: "warning", detail: error.reason,
                              callID: request.callID, duplicate: false, events: [])
        } catch {
            return failure("delete", "\(error)", callID: request.callID)
        }
    }

    /// ng `query`: refreshes the call's streams from the data plane first, so counters and learned endpoints
    /// are current rather than up to a second old.
    func query(_ request: NGQueryRequest, at now: SessionTime) -> NGExchange {
        refreshCounters(of: request.callID, at: now)
        do {
            let snapshot = try sessions.query(callID: request.callID)
            pendingExtra = .call(snapshot, fromTag: request.fromTag, toTag: request.toTag)
            return success("query", callID: request.callID)
        } catch let error as SessionError {
            return failure("query", error.reason, callID: request.callID)
        } catch {
            return failure("query", "\(error)", callID: request.callID)
        }
    }

    /// Pulls the reports of one call's streams.
    func refreshCounters(of callID: String, at now: SessionTime) {
        var reports: [MediaStreamReport] = []
        sessions.forEachStream(ofCall: callID) { stream in
            if let report = executor.report(for: stream, at: now) { reports.append(report) }
        }
        for report in reports { apply(report) }
    }
}
