/// A stored MESSAGE waiting for its recipient to register (msilo-style).
public struct OfflineMessage: Sendable, Hashable {
    public let id: UInt64
    public let recipient: AddressOfRecord
    /// The sender's From, without its tag.
    public let sender: String
    public let contentType: String
    public let body: [UInt8]
    /// Wall-clock seconds since 1970 when stored (for the Date header of the delivery).
    public let storedAtUnixSeconds: Int64
    /// Monotonic instant when stored (for retention).
    public let storedAt: SIPInstant
    /// Sent and not yet answered; not sent again until the outcome is known.
    public internal(set) var inFlight: Bool = false
    public internal(set) var attempts: Int = 0
}

/// What the `OfflineMessageStore` asks its driver to do.
public enum MessageAction: Sendable {
    /// Answer the incoming MESSAGE.
    case respond(SIPMessage)
    /// The recipient is online: forward the MESSAGE as the proxy forwards any request to the AOR.
    case deliver(SIPMessage, to: AddressOfRecord)
    /// A stored message for a user who just registered; report with `deliveryResult(id, status:)`.
    case sendMessage(SIPMessage, to: AddressOfRecord, stored: UInt64)
}

/// Limits of the `OfflineMessageStore`.
public struct OfflineMessageSettings: Sendable {
    public var maxPerRecipient: Int = 50
    public var maxTotal: Int = 10_000
    /// Bigger bodies are refused with 513 instead of stored.
    public var maxBodyBytes: Int = 4096
    /// Stored messages older than this are dropped.
    public var retentionMilliseconds: Int64 = 7 * 24 * 3600 * 1000
    /// Prefix of the Call-IDs of deliveries.
    public var callIDPrefix: String = "msilo"

    public init() {}
}
