import Logging

/// The relay's side of kernel offload: starting (or re-adopting) the nftables table, offloading established
/// rules on the clock and after signalling, journaling offloaded calls, and removing the table on a clean stop.
extension RelayServer {
    /// Runs `KernelMode.start` in the calling thread's namespace (the relay's). `auto` logs one line with the
    /// reason when it falls back; `require` throws. With a table left by a crashed predecessor, its elements are
    /// adopted and the calls of the journal restored around them.
    func startKernel() throws {
        let mode = options.kernelMode
        let configuration = KernelForwarderConfiguration(tableName: options.kernelTable)
        var decision: KernelOffloadDecision
        do {
            decision = try mode.start(configuration, adopt: true)
            // `auto` also falls back when a leftover table cannot be adopted (foreign marks, incomplete legs);
            // replacing it beats leaving stale forwarding in place with the relay in userspace.
            if case .userspace(let reason) = decision, mode == .auto,
               let replaced = try? mode.start(configuration, adopt: false), replaced.forwarder != nil {
                logger.warning("existing kernel table could not be adopted and was replaced", metadata: ["reason": "\(reason)"])
                decision = replaced
            }
        } catch {
            guard case .adoptionMismatch = error, let replaced = try? mode.start(configuration, adopt: false) else {
                throw RelayKernelError(description: "kernel offload required (--kernel require) but unavailable: \(error)")
            }
            logger.warning("existing kernel table could not be adopted and was replaced", metadata: ["reason": "\(error)"])
            decision = replaced
        }
        guard let forwarder = decision.forwarder else {
            if case .userspace(let reason) = decision {
                if mode == .off { logger.notice("\(reason)") } else { logger.warning("\(reason)") }
            }
            return
        }
        kernel = forwarder
        handler.executor.kernel = forwarder
        handler.executor.kernelStatus.active = true
        reviewSysctls(ipv6: forwarder.offloadsIPv6)
        do {
            journal = try KernelOffloadJournal(directory: options.dataDirectory)
        } catch {
            logger.warning("kernel offload journal unavailable; offloaded calls cannot be re-adopted after a crash",
                           metadata: ["error": "\(error)"])
        }
        let adopted = forwarder.installedEntries
        guard !adopted.isEmpty else {
            journal?.compact([])
            logger.notice("kernel offload active", metadata: ["table": "ip/ip6 \(options.kernelTable)"])
            return
        }
        let now = RelayServer.wallClock()
        var restored: [CallRecord] = []
        for record in journal?.load() ?? [] {
            do {
                let outcome = try handler.sessions.restore(record, at: now)
                _ = handler.executor.execute(outcome.actions, callID: record.callIdentifier)
                restored.append(record)
            } catch {
                logger.warning("journaled call not restored", metadata: [
                    "call_id": "\(record.callIdentifier)", "error": "\(error)",
                ])
            }
        }
        let matched = handler.executor.adoptKernelEntries(adopted, at: now)
        let kept = restored.filter { matched.contains($0.callIdentifier) }
        // A journaled call without elements (taken back before the crash) has nothing to continue: drop it again.
        for record in restored where !matched.contains(record.callIdentifier) {
            if let (_, outcome) = try? handler.sessions.delete(callID: record.callIdentifier, deleteDelay: 0, at: now) {
                _ = handler.executor.execute(outcome.actions, callID: record.callIdentifier)
            }
        }
        journal?.compact(kept)
        journaled = Set(kept.map(\.callIdentifier))
        handler.executor.kernelStatus.adoptedCalls = matched.count
        logger.notice("kernel offload active; re-adopted offloaded calls from the existing table", metadata: [
            "table": "ip/ip6 \(options.kernelTable)", "calls": "\(matched.count)", "elements": "\(adopted.count)",
            "dropped_without_elements": "\(restored.count - kept.count)",
        ])
    }

    /// Checks (or, with `--kernel-sysctls set`, sets) the sysctls the kernel path needs, on the interfaces that hold
    /// the relay's media addresses; one log line per change and per requirement still unmet. IPv6 forwarding counts
    /// only when a media address is IPv6 and the kernel offloads IPv6.
    func reviewSysctls(ipv6 offloadsIPv6: Bool) {
        let addresses = handler.sessions.configuration.interfaces.map(\.address)
        let ipv6 = offloadsIPv6 && addresses.contains { if case .v6 = $0 { true } else { false } }
        let set = options.kernelSysctls == .set
        let review = KernelSysctls.review(interfaces: KernelSysctls.interfaces(holding: addresses), ipv6: ipv6,
                                          allowChanges: set)
        for change in review.changes {
            logger.notice("kernel offload sysctl: \(change)")
        }
        for finding in review.findings {
            if set || finding.found == "unreadable" {
                logger.warning("kernel offload sysctl: \(finding)")
            } else {
                logger.warning("kernel offload sysctl: \(finding) (--kernel-sysctls set would set it)")
            }
        }
    }

    /// Offloads what became eligible (every pending rule, one call's rules after its signalling, or the rules
    /// changed in the last `changedWithin` ms) and journals the calls that got new elements (one fsync).
    func offload(at now: SessionTime, callID: String? = nil, changedWithin: Int64? = nil) {
        guard kernel != nil else { return }
        let calls = handler.executor.offloadEstablishedRules(at: now, callID: callID, changedWithin: changedWithin)
        guard !calls.isEmpty else { return }
        let records = calls.sorted().compactMap { handler.sessions.record(callID: $0) }
        journal?.record(records)
        journaled.formUnion(calls)
        logger.debug("offloaded to the kernel", metadata: ["calls": "\(calls.count)"])
    }

    /// Reads the kernel counters on the clock, every `kernelCounterInterval` seconds.
    func refreshKernelCountersIfDue(at now: SessionTime) {
        guard kernel != nil else { return }
        kernelCounterTicks += 1
        // The dump's cost follows the elements in the map: ours, or more if someone else added some.
        let executor = handler.executor
        let every = RelayServer.kernelCounterInterval(
            offloadedDirections: max(executor.kernelStatus.offloadedStreams, executor.kernelDumpElements),
            timeouts: [options.timeout, options.silentTimeout])
        guard kernelCounterTicks >= every else { return }
        kernelCounterTicks = 0
        handler.executor.refreshKernelCounters(at: now)
    }

    /// Seconds between two reads of the kernel counters. A read is one dump of `leg_mark`, and the kernel's cost
    /// grows with the elements (~3–4 ms per 1000 on the 2-core test box): at 10,000 offloaded directions a read
    /// every second was 3–4 % of a core, the relay's largest remaining cost for offloaded media. So: every second
    /// up to 2000 directions, one second more per further 2000, at most 5 s, and never more than a quarter of the
    /// shortest call timeout (the reads are what tells an idle offloaded stream from a busy one, so a timeout fires
    /// at most that late). `query` and the metrics show kernel counters that old at most.
    static func kernelCounterInterval(offloadedDirections: Int, timeouts: [Int]) -> Int {
        let bySize = 1 + max(0, offloadedDirections) / 2000
        let shortest = timeouts.filter { $0 > 0 }.min() ?? 60
        return max(1, min(5, bySize, shortest / 4))
    }

    /// Journals the end of calls that were journaled.
    func journalEnded(_ events: [SessionEvent]) {
        for event in events {
            if case .callEnded(let callID, _) = event, journaled.remove(callID) != nil {
                journal?.forget(callID: callID)
            }
        }
    }

    /// Clean stop: the calls are already deleted (their elements removed); drop the table and empty the journal.
    func stopKernel() {
        guard let kernel else { return }
        do {
            try kernel.removeTable()
            logger.notice("kernel table removed", metadata: ["table": "ip/ip6 \(options.kernelTable)"])
        } catch {
            logger.warning("kernel table not removed", metadata: ["error": "\(error)"])
        }
        journal?.clear()
        journaled.removeAll()
    }

    /// The `kernel` group of the `statistics` reply.
    static func statistics(_ status: KernelOffloadStatus) -> NGDictionary {
        var group: NGDictionary = [
            "active": .int(status.active ? 1 : 0),
            "offloadedstreams": .int(Int64(status.offloadedStreams)),
            "packets": .int(NGQueryReply.clamped(status.packets)),
            "bytes": .int(NGQueryReply.clamped(status.bytes)),
            "installerrors": .int(NGQueryReply.clamped(status.installErrors)),
            "adoptedcalls": .int(Int64(status.adoptedCalls)),
        ]
        if let error = status.lastInstallError { group.append("lastinstallerror", .text(error)) }
        return group
    }
}

/// `--kernel require` could not start the kernel path.
public struct RelayKernelError: Error, CustomStringConvertible {
    public let description: String
}
