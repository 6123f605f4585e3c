import Testing
@testable import Relay

/// The control side of ICE-lite without sockets: which sockets the handler registers, and how the agent keys
/// credentials by stream so that a reused port never answers with an old call's password.
@Suite struct ICELiteAgentTests {
    @Test func forcedOfferRegistersTheCandidateSocketsAndAPlainReofferClearsThem() throws {
        let handler = ControlHandlerTests.handler()
        _ = handler.handle(ICEForceTests.request("a1", sdp: ICEForceTests.offerSDP), at: ControlHandlerTests.now)
        let registered = handler.takeICECredentialChanges()
        // RTP and RTCP components (no rtcp-mux in the offer).
        #expect(registered.count == 2)
        #expect(registered.allSatisfy { $0.credentials != nil })
        #expect(Set(registered.map(\.socket.port)).count == 2)
        #expect(handler.takeICECredentialChanges().isEmpty)

        _ = handler.handle(ICEForceTests.request("a2", sdp: ICEForceTests.offerSDP, ice: "remove"),
                           at: ControlHandlerTests.now)
        let cleared = handler.takeICECredentialChanges()
        #expect(Set(cleared.map(\.socket)) == Set(registered.map(\.socket)))
        #expect(cleared.allSatisfy { $0.credentials == nil })
    }

    static let socket = LocalSocket(interface: InterfaceID(0), address: .v4(0x7F00_0001), port: 30000)
    static let credentials = ICECredentialSource.Credentials(ufrag: "evtj", password: "VOkJxbRl1RmTxUk/WvJxBt")

    static func message(_ stream: StreamID, _ bytes: [UInt8] = STUNCodecTests.sampleRequest) -> DivertedSTUNMessage {
        DivertedSTUNMessage(stream: stream, source: .ipv4(192, 0, 2, 1, port: 32853), bytes: bytes)
    }

    @Test func answersOnlyForTheStreamThatHoldsTheCredentials() throws {
        let agent = ICELiteAgent()
        let id = StreamID(slot: 3, generation: 7)
        agent.apply([ICECredentialChange(socket: ICELiteAgentTests.socket, credentials: ICELiteAgentTests.credentials)]) {
            $0 == ICELiteAgentTests.socket ? id : nil
        }
        let answer = try #require(agent.answer(ICELiteAgentTests.message(id)))
        #expect(answer.socket == ICELiteAgentTests.socket)
        #expect(!answer.nominated)
        #expect(try STUNMessage(parsing: answer.response).type.messageClass == .successResponse)
        // The same slot after reuse (new generation) is another stream: nothing is answered.
        #expect(agent.answer(ICELiteAgentTests.message(StreamID(slot: 3, generation: 8))) == nil)
        #expect(agent.counters.answered == 1 && agent.counters.noCredentials == 1)

        // A bad integrity gets a 401 and is counted.
        var tampered = STUNCodecTests.sampleRequest
        tampered[30] ^= 1 // inside SOFTWARE: the HMAC no longer matches, FINGERPRINT is stripped below
        let writer = STUNMessageWriter(rawPrefix: Array(tampered[0..<100]))
        let failed = try #require(agent.answer(ICELiteAgentTests.message(id, writer.bytes)))
        #expect(try STUNMessage(parsing: failed.response).type.messageClass == .errorResponse)
        #expect(agent.counters.badIntegrity == 1)

        agent.prune { _, _ in false }
        #expect(agent.count == 0)
        #expect(agent.answer(ICELiteAgentTests.message(id)) == nil)
    }

    @Test func clearingAndReplacingCredentials() {
        let agent = ICELiteAgent()
        let first = StreamID(slot: 1, generation: 1)
        let second = StreamID(slot: 1, generation: 2)
        agent.apply([ICECredentialChange(socket: ICELiteAgentTests.socket, credentials: ICELiteAgentTests.credentials)]) {
            _ in first
        }
        agent.apply([ICECredentialChange(socket: ICELiteAgentTests.socket, credentials: ICELiteAgentTests.credentials)]) {
            _ in second
        }
        #expect(agent.count == 1)
        #expect(agent.answer(ICELiteAgentTests.message(first)) == nil)
        #expect(agent.answer(ICELiteAgentTests.message(second)) != nil)
        agent.apply([ICECredentialChange(socket: ICELiteAgentTests.socket, credentials: nil)]) { _ in second }
        #expect(agent.count == 0)
    }
}
