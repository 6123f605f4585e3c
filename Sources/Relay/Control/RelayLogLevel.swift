import Logging

/// The relay's `--log-level` / `log-level:` value: a swift-log level name (`trace` ... `critical`) or, so that an
/// rtpengine configuration carries over unchanged, rtpengine's syslog number `0`...`7` (`log-level=6`).
///
/// swift-log has no emergency/alert levels, so syslog 0 (emerg), 1 (alert) and 2 (crit) all map to `critical`;
/// 3 (err) → `error`, 4 → `warning`, 5 → `notice`, 6 → `info`, 7 → `debug`. Nothing else is accepted, so a typo
/// is an error at start instead of a silent default.
public enum RelayLogLevel {
    /// What the error message lists as accepted.
    public static let expectation = "one of trace, debug, info, notice, warning, error, critical, "
        + "or a syslog level 0-7 as rtpengine takes it (6 = info, 7 = debug)"

    /// The swift-log level `text` names, or nil when it names none.
    public static func parse(_ text: String) -> Logger.Level? {
        if let level = Logger.Level(rawValue: text) { return level }
        guard text.utf8.count == 1, let number = Int(text) else { return nil }
        switch number {
        case 0, 1, 2: return .critical
        case 3: return .error
        case 4: return .warning
        case 5: return .notice
        case 6: return .info
        case 7: return .debug
        default: return nil
        }
    }
}
