// libFuzzer target for the ng control codec. Build:
//   swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/Relay/Control/NG*.swift \
//     Sources/Relay/Control/Bencode*.swift Sources/Relay/Control/JSON*.swift Tests/Fuzz/NGFuzz.swift -o /tmp/ngfuzz
// Run: /tmp/ngfuzz -max_total_time=120 Tests/Fuzz/corpus/ng
//
// Checks: decoding never traps; decoded values re-encode and decode to the same value (both encodings); the
// dictionary maps to a command or a typed error; a reply encodes and decodes again.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let message: NGMessage
    do {
        message = try NGMessage(decoding: bytes)
    } catch {
        if let cookie = NGMessage.cookie(of: bytes) {
            let encoding = NGMessage.probableEncoding(of: bytes)
            _ = NGReply.error(error, encoding: encoding).encoded(cookie: cookie, encoding: encoding)
        }
        return 0
    }
    var limits = NGLimits.default
    limits.maxMessageBytes = Int.max
    limits.maxItems = Int.max
    limits.maxStringBytes = Int.max

    // Re-encoding in the same form decodes to the same message.
    let again = message.encoded()
    guard let redecoded = try? NGMessage(decoding: again, limits: limits) else {
        preconditionFailure("re-encoded message does not decode")
    }
    precondition(redecoded == message, "re-encoded message differs")

    let reply: NGReply
    do {
        let command = try NGCommand(message.dictionary)
        switch command {
        case .offer(let r), .answer(let r):
            reply = .ok(["sdp": .string(r.sdp), "call-id": .text(r.callID)])
        case .ping:
            reply = .pong
        default:
            reply = .ok()
        }
    } catch {
        reply = .error(error)
    }
    for encoding in [NGEncoding.bencode, .json] {
        let out = reply.encoded(cookie: message.cookie, encoding: encoding)
        guard let back = try? NGMessage(decoding: out, limits: limits) else {
            preconditionFailure("reply does not decode")
        }
        precondition(back.cookie == message.cookie, "cookie changed")
        if encoding == .bencode { precondition(back.dictionary == reply.dictionary, "reply changed") }
    }
    return 0
}
