/// Branch parameters the proxy writes (RFC 3261 §16.6 item 8, §16.3 item 4).
///
/// Format: `z9hG4bK` `tnd` LOOP `.` LEG, each part 16 hex digits of FNV-1a 64:
/// - LOOP hashes what §16.3 says identifies the request for loop detection (Request-URI, From
///   tag, To tag, Call-ID, CSeq number, Proxy-Require, Proxy-Authorization and Route, as
///   received). A request that comes back with one of our Vias carrying the same LOOP has not
///   changed on the way: a loop (482). A spiral (Request-URI changed) gets a different LOOP.
/// - LEG hashes the incoming top Via branch, the target URI and the branch's index, so the same
///   incoming request sent to the same target yields the same branch (deterministic, e.g. for the
///   stateless ACK of a 2xx) while parallel branches still differ.
enum SIPBranchHash {
    static let prefix = "z9hG4bKtnd"

    struct FNV {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325

        mutating func add(_ bytes: some Sequence<UInt8>) {
            for b in bytes {
                value ^= UInt64(b)
                value = value &* 0x0000_0100_0000_01b3
            }
            value ^= 0xff  // field separator, so ("ab","c") and ("a","bc") differ
            value = value &* 0x0000_0100_0000_01b3
        }

        mutating func add(_ text: String) { add(text.utf8) }
    }

    static func hex(_ v: UInt64) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { out[15 - i] = digits[Int((v >> (UInt64(i) * 4)) & 0xf)] }
        return String(decoding: out, as: UTF8.self)
    }

    /// The LOOP part for a request as received.
    static func loopHash(_ request: SIPMessage) -> String {
        var h = FNV()
        h.add(request.requestURIText ?? "")
        h.add((try? request.from.tag) ?? "")
        h.add((try? request.to.tag) ?? "")
        h.add((try? request.callID) ?? "")
        h.add(String((try? request.cseq.sequence) ?? 0))
        for v in request.values(.proxyRequire) { h.add(v) }
        for v in request.values(.proxyAuthorization) { h.add(v) }
        for v in request.values(.route) { h.add(v) }
        return hex(h.value)
    }

    static func branch(loop: String, incomingBranch: String, target: String, index: Int) -> String {
        var h = FNV()
        h.add(incomingBranch)
        h.add(target)
        h.add(String(index))
        return prefix + loop + "." + hex(h.value)
    }

    /// The LOOP part of a branch this proxy wrote, nil for anyone else's.
    static func loopPart(of branch: String) -> Substring? {
        guard branch.hasPrefix(prefix) else { return nil }
        let rest = branch.dropFirst(prefix.count)
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        return rest[rest.startIndex..<dot]
    }

    /// A branch for a request the proxy originates.
    static func originated(seed: UInt64, counter: UInt64) -> String {
        var h = FNV()
        h.add(String(seed))
        h.add(String(counter))
        return prefix + "o" + hex(h.value) + "." + String(counter, radix: 16)
    }
}
