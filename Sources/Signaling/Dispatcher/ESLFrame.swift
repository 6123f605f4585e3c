/// One header of an event-socket frame or event, in arrival order.
public struct ESLHeaderField: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// One frame of the event-socket protocol (mod_event_socket): a block of `Name: value` lines ended by
/// an empty line, then `Content-Length` bytes of body if that header is present. The envelope's
/// `Content-Type` says what it is: `auth/request`, `command/reply` (with `Reply-Text: +OK ...` or
/// `-ERR ...`), `api/response`, `text/event-plain` (the body is an event, see `ESLEvent`),
/// `text/disconnect-notice`, `text/rude-rejection`.
public struct ESLFrame: Sendable, Hashable {
    public var headers: [ESLHeaderField]
    public var body: [UInt8]

    public init(headers: [ESLHeaderField], body: [UInt8] = []) {
        self.headers = headers
        self.body = body
    }

    /// First header of that name (names compared case-insensitively, as FreeSWITCH does).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    public var contentType: String? { header("Content-Type") }
    public var replyText: String? { header("Reply-Text") }
}
