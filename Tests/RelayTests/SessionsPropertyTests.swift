import Testing
@testable import Relay

/// Random offer/answer/re-offer/delete/tick sequences must keep the allocators consistent with the calls: every
/// held port is counted as used exactly once, no port is held twice, and the data plane's view (sockets opened
/// minus closed) equals the table's.
@Suite struct SessionsPropertyTests {
    typealias F = SessionsFixtures

    /// Small deterministic generator (SplitMix64) so failures reproduce.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func randomOperationsKeepPortsConsistent(seed: UInt64) throws {
        var random = SplitMix(state: seed)
        var table = F.table(timeout: 20, silentTimeout: 40, offerTimeout: 30, finalTimeout: 500, deleteDelay: 5)
        var openSockets = Set<LocalSocket>()
        var now: Int64 = 0
        let interfaces = ["pub", "priv", nil]
        let policies: [RTCPMuxPolicy] = [[], .offer, .demux, .accept, .reject, [.offer, .require]]

        func apply(_ actions: [DataPlaneAction]) {
            for action in actions {
                switch action {
                case .openPort(let socket):
                    #expect(openSockets.insert(socket).inserted, "opened twice: \(socket)")
                case .closePort(let socket):
                    #expect(openSockets.remove(socket) != nil, "closed but not open: \(socket)")
                default: break
                }
            }
        }

        for _ in 0..<3000 {
            let callID = "c\(Int.random(in: 0..<12, using: &random))"
            let mediaCount = Int.random(in: 1...2, using: &random)
            let media = (1...mediaCount).map { index in
                F.audio("10.0.\(index).\(Int.random(in: 1...9, using: &random))",
                        Bool.random(using: &random) && index == 2 ? 0 : UInt16(4000 + 2 * index),
                        index: index, mux: Bool.random(using: &random),
                        direction: MediaFlowDirection.allCases.randomElement(using: &random) ?? .sendrecv)
            }
            let options = OfferAnswerOptions(
                senderInterface: interfaces.randomElement(using: &random) ?? nil,
                recipientInterface: interfaces.randomElement(using: &random) ?? nil,
                rtcpMux: policies.randomElement(using: &random) ?? [])
            do {
                switch Int.random(in: 0..<10, using: &random) {
                case 0...2:
                    apply(try table.offer(callID: callID, fromTag: "A", media: media, options: options, at: F.at(now)).actions)
                case 3...4:
                    let toTag = Bool.random(using: &random) ? "B" : "B2"
                    apply(try table.answer(callID: callID, fromTag: "A", toTag: toTag, media: media, at: F.at(now)).actions)
                case 5:
                    apply(try table.offer(callID: callID, fromTag: "B", toTag: "A", media: media, at: F.at(now)).actions)
                case 6:
                    let delay: Int64? = Bool.random(using: &random) ? 0 : nil
                    let fromTag: String? = Bool.random(using: &random) ? "A" : nil
                    apply(try table.delete(callID: callID, fromTag: fromTag, deleteDelay: delay, at: F.at(now)).outcome.actions)
                case 7:
                    if let socket = openSockets.randomElement(using: &random), Int.random(in: 0..<20, using: &random) == 0 {
                        apply(try table.portUnbindable(socket).actions)
                    }
                default:
                    now += Int64.random(in: 0...8, using: &random)
                    apply(table.tick(now: F.at(now)).actions)
                }
            } catch let error as SessionError {
                switch error {
                case .ranOutOfPorts, .unknownCallID, .invalidDialogueAssociation, .callNotFoundOrTagsMismatch: break
                default: Issue.record("unexpected \(error)")
                }
            }
            try checkConsistency(table, openSockets: openSockets)
        }
        // The run must have exercised the interesting paths, not just failed early.
        let stats = table.statistics()
        #expect(stats.totalCalls > 50)
        #expect(stats.ranOutOfPorts > 0)
        #expect(stats.endedCount(.deleted) > 0)
        // Drain: everything ends eventually and every port comes back (except unbindable ones).
        apply(table.tick(now: F.at(now + 10_000)).actions)
        #expect(table.callCount == 0)
        #expect(openSockets.isEmpty)
        for usage in table.statistics().ports {
            #expect(usage.used == 0)
            #expect(usage.free + usage.unbindable == usage.capacity)
        }
    }

    private func checkConsistency(_ table: SessionTable, openSockets: Set<LocalSocket>) throws {
        let held = table.heldSockets()
        let unique = Set(held)
        #expect(unique.count == held.count, "a socket is held twice")
        #expect(unique == openSockets, "data plane view differs from the table")
        for (position, relayInterface) in table.configuration.interfaces.enumerated() {
            let allocator = try #require(table.allocator(forInterface: relayInterface.name))
            let mine = held.filter { $0.interface == InterfaceID(UInt16(position)) }
            #expect(allocator.usedCount == mine.count)
            #expect(mine.allSatisfy { allocator.isInUse($0.port) })
            #expect(allocator.freeCount + allocator.usedCount + allocator.unbindableCount == allocator.capacity)
        }
    }
}
