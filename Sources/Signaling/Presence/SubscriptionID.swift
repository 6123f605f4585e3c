/// One subscription of the table; never reused, so a late `notifyResult` for a subscription that
/// is gone cannot hit a newer one.
public struct SubscriptionID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(_ rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (a: SubscriptionID, b: SubscriptionID) -> Bool { a.rawValue < b.rawValue }

    public var description: String { "sub#\(rawValue)" }
}
