/// The transport protocol of a listener or of a received message.
///
/// TLS and WebSocket come later; they would be stream kinds framed like `tcp`.
public enum SIPTransportKind: String, Hashable, Sendable, CustomStringConvertible {
    /// Datagrams: one SIP message per datagram, replies from the same local socket.
    case udp
    /// A byte stream framed by Content-Length, with connection reuse and CRLF keepalives.
    case tcp

    /// The token used in `Via` and `;transport=` (upper case in Via, RFC 3261 §18.2.1).
    public var viaToken: String {
        switch self {
        case .udp: "UDP"
        case .tcp: "TCP"
        }
    }

    public var description: String { self.rawValue }
}
