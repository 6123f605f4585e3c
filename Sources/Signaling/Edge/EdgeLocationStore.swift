/// Where the registrar's bindings are kept besides memory (YAML `location: { store: ... }`,
/// `tandem signaling --location-store`).
///
/// The in-memory `LocationStore` is the source of truth for look-ups either way; the choice is only
/// whether `location.sqlite` lets the bindings survive a restart. `memory` is Kamailio's usrloc
/// `db_mode 0`: no writer thread and no disk I/O per REGISTER, at the price of every phone being
/// unreachable after a restart until it re-registers.
public enum EdgeLocationStore: String, Sendable, CaseIterable {
    /// Memory only: nothing is written, and nothing is loaded at start.
    case memory
    /// Memory plus `location.sqlite` in the data directory (the default).
    case sqlite

    /// The accepted spellings, for error messages.
    public static var choices: String { allCases.map(\.rawValue).joined(separator: " or ") }
}
