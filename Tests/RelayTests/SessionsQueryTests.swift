import Testing
@testable import Relay

@Suite struct SessionsQueryTests {
    typealias F = SessionsFixtures

    @Test func queryReportsStreamsEndpointsAndTotals() throws {
        var table = F.table()
        _ = try F.establishedCall(&table, at: 1_400_000_000)
        let before = try table.query(callID: "call-1")
        let aMedia = try #require(before.monologues.first { $0.tag == "A" }?.medias.first)
        let rtp = try #require(aMedia.streams.first { $0.kind == .rtp })
        let rtcp = try #require(aMedia.streams.first { $0.kind == .rtcp })
        table.updateCounters(stream: rtp.id, packets: 343, bytes: 56950, errors: 1, lastPacket: F.at(1_400_000_013))
        table.updateCounters(stream: rtcp.id, packets: 2, bytes: 164, errors: 0, lastPacket: F.at(1_400_000_012))
        table.updateLearnedEndpoint(stream: rtp.id, endpoint: F.endpoint("198.18.5.5", 41000))

        let snapshot = try table.query(callID: "call-1")
        #expect(snapshot.created.unixSeconds == 1_400_000_000)
        #expect(snapshot.monologues.map(\.tag) == ["A", "B"])
        #expect(snapshot.monologues[0].inDialogueWith == "B")
        let media = snapshot.monologues[0].medias[0]
        #expect(media.index == 1 && media.mediaType == "audio" && media.transportProtocol == "RTP/AVP")
        #expect(media.interfaceName == "pub")
        let stream = try #require(media.streams.first { $0.kind == .rtp })
        #expect(stream.local.port == 30000)
        #expect(stream.advertisedEndpoint == F.endpoint("10.1.1.1", 5000))
        #expect(stream.learnedEndpoint == F.endpoint("198.18.5.5", 41000))
        #expect(stream.endpoint == F.endpoint("198.18.5.5", 41000))
        #expect(stream.lastPacket?.unixSeconds == 1_400_000_013)
        #expect(stream.counters == MediaCounters(packets: 343, bytes: 56950, errors: 1))
        #expect(media.streams.first { $0.kind == .rtcp }?.advertisedEndpoint == F.endpoint("10.1.1.1", 5001))
        #expect(snapshot.rtpTotals == MediaCounters(packets: 343, bytes: 56950, errors: 1))
        #expect(snapshot.rtcpTotals == MediaCounters(packets: 2, bytes: 164, errors: 0))
        // The delete reply carries the same totals.
        let (deleted, _) = try table.delete(callID: "call-1", at: F.at(1_400_000_020))
        #expect(deleted.rtpTotals.packets == 343)
    }

    @Test func unansweredSideIsTheEmptyTag() throws {
        var table = F.table()
        _ = try table.offer(callID: "q", fromTag: "A", media: [F.audio("10.1.1.1", 5000)], at: F.at(0))
        let snapshot = try table.query(callID: "q")
        #expect(snapshot.monologues.map(\.tag) == ["A", ""])
        #expect(snapshot.monologues[0].inDialogueWith == "")
        #expect(snapshot.monologues[1].medias[0].streams[0].advertisedEndpoint == nil)
    }

    @Test func listReturnsCallIDsOldestFirstUpToLimit() throws {
        var table = F.table()
        for (position, id) in ["c3", "c1", "c2"].enumerated() {
            _ = try table.offer(callID: id, fromTag: "A", media: [F.audio("10.1.1.1", 5000)],
                                options: OfferAnswerOptions(senderInterface: "priv", recipientInterface: "priv"),
                                at: F.at(Int64(position)))
        }
        #expect(try table.list(limit: 32) == ["c3", "c1", "c2"])
        #expect(try table.list(limit: 2) == ["c3", "c1"])
        #expect(throws: SessionError.invalidLimit) { try table.list(limit: 0) }
    }

    @Test func statisticsCountCallsStreamsAndPorts() throws {
        var table = F.table()
        _ = try F.establishedCall(&table)
        let stats = table.statistics()
        #expect(stats.currentCalls == 1)
        #expect(stats.currentStreams == 4)
        #expect(stats.totalCalls == 1)
        #expect(stats.ports == [
            InterfacePortUsage(name: "pub", capacity: 10, free: 6, used: 4, unbindable: 0),
            InterfacePortUsage(name: "priv", capacity: 20, free: 20, used: 0, unbindable: 0),
        ])
        _ = try table.delete(callID: "call-1", at: F.at(1))
        #expect(table.statistics().currentCalls == 0)
        #expect(table.statistics().totalCalls == 1)
    }

    @Test func addressesParseAndFormat() {
        #expect(MediaAddress(parsing: "10.0.0.1") == .v4(0x0A00_0001))
        #expect(MediaAddress(parsing: "256.0.0.1") == nil)
        #expect(MediaAddress(parsing: "1.2.3") == nil)
        #expect(MediaAddress(parsing: "2001:db8::1")?.description == "2001:db8::1")
        #expect(MediaAddress(parsing: "::")?.isUnspecified == true)
        #expect(MediaAddress(parsing: "1:2:3:4:5:6:7:8")?.description == "1:2:3:4:5:6:7:8")
        #expect(MediaAddress(parsing: "1::2::3") == nil)
        #expect(MediaAddress(parsing: "12345::") == nil)
        #expect(MediaEndpoint(address: .v6(high: 0, low: 1), port: 5).description == "[::1]:5")
    }
}
