/// The event packages (RFC 6665 §7) this notifier may serve. Anything else is answered 489 Bad
/// Event, so a phone learns from the first SUBSCRIBE that we do not know the package.
public enum SIPEventPackage: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// RFC 3856 presence (PIDF bodies, RFC 3863).
    case presence
    /// RFC 4235 dialog state, the basis of busy-lamp fields.
    case dialog
    /// RFC 3842 message waiting.
    case messageSummary = "message-summary"

    /// Reads the package token of an Event header value (`presence;id=7` → `.presence`);
    /// package names compare case-insensitively. nil for unknown or malformed values.
    public init?(eventHeader value: String) {
        let token = value.split(separator: ";", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        let trimmed = token.trimmingSpaces().lowercased()
        self.init(rawValue: trimmed)
    }

    /// The `id` parameter of an Event header value, if any (RFC 6665 §8.2.1): part of the
    /// subscription's identity.
    public static func eventID(_ value: String) -> String? {
        for part in value.split(separator: ";").dropFirst() {
            let pieces = part.split(separator: "=", maxSplits: 1)
            if pieces.count == 2, pieces[0].trimmingSpaces().lowercased() == "id" {
                return pieces[1].trimmingSpaces()
            }
        }
        return nil
    }

    /// The body type NOTIFYs of this package carry.
    public var contentType: String {
        switch self {
        case .presence: return "application/pidf+xml"
        case .dialog: return "application/dialog-info+xml"
        case .messageSummary: return "application/simple-message-summary"
        }
    }

    public var description: String { rawValue }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (header values are already unfolded).
    func trimmingSpaces() -> String {
        var s = self[...]
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    func trimmingSpaces() -> String { self[...].trimmingSpaces() }
}
