import Testing
@testable import Relay

/// `port latching` and `unidirectional` with real packets through the relay, on both engines.
@Suite struct RelayReofferMediaTests {
    static func relayPorts(_ reply: NGDictionary) -> [String] {
        RelaySDP.text(reply).split(separator: "\r\n").filter { $0.hasPrefix("m=") || $0.hasPrefix("a=rtcp:") }
            .map { String($0.split(separator: " ").prefix(2).joined(separator: " ")) }
    }

    /// rtpengine: `port latching` keeps the relay's local ports on a re-offer even when the remote port changed.
    /// Tandem keeps them with or without the flag (see `OfferAnswerOptions.portLatching`); media follows the
    /// party to its new port.
    @Test(arguments: RelayMediaTests.engines) func reofferWithNewRemotePortKeepsRelayPorts(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let call = try RelayCallUnderTest(relay, callID: "latch", offerFlags: ["port latching"])
        let moved = try DataPlaneTestClient("127.0.0.1")
        for (index, flags) in [["port latching"], []].enumerated() {
            let phone = index == 0 ? moved : call.a
            let reoffer = try relay.request([
                "command": .text("offer"), "call-id": .text("latch"), "from-tag": .text("ft-latch"),
                "to-tag": .text("tt-latch"), "sdp": .text(RelaySDP.audio(port: phone.endpoint.port)),
                "flags": .list(flags.map { .text($0) }),
            ])
            #expect(reoffer["result"]?.stringValue == "ok")
            #expect(Self.relayPorts(reoffer) == Self.relayPorts(call.offerReply), "flags \(flags)")
            // The callee keeps sending where it did; the packets reach the caller's new port.
            call.b.send(DataPlaneHarness.payload(2, index), to: call.toRelayB)
            #expect(phone.receive(count: 1).first?.from == call.toRelayA, "flags \(flags)")
        }
    }

    /// `unidirectional`: one-way media is forwarded (in userspace it always is) and `query` lists the flag for the
    /// party that asked; kernel offload of one-way media is not implemented (`LearningFlags.unidirectional`).
    @Test(arguments: RelayMediaTests.engines) func oneWayMediaFlowsAndQueryShowsTheFlag(engine: IOEngineKind) throws {
        let relay = try RelayUnderTest(engine: engine)
        let call = try RelayCallUnderTest(relay, callID: "oneway", offerFlags: ["unidirectional"])
        for sequence in 0..<5 { call.a.send(DataPlaneHarness.payload(1, sequence), to: call.toRelayA) }
        #expect(call.b.receive(count: 5).count == 5)
        let query = try relay.request(["command": .text("query"), "call-id": .text("oneway")])
        func flags(_ tag: String) -> [String] {
            query.value("tags", tag)?.dictValue?["medias"]?.listValue?.first?.dictValue?["flags"]?.listValue?
                .compactMap(\.stringValue) ?? []
        }
        #expect(flags("ft-oneway").contains("unidirectional"))
        #expect(!flags("tt-oneway").contains("unidirectional"))
        #expect(query.value("totals", "RTP", "packets")?.integerValue == 5)
    }
}
