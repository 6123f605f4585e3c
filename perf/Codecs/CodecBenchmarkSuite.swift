import Relay
import Signaling

/// Parses per second of the wire formats Tandem lives on: a SIP INVITE with SDP, a REGISTER, a 200 OK, an SDP
/// body, and an ng offer (decode plus mapping to a typed command). `tandem perf codecs` runs it; docs/PERFORMANCE.md
/// records it. Each SIP case reads what a proxy reads on every message (top Via, Call-ID, CSeq), so lazy header
/// parsing is measured as a proxy would use it, not as a bare scan.
public struct CodecBenchmarkSuite: Sendable {
    public var runner: MicroBenchmark

    public init(runner: MicroBenchmark = MicroBenchmark()) {
        self.runner = runner
    }

    public func run() -> [MicroBenchmark.Result] {
        let invite = Array(CodecSamples.invite.utf8)
        let register = Array(CodecSamples.register.utf8)
        let ok200 = Array(CodecSamples.ok200.utf8)
        let sdp = Array(CodecSamples.sdpOffer.utf8)
        let ng = CodecSamples.ngOffer
        return [
            runner.run("SIP INVITE with SDP (parse + Via/Call-ID/CSeq)") { Self.proxyRead(invite) },
            runner.run("SIP REGISTER (parse + Via/Call-ID/CSeq)") { Self.proxyRead(register) },
            runner.run("SIP 200 OK (parse + Via/Call-ID/CSeq)") { Self.proxyRead(ok200) },
            runner.run("SIP REGISTER (parse only, lazy headers)") {
                (try? SIPMessage.parse(register))?.contentLength ?? 0
            },
            runner.run("SDP offer (parse)") {
                (try? SDPSessionDescription(parsing: sdp))?.media.count ?? 0
            },
            runner.run("ng offer (bencode decode + typed command)") {
                guard let message = try? NGMessage(decoding: ng),
                      let command = try? NGCommand(message.dictionary) else { return 0 }
                if case .offer(let request) = command { return request.sdp.count }
                return 1
            },
        ]
    }

    /// Parse, then read what a stateful proxy reads on every message.
    static func proxyRead(_ bytes: [UInt8]) -> Int {
        guard let message = try? SIPMessage.parse(bytes),
              let via = try? message.topVia,
              let callID = try? message.callID,
              let cseq = try? message.cseq else { return 0 }
        return (via.branch?.utf8.count ?? 0) &+ callID.utf8.count &+ Int(cseq.sequence)
    }
}
