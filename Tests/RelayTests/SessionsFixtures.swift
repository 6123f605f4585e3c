@testable import Relay

/// Shared setup for the Sessions tests: two interfaces with small port ranges and a fake clock in plain seconds.
enum SessionsFixtures {
    static func address(_ text: String) -> MediaAddress {
        guard let parsed = MediaAddress(parsing: text) else { fatalError("bad test address \(text)") }
        return parsed
    }

    static func endpoint(_ text: String, _ port: UInt16) -> MediaEndpoint {
        MediaEndpoint(address: address(text), port: port)
    }

    /// "pub": 203.0.113.10 advertised as 198.51.100.1, ports 30000...30009 (5 pairs).
    static let publicInterface = RelayInterface(
        name: "pub", address: address("203.0.113.10"), advertisedAddress: address("198.51.100.1"),
        portMin: 30000, portMax: 30009)
    /// "priv": 10.0.0.10, ports 40000...40019 (10 pairs).
    static let privateInterface = RelayInterface(name: "priv", address: address("10.0.0.10"), portMin: 40000, portMax: 40019)

    static func table(
        interfaces: [RelayInterface] = [publicInterface, privateInterface],
        timeout: Int64 = 60, silentTimeout: Int64 = 3600, offerTimeout: Int64 = 3600,
        finalTimeout: Int64 = 0, deleteDelay: Int64 = 0
    ) -> SessionTable {
        SessionTable(
            configuration: SessionConfiguration(
                interfaces: interfaces, timeout: timeout, silentTimeout: silentTimeout, offerTimeout: offerTimeout,
                finalTimeout: finalTimeout, deleteDelay: deleteDelay),
            startOffsets: Array(repeating: 0, count: interfaces.count))
    }

    static func audio(
        _ ip: String, _ port: UInt16, index: Int = 1, mux: Bool = false, rtcpPort: UInt16? = nil,
        direction: MediaFlowDirection = .sendrecv
    ) -> SessionMediaDescription {
        SessionMediaDescription(
            index: index, mediaType: "audio", address: address(ip), port: port, rtcpPort: rtcpPort, rtcpMux: mux,
            transportProtocol: "RTP/AVP", direction: direction)
    }

    static func at(_ seconds: Int64) -> SessionTime { .seconds(seconds) }

    static func opened(_ actions: [DataPlaneAction]) -> [LocalSocket] {
        actions.compactMap { if case .openPort(let socket) = $0 { return socket } else { return nil } }
    }

    static func closed(_ actions: [DataPlaneAction]) -> [LocalSocket] {
        actions.compactMap { if case .closePort(let socket) = $0 { return socket } else { return nil } }
    }

    static func added(_ actions: [DataPlaneAction]) -> [ForwardingRule] {
        actions.compactMap { if case .addForwarding(let rule) = $0 { return rule } else { return nil } }
    }

    static func updated(_ actions: [DataPlaneAction]) -> [ForwardingRule] {
        actions.compactMap { if case .updateForwarding(let rule) = $0 { return rule } else { return nil } }
    }

    static func removed(_ actions: [DataPlaneAction]) -> [ForwardingID] {
        actions.compactMap { if case .removeForwarding(let id) = $0 { return id } else { return nil } }
    }

    /// Offer from caller A (10.1.1.1:5000) then answer from callee B (192.0.2.20:6000), default options.
    static func establishedCall(
        _ table: inout SessionTable, callID: String = "call-1", at time: Int64 = 0,
        offerOptions: OfferAnswerOptions = OfferAnswerOptions()
    ) throws -> (offer: OfferAnswerOutcome, answer: OfferAnswerOutcome) {
        let offer = try table.offer(
            callID: callID, fromTag: "A", media: [audio("10.1.1.1", 5000)], options: offerOptions, at: at(time))
        let answer = try table.answer(
            callID: callID, fromTag: "A", toTag: "B", media: [audio("192.0.2.20", 6000)], at: at(time))
        return (offer, answer)
    }
}
