/// RFC 3261 §16.7 steps 6 and 7: which collected final response goes upstream, and the
/// authentication challenges merged into a 401/407.
enum SIPBestResponse {
    /// Codes §16.7 step 6 says to prefer within the 4xx class (they let the caller fix its request).
    static let preferred4xx: Set<Int> = [401, 407, 415, 420, 484]

    /// Index of the best response: the first 6xx; otherwise the lowest class, preferring
    /// `preferred4xx` within 4xx, then the first to arrive.
    static func choose(_ responses: [SIPMessage]) -> Int? {
        guard !responses.isEmpty else { return nil }
        let statuses = responses.map { $0.statusCode ?? 500 }
        if let six = statuses.firstIndex(where: { $0 >= 600 }) { return six }
        guard let lowestClass = statuses.map({ $0 / 100 }).min() else { return nil }
        if lowestClass == 4, let i = statuses.firstIndex(where: { preferred4xx.contains($0) }) { return i }
        return statuses.firstIndex { $0 / 100 == lowestClass }
    }

    /// The response to send: the chosen one, with every WWW-Authenticate / Proxy-Authenticate of
    /// the other 401/407 responses added when it is a 401/407 (step 7), and a 503 turned into 500
    /// (step 6: a 503 from downstream must not make upstream elements back off from *us*).
    static func finalResponse(_ responses: [SIPMessage]) -> SIPMessage? {
        guard let index = choose(responses) else { return nil }
        var chosen = responses[index]
        let status = chosen.statusCode ?? 500
        if status == 401 || status == 407 {
            for (i, other) in responses.enumerated() where i != index {
                guard let s = other.statusCode, s == 401 || s == 407 else { continue }
                for kind in [SIPHeaderKind.wwwAuthenticate, .proxyAuthenticate] {
                    let existing = Set(chosen.values(kind))
                    for value in other.values(kind) where !existing.contains(value) {
                        try? chosen.appendHeader(kind, value: value)
                    }
                }
            }
        }
        if status == 503, let converted = try? chosen.replacingStatus(500, reason: "Server Internal Error") {
            return converted
        }
        return chosen
    }
}
