import Foundation
import Glibc
import Relay
@testable import Perf

/// A minimal in-process ng relay for the generator's end-to-end test: offer/answer/delete over bencode, one pair
/// of loopback sockets per call, forwarding each side's packets to the other side's SDP address. Runs on its own
/// thread until `stop()`; bounded by a deadline in case a test forgets.
final class FakeNGRelay: @unchecked Sendable {
    let control: NonBlockingUDPSocket
    private let thread: Thread?

    private final class Leg {
        let socket: NonBlockingUDPSocket
        var peerAddress: IPv4Endpoint?   // where packets arriving on the *other* leg go out from this socket
        init(_ s: NonBlockingUDPSocket) { socket = s }
    }

    init(deadlineSeconds: Double = 20) throws {
        let control = try NonBlockingUDPSocket(bindingTo: IPv4Endpoint(host: "127.0.0.1", port: 0)!)
        self.control = control
        let box = StopBox()
        thread = Thread {
            FakeNGRelay.serve(control: control, until: Date().addingTimeInterval(deadlineSeconds), box: box)
        }
        stopBox = box
        thread?.start()
    }
    private var stopBox: StopBox?

    final class StopBox: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var stopped: Bool { lock.withLock { value } }
        func stop() { lock.withLock { value = true } }
    }

    func stop() { stopBox?.stop() }

    var endpoint: IPv4Endpoint { control.local }

    private static func serve(control: NonBlockingUDPSocket, until deadline: Date, box: StopBox) {
        // Per call: leg 0 faces the caller (caller sends here), leg 1 faces the callee.
        var calls: [String: (Leg, Leg)] = [:]
        var buffer = [UInt8](repeating: 0, count: 2048)
        while !box.stopped, Date() < deadline {
            var fds = [pollfd(fd: control.fd, events: Int16(POLLIN), revents: 0)]
            var legs: [(Leg, Leg)] = []
            for (_, pair) in calls {
                fds.append(pollfd(fd: pair.0.socket.fd, events: Int16(POLLIN), revents: 0)); legs.append((pair.0, pair.1))
                fds.append(pollfd(fd: pair.1.socket.fd, events: Int16(POLLIN), revents: 0)); legs.append((pair.1, pair.0))
            }
            guard poll(&fds, nfds_t(fds.count), 20) > 0 else { continue }
            if fds[0].revents != 0 {
                var sa = sockaddr_in()
                var len = socklen_t(MemoryLayout<sockaddr_in>.size)
                let n = buffer.withUnsafeMutableBytes { buf in
                    withUnsafeMutablePointer(to: &sa) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            recvfrom(control.fd, buf.baseAddress, buf.count, Int32(MSG_DONTWAIT), $0, &len)
                        }
                    }
                }
                if n > 0 {
                    let client = IPv4Endpoint(addressBigEndian: sa.sin_addr.s_addr, portBigEndian: sa.sin_port)
                    handleControl(Array(buffer[0..<n]), from: client, control: control, calls: &calls)
                }
            }
            for (i, pair) in legs.enumerated() where fds[i + 1].revents != 0 {
                let (from, to) = pair
                while true {
                    let n = buffer.withUnsafeMutableBytes { recv(from.socket.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    guard n > 0 else { break }
                    if let destination = to.peerAddress { to.socket.send(Array(buffer[0..<n]), to: destination) }
                }
            }
        }
    }

    private static func handleControl(_ bytes: [UInt8], from: IPv4Endpoint, control: NonBlockingUDPSocket,
                                      calls: inout [String: (Leg, Leg)]) {
        guard let message = try? NGMessage(decoding: bytes) else { return }
        let d = message.dictionary
        let command = d["command"]?.stringValue ?? ""
        let callID = d["call-id"]?.stringValue ?? ""
        var reply: NGDictionary = ["result": .text("ok")]
        let bind = IPv4Endpoint(host: "127.0.0.1", port: 0)!
        switch command {
        case "ping":
            reply = ["result": .text("pong")]
        case "offer", "answer":
            if calls[callID] == nil, let a = try? NonBlockingUDPSocket(bindingTo: bind), let b = try? NonBlockingUDPSocket(bindingTo: bind) {
                calls[callID] = (Leg(a), Leg(b))
            }
            guard let pair = calls[callID], let sdp = d["sdp"]?.bytes,
                  let advertised = NGCallScript.mediaEndpoint(inSDP: sdp) else {
                reply = ["result": .text("error"), "error-reason": .text("bad offer")]
                break
            }
            // Offer: the caller's address; the callee gets leg 1. Answer: the callee's; the caller gets leg 0.
            let (own, other) = command == "offer" ? (pair.0, pair.1) : (pair.1, pair.0)
            own.peerAddress = advertised
            reply.append("sdp", .string(NGCallScript.audioSDP(address: "127.0.0.1", port: other.socket.local.port, sessionID: 1)))
        case "delete":
            calls[callID] = nil
        default:
            reply = ["result": .text("error"), "error-reason": .text("unknown command")]
        }
        control.send(NGMessage.encode(cookie: message.cookie, encoding: .bencode, dictionary: reply), to: from)
    }

}
