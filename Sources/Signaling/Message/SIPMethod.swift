/// A request method. The ones a proxy/registrar branches on are cases; anything else keeps its
/// exact spelling (methods are case-sensitive, RFC 3261 §7.1).
public enum SIPMethod: Sendable, Hashable, CustomStringConvertible {
    case invite, ack, bye, cancel, register, options, info, update, prack, subscribe, notify, refer, message, publish
    case other(String)

    public init(_ text: String) {
        let bytes = Array(text.utf8)
        self = SIPMethod(bytes, 0..<bytes.count)
    }

    init(_ bytes: [UInt8], _ range: Range<Int>) {
        switch range.count {
        case 3 where Self.same(bytes, range, "ACK"): self = .ack
        case 3 where Self.same(bytes, range, "BYE"): self = .bye
        case 4 where Self.same(bytes, range, "INFO"): self = .info
        case 5 where Self.same(bytes, range, "PRACK"): self = .prack
        case 5 where Self.same(bytes, range, "REFER"): self = .refer
        case 6 where Self.same(bytes, range, "INVITE"): self = .invite
        case 6 where Self.same(bytes, range, "CANCEL"): self = .cancel
        case 6 where Self.same(bytes, range, "UPDATE"): self = .update
        case 6 where Self.same(bytes, range, "NOTIFY"): self = .notify
        case 7 where Self.same(bytes, range, "OPTIONS"): self = .options
        case 7 where Self.same(bytes, range, "MESSAGE"): self = .message
        case 7 where Self.same(bytes, range, "PUBLISH"): self = .publish
        case 8 where Self.same(bytes, range, "REGISTER"): self = .register
        case 9 where Self.same(bytes, range, "SUBSCRIBE"): self = .subscribe
        default: self = .other(SIPBytes.string(bytes, range))
        }
    }

    private static func same(_ bytes: [UInt8], _ range: Range<Int>, _ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { lit in
            var i = range.lowerBound
            for c in lit {
                if bytes[i] != c { return false }
                i += 1
            }
            return true
        }
    }

    public var description: String {
        switch self {
        case .invite: return "INVITE"
        case .ack: return "ACK"
        case .bye: return "BYE"
        case .cancel: return "CANCEL"
        case .register: return "REGISTER"
        case .options: return "OPTIONS"
        case .info: return "INFO"
        case .update: return "UPDATE"
        case .prack: return "PRACK"
        case .subscribe: return "SUBSCRIBE"
        case .notify: return "NOTIFY"
        case .refer: return "REFER"
        case .message: return "MESSAGE"
        case .publish: return "PUBLISH"
        case .other(let name): return name
        }
    }
}
