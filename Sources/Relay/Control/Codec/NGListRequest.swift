/// The parameters of `list`: at most `limit` call-IDs (rtpengine's default is 32).
public struct NGListRequest: Sendable, Equatable {
    public static let defaultLimit = 32
    public var limit: Int

    public init(limit: Int = NGListRequest.defaultLimit) { self.limit = limit }

    init(_ f: NGRequestFields) {
        self.init(limit: max(0, f.limit ?? NGListRequest.defaultLimit))
    }
}
