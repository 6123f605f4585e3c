/// The client side of an inbound event-socket connection to one FreeSWITCH box, sans-I/O: bytes from
/// the socket in, actions out. The conversation (mod_event_socket):
///
///     server: Content-Type: auth/request                         (on connect)
///     client: auth <password>
///     server: Content-Type: command/reply / Reply-Text: +OK accepted      (or -ERR invalid, then
///                                                                          a text/disconnect-notice)
///     client: event plain HEARTBEAT
///     server: Content-Type: command/reply / Reply-Text: +OK event listener enabled plain
///     server: Content-Length: N / Content-Type: text/event-plain, then N bytes of event
///
/// Every command ends with an empty line. The driver writes `.send` bytes, feeds what it reads to
/// `receive`, and calls `connectionClosed` when the socket closes; reconnecting is its business.
public struct ESLClientState: Sendable {
    public enum Phase: Sendable, Hashable {
        case awaitingAuthRequest, awaitingAuthReply, awaitingSubscribeReply, subscribed
        /// Authentication refused, protocol error or disconnect notice: the connection is done.
        case closed
    }

    public private(set) var phase: Phase = .awaitingAuthRequest
    private let password: String
    private let events: [String]
    private var parser = ESLFrameParser()

    /// `password` must not contain CR or LF (configuration validation ensures it).
    public init(password: String, events: [String] = ["HEARTBEAT"]) {
        self.password = password
        self.events = events
    }

    public mutating func receive<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> [ESLClientAction] {
        guard phase != .closed else { return [] }
        parser.append(bytes)
        var actions: [ESLClientAction] = []
        while phase != .closed {
            let frame: ESLFrame?
            do { frame = try parser.nextFrame() } catch {
                phase = .closed
                actions.append(.protocolError(error))
                break
            }
            guard let frame else { break }
            handle(frame, into: &actions)
        }
        return actions
    }

    /// The socket closed (by either side).
    public mutating func connectionClosed() -> [ESLClientAction] {
        guard phase != .closed else { return [] }
        phase = .closed
        return [.disconnected("connection closed")]
    }

    private mutating func handle(_ frame: ESLFrame, into actions: inout [ESLClientAction]) {
        let type = frame.contentType ?? ""
        switch type {
        case "text/disconnect-notice":
            phase = .closed
            actions.append(.disconnected(String(decoding: frame.body, as: UTF8.self)))
            return
        case "text/rude-rejection":
            phase = .closed
            actions.append(.authFailed(String(decoding: frame.body, as: UTF8.self)))
            return
        default: break
        }
        switch phase {
        case .awaitingAuthRequest:
            guard type == "auth/request" else { return }
            phase = .awaitingAuthReply
            actions.append(.send(Array("auth \(password)\n\n".utf8)))
        case .awaitingAuthReply:
            guard type == "command/reply" else { return }
            let reply = frame.replyText ?? ""
            guard reply.hasPrefix("+OK") else {
                phase = .closed
                actions.append(.authFailed(reply))
                return
            }
            phase = .awaitingSubscribeReply
            actions.append(.authenticated)
            actions.append(.send(Array("event plain \(events.joined(separator: " "))\n\n".utf8)))
        case .awaitingSubscribeReply:
            guard type == "command/reply" else { return }
            let reply = frame.replyText ?? ""
            guard reply.hasPrefix("+OK") else {
                phase = .closed
                actions.append(.subscriptionFailed(reply))
                return
            }
            phase = .subscribed
            actions.append(.subscribed)
        case .subscribed:
            guard type == "text/event-plain" else { return }
            do {
                let event = try ESLEvent(plain: frame.body)
                if let heartbeat = FreeSWITCHHeartbeat(event: event) {
                    actions.append(.heartbeat(heartbeat))
                } else {
                    actions.append(.event(event))
                }
            } catch {
                actions.append(.protocolError(error))
            }
        case .closed:
            return
        }
    }
}

public enum ESLClientAction: Sendable, Hashable {
    /// Write these bytes to the socket.
    case send([UInt8])
    case authenticated
    case subscribed
    /// A HEARTBEAT with load figures: hand to `Dispatcher.heartbeat(_:from:now:)`.
    case heartbeat(FreeSWITCHHeartbeat)
    /// Any other subscribed event.
    case event(ESLEvent)
    /// `-ERR invalid` (wrong password) or an ACL rejection; the server closes the connection.
    case authFailed(String)
    case subscriptionFailed(String)
    /// Disconnect notice or socket closed: reconnect later.
    case disconnected(String)
    /// Malformed input; on a framing error the connection is closed.
    case protocolError(ESLParseError)
}
