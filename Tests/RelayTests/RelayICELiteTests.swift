import Testing
@testable import Relay

/// `ICE: force` end to end: a real relay (in process) answers the ICE checks a peer sends to the candidate in the
/// SDP, on both engines; wrong credentials get no success, STUN never reaches the other leg, only authenticated
/// nominations move the latch, and media keeps flowing.
@Suite struct RelayICELiteTests {
    static let engines: [IOEngineKind] = [.uring, .mmsg]

    /// A connectivity check as a full ICE agent in the controlling role sends it (RFC 8445 §7.2.2).
    static func check(ufrag: String, peerUfrag: String = "peer", password: String,
                      id: STUNTransactionID = .random()) -> [UInt8] {
        var writer = STUNMessageWriter(type: STUNMessageType(method: STUNMessageType.binding, messageClass: .request),
                                       transactionID: id)
        writer.append(STUNAttributeType.username, Array("\(ufrag):\(peerUfrag)".utf8))
        writer.append(STUNAttributeType.priority, [0x6e, 0x00, 0x01, 0xff])
        writer.append(STUNAttributeType.iceControlling, [1, 2, 3, 4, 5, 6, 7, 8])
        writer.append(STUNAttributeType.useCandidate, [])
        writer.appendMessageIntegrity(key: Array(password.utf8))
        writer.appendFingerprint()
        return writer.bytes
    }

    static func attribute(_ name: String, in sdp: String) -> String? {
        sdp.split(separator: "\r\n").first { $0.hasPrefix("a=\(name):") }.map { String($0.dropFirst(name.count + 3)) }
    }

    /// The learned (or advertised) source the relay reports for `tag`'s first stream.
    static func endpointPort(_ relay: RelayUnderTest, callID: String, tag: String) throws -> Int64? {
        let query = try relay.request(["command": .text("query"), "call-id": .text(callID)])
        return query.value("tags", tag)?.dictValue?["medias"]?.listValue?.first?.dictValue?["streams"]?.listValue?
            .first?.dictValue?.value("endpoint", "port")?.integerValue
    }

    @Test(arguments: engines) func checksAreAnsweredAndMediaStillFlows(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let a = try DataPlaneTestClient("127.0.0.1")
        let b = try DataPlaneTestClient("127.0.0.1")
        let intruder = try DataPlaneTestClient("127.0.0.1")
        let offer = try relay.offer(callID: "ice", fromTag: "ft-ice", sdp: RelaySDP.audio(port: a.endpoint.port),
                                    extra: ["ICE": .text("force")])
        let offered = RelaySDP.text(offer)
        let ufrag = try #require(RelayICELiteTests.attribute("ice-ufrag", in: offered))
        let password = try #require(RelayICELiteTests.attribute("ice-pwd", in: offered))
        let toRelayB = try #require(RelaySDP.endpoint(in: offer))
        let answer = try relay.answer(callID: "ice", fromTag: "ft-ice", toTag: "tt-ice",
                                      sdp: RelaySDP.audio(port: b.endpoint.port))
        let toRelayA = try #require(RelaySDP.endpoint(in: answer))

        // A valid check: success from the candidate's port, authenticated with our password.
        let id = STUNTransactionID.random()
        b.send(RelayICELiteTests.check(ufrag: ufrag, password: password, id: id), to: toRelayB)
        let reply = try #require(b.receive(timeoutMs: 2000))
        #expect(reply.from == toRelayB)
        let response = try STUNMessage(parsing: reply.payload)
        #expect(response.type == STUNMessageType(method: STUNMessageType.binding, messageClass: .successResponse))
        #expect(response.transactionID == id)
        #expect(response.fingerprintIsValid)
        #expect(STUNMessageIntegrity.isValid(response, key: Array(password.utf8)))
        let mapped = try #require(response.value(of: STUNAttributeType.xorMappedAddress))
        #expect(STUNTransportAddress.xorDecoded(mapped, transactionID: id)
            == STUNTransportAddress(address: [127, 0, 0, 1], port: b.endpoint.port))
        #expect(a.staysQuiet(milliseconds: 100)) // never forwarded as media

        // Wrong password, from another source: a 401, no success, and the stream does not latch to it.
        intruder.send(RelayICELiteTests.check(ufrag: ufrag, password: "not-the-password-at-all"), to: toRelayB)
        let rejected = try #require(intruder.receive(timeoutMs: 2000))
        let error = try STUNMessage(parsing: rejected.payload)
        #expect(error.type.messageClass == .errorResponse)
        #expect(error.value(of: STUNAttributeType.errorCode).map { Array($0.prefix(4)) } == [0, 0, 4, 1])
        #expect(a.staysQuiet(milliseconds: 50))
        #expect(try RelayICELiteTests.endpointPort(relay, callID: "ice", tag: "tt-ice") == Int64(b.endpoint.port))

        // Media still flows both ways, to the peers and not to the intruder.
        a.send(DataPlaneHarness.payload(1, 0), to: toRelayA)
        #expect(b.receive(count: 1).count == 1)
        b.send(DataPlaneHarness.payload(2, 0), to: toRelayB)
        #expect(a.receive(count: 1).count == 1)
        #expect(intruder.staysQuiet(milliseconds: 50))

        // The peer moves (network change): a nominated check from its new address takes the stream along, even
        // though the latch is locked by now, and A's media follows it there.
        let moved = try DataPlaneTestClient("127.0.0.1")
        moved.send(RelayICELiteTests.check(ufrag: ufrag, password: password), to: toRelayB)
        let movedReply = try #require(moved.receive(timeoutMs: 2000))
        #expect(try STUNMessage(parsing: movedReply.payload).type.messageClass == .successResponse)
        let followed = try RelayUnderTest.eventually(timeoutMs: 2000) {
            try RelayICELiteTests.endpointPort(relay, callID: "ice", tag: "tt-ice") == Int64(moved.endpoint.port)
        }
        #expect(followed)
        a.send(DataPlaneHarness.payload(1, 1), to: toRelayA)
        #expect(moved.receive(count: 1).count == 1)
        #expect(b.staysQuiet(milliseconds: 50))

        let counted = RelayUnderTest.eventually(timeoutMs: 2000) {
            let metrics = relay.server.currentMetrics()
            return metrics.ice.answered == 2 && metrics.ice.nominations == 2 && metrics.ice.badIntegrity == 1
                && metrics.dataPlane.stunDiverted == 3 && metrics.dataPlane.stunOverflows == 0
        }
        #expect(counted)
    }

    @Test(arguments: engines) func withoutForcedICEChecksGetNoAnswerAndAreNotForwarded(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let call = try RelayCallUnderTest(relay, callID: "plain")
        call.b.send(RelayICELiteTests.check(ufrag: "abcd", password: "0123456789012345678901"), to: call.toRelayB)
        #expect(call.b.staysQuiet(milliseconds: 150))
        #expect(call.a.staysQuiet(milliseconds: 50))
        let counted = RelayUnderTest.eventually(timeoutMs: 2000) {
            relay.server.currentMetrics().ice.noCredentials == 1
        }
        #expect(counted)
        call.a.send(DataPlaneHarness.payload(1, 0), to: call.toRelayA)
        #expect(call.b.receive(count: 1).count == 1)
    }
}
