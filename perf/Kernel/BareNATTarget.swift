import Foundation
import Relay

/// The "bare nftables" target of the kernel benchmark: an ng endpoint that answers offer/answer/delete like a
/// relay would, but forwards nothing itself. On answer it installs the call's two legs into a `BareNATRuleset`
/// table with one `nft -f` (a benchmark tool may shell out; the relay never does), on delete it removes them.
/// Media sent to the advertised ports is then moved by the kernel alone: the floor every relay is measured against.
public final class BareNATTarget {
    public struct Configuration: Sendable {
        public var listen: IPv4Endpoint
        /// The address put into SDP and matched as the local address (the namespace's address).
        public var address: String
        public var portMin: Int
        public var portMax: Int
        public var ruleset = BareNATRuleset()
        public var nft = "/usr/sbin/nft"
        public init(listen: IPv4Endpoint, address: String, portMin: Int, portMax: Int) {
            self.listen = listen
            self.address = address
            self.portMin = portMin
            self.portMax = portMax
        }
    }

    public struct TargetError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    private struct Call {
        var callerPort: Int    // relay port the caller sends to
        var calleePort: Int    // relay port the callee sends to
        var caller: IPv4Endpoint?
        var legs: [BareNATRuleset.Leg] = []
    }

    public let configuration: Configuration
    private let socket: NonBlockingUDPSocket
    private var calls: [String: Call] = [:]
    private var nextPort: Int
    /// Port pairs of deleted calls, reused first (a find-max runs thousands of calls through one target).
    private var freePairs: [(Int, Int)] = []
    private var nextMark: UInt32 = 1
    private var freeMarks: [UInt32] = []
    public private(set) var installs = 0
    public private(set) var installErrors = 0

    public init(configuration: Configuration) throws(TargetError) {
        self.configuration = configuration
        nextPort = configuration.portMin
        do { socket = try NonBlockingUDPSocket(bindingTo: configuration.listen, bufferBytes: 1 << 20) } catch {
            throw TargetError(description: error.description)
        }
        if let problem = BareNATTarget.runNFT(configuration.nft, configuration.ruleset.create()) {
            throw TargetError(description: "cannot create table \(configuration.ruleset.table): \(problem)")
        }
    }

    /// Serves until `shouldStop` says so; removes the table on the way out.
    public func serve(shouldStop: () -> Bool) {
        defer { _ = BareNATTarget.runNFT(configuration.nft, configuration.ruleset.delete()) }
        while !shouldStop() {
            guard let bytes = socket.receiveWithSender(timeoutMilliseconds: 200) else { continue }
            guard let message = try? NGMessage(decoding: bytes.data) else { continue }
            let reply = handle(message.dictionary)
            socket.send(NGMessage.encode(cookie: message.cookie, encoding: .bencode, dictionary: reply), to: bytes.from)
        }
    }

    func handle(_ d: NGDictionary) -> NGDictionary {
        let command = d["command"]?.stringValue ?? ""
        let callID = d["call-id"]?.stringValue ?? ""
        func error(_ reason: String) -> NGDictionary { ["result": .text("error"), "error-reason": .text(reason)] }
        switch command {
        case "ping":
            return ["result": .text("pong")]
        case "offer":
            guard let sdp = d["sdp"]?.bytes, let caller = NGCallScript.mediaEndpoint(inSDP: sdp) else { return error("no media in offer") }
            if calls[callID] == nil {
                guard let ports = allocatePorts() else { return error("ports exhausted") }
                calls[callID] = Call(callerPort: ports.0, calleePort: ports.1)
            }
            calls[callID]?.caller = caller
            guard let call = calls[callID] else { return error("no call") }
            return ["result": .text("ok"), "sdp": .string(NGCallScript.audioSDP(address: configuration.address,
                                                                                port: call.calleePort, sessionID: 1))]
        case "answer":
            guard var call = calls[callID], let caller = call.caller else { return error("unknown call") }
            guard let sdp = d["sdp"]?.bytes, let callee = NGCallScript.mediaEndpoint(inSDP: sdp),
                  let a = IPv4Endpoint(host: configuration.address, port: call.callerPort),
                  let b = IPv4Endpoint(host: configuration.address, port: call.calleePort) else { return error("no media in answer") }
            if !call.legs.isEmpty { _ = BareNATTarget.runNFT(configuration.nft, configuration.ruleset.elements(call.legs, add: false)) }
            let marks: (UInt32, UInt32)
            if let reused = call.legs.first?.mark {
                marks = (reused, reused + 1)
            } else if let free = freeMarks.popLast() {
                marks = (free, free + 1)
            } else {
                guard nextMark + 2 <= BareNATRuleset.markMask else { return error("marks exhausted") }
                marks = (nextMark, nextMark + 1)
                nextMark += 2
            }
            call.legs = [
                .init(mark: marks.0, peer: caller, local: a, outSource: b, outDestination: callee),
                .init(mark: marks.1, peer: callee, local: b, outSource: a, outDestination: caller),
            ]
            if let problem = BareNATTarget.runNFT(configuration.nft, configuration.ruleset.elements(call.legs, add: true)) {
                installErrors += 1
                return error("nft: \(problem)")
            }
            installs += 1
            calls[callID] = call
            return ["result": .text("ok"), "sdp": .string(NGCallScript.audioSDP(address: configuration.address,
                                                                                port: call.callerPort, sessionID: 2))]
        case "delete":
            if let call = calls.removeValue(forKey: callID) {
                if !call.legs.isEmpty {
                    _ = BareNATTarget.runNFT(configuration.nft, configuration.ruleset.elements(call.legs, add: false))
                }
                freePairs.append((call.callerPort, call.calleePort))
                if let mark = call.legs.first?.mark { freeMarks.append(mark) }
            }
            return ["result": .text("ok")]
        default:
            return error("unsupported command")
        }
    }

    /// Two ports, even-aligned like RTP (the odd neighbours stay free for RTCP, which this target does not forward).
    private func allocatePorts() -> (Int, Int)? {
        if let pair = freePairs.popLast() { return pair }
        if nextPort % 2 == 1 { nextPort += 1 }
        guard nextPort + 3 <= configuration.portMax else { return nil }
        defer { nextPort += 4 }
        return (nextPort, nextPort + 2)
    }

    /// Runs `nft -f -` with `text`; the error text, or nil on success.
    static func runNFT(_ nft: String, _ text: String) -> String? {
        guard !text.isEmpty else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: nft)
        process.arguments = ["-f", "-"]
        let input = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do { try process.run() } catch { return "\(error)" }
        input.fileHandleForWriting.write(Data(text.utf8))
        try? input.fileHandleForWriting.close()
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            return String(decoding: message, as: UTF8.self).split(separator: "\n").prefix(3).joined(separator: " | ")
        }
        return nil
    }
}
